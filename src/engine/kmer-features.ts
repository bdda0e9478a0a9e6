/**
 * The feature rows of the k-mer baseline and of the k-mer branch that starts from it: log1p k-mer counts of the
 * whole sequence, or (bins) counted per bin of the sequence side by side. With one bin per position and k = 1 the
 * binned rows are the one-hot sequence itself, a position weight matrix's input: the linear model a user of
 * aligned, fixed-length sequences (splice junctions, promoters) reaches for first.
 */
import { type KmerSpec, type SparseRows, type SymbolCodes, countKmers } from '../seq/kmer-counts.js';

/** A baseline feature set: k-mers over the whole sequence, or per bin when bins is given. */
export interface FeatureSpec extends KmerSpec {
  bins?: number;
}

export function baselineFeatures(codes: readonly SymbolCodes[], spec: FeatureSpec, alphabetSize: number): SparseRows {
  return spec.bins === undefined ? kmerFeatures(codes, spec, alphabetSize) : binnedFeatures(codes, spec, alphabetSize, spec.bins);
}

/** log1p counts, each row scaled to unit Euclidean length; an empty row (no valid k-mer) stays empty. */
export function kmerFeatures(codes: readonly SymbolCodes[], spec: KmerSpec, alphabetSize: number): SparseRows {
  const counts = countKmers(codes, spec, alphabetSize);
  const value = counts.value;
  for (let i = 0; i < counts.rows; i++) {
    let squares = 0;
    for (let p = counts.rowStart[i]!; p < counts.rowStart[i + 1]!; p++) {
      value[p] = Math.log1p(value[p]!);
      squares += value[p]! * value[p]!;
    }
    const norm = Math.sqrt(squares);
    if (norm > 0) for (let p = counts.rowStart[i]!; p < counts.rowStart[i + 1]!; p++) value[p] = value[p]! / norm;
  }
  return counts;
}

/**
 * Each bin's k-mer features (k-mers starting in the bin), side by side in one row, scaled so the whole row has unit
 * length as the whole-sequence features do.
 */
export function binnedFeatures(codes: readonly SymbolCodes[], spec: KmerSpec, alphabetSize: number, bins: number): SparseRows {
  const perBin = Array.from({ length: bins }, (_, b) =>
    kmerFeatures(
      codes.map((c) =>
        c.subarray(Math.floor((b * c.length) / bins), Math.min(c.length, Math.floor(((b + 1) * c.length) / bins) + spec.k - 1)),
      ),
      spec,
      alphabetSize,
    ),
  );
  const width = perBin[0]!.columns;
  const rows = codes.length;
  const rowStart = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (const part of perBin) n += part.rowStart[i + 1]! - part.rowStart[i]!;
    rowStart[i + 1] = rowStart[i]! + n;
  }
  const column = new Int32Array(rowStart[rows]!);
  const value = new Float32Array(rowStart[rows]!);
  for (let i = 0; i < rows; i++) {
    const filled = perBin.filter((part) => part.rowStart[i + 1]! > part.rowStart[i]!).length;
    const scale = filled > 0 ? 1 / Math.sqrt(filled) : 0;
    let at = rowStart[i]!;
    perBin.forEach((part, b) => {
      for (let p = part.rowStart[i]!; p < part.rowStart[i + 1]!; p++, at++) {
        column[at] = part.column[p]! + b * width;
        value[at] = part.value[p]! * scale;
      }
    });
  }
  return { rows, columns: width * bins, rowStart, column, value };
}
