import { formatDecimal } from './decimal.js';
import type { DistanceMatrix } from './distance.js';

const DISTANCE_DIGITS = 8;

/**
 * The distance matrix as a square TSV: a header row of names whose first cell says what was measured
 * (e.g. "cosine distance of 4-mer frequencies"), then one row per group in the same order.
 */
export function formatMatrixTsv(names: readonly string[], matrix: DistanceMatrix, what: string): string {
  const lines = [[what, ...names].join('\t')];
  names.forEach((name, i) => lines.push([name, ...Array.from(matrix[i]!, (d) => formatDecimal(d, DISTANCE_DIGITS))].join('\t')));
  return `${lines.join('\n')}\n`;
}
