/**
 * Numbers in tree and matrix files: a fixed number of significant digits and never exponent notation, which
 * some Newick readers (and spreadsheet imports of the matrix) do not accept. Same input, same bytes.
 */
export function formatDecimal(value: number, significantDigits: number): string {
  if (value === 0 || Object.is(value, -0)) return '0';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(100, Math.max(0, significantDigits - 1 - magnitude));
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
