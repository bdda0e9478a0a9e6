import type { Random } from '../seq/random.js';
import type { DistanceMatrix } from './distance.js';

/**
 * Distances between the rows of an alignment, as ape's dist.dna(model, pairwise.deletion = TRUE) computes them:
 * for each pair, only the columns where both rows hold a definite residue count (a gap, N or other ambiguity
 * code in either row drops that column for that pair alone).
 *
 *   p      proportion of differing sites, D / L
 *   jc69   Jukes & Cantor (1969): -3/4 ln(1 - 4/3 p)
 *   k2p    Kimura (1980) two-parameter, with P transitions and Q transversions per site:
 *          -1/2 ln(1 - 2P - Q) - 1/4 ln(1 - 2Q)
 *
 * Saturation: where a correction's logarithm is undefined (p >= 3/4 for JC69; 1 - 2P - Q <= 0 or 1 - 2Q <= 0 for
 * K2P), or a pair shares no site at all, the distance is infinite or unknown. ape returns NaN/Inf there and nj()
 * then fails; here such a pair gets twice the largest defined distance of the matrix ("farther than anything
 * measured"), and the caller is told which pairs, so a tree is still built and the user knows what was assumed.
 */
export type AlignedModel = 'p' | 'jc69' | 'k2p';
export const ALIGNED_MODELS: readonly AlignedModel[] = ['p', 'jc69', 'k2p'];

/** Rows encoded per column: 0-3 = A C G T(U) for nucleotides, 0-19 for amino acids, MISSING otherwise. */
export interface EncodedAlignment {
  names: string[];
  rows: Uint8Array[];
  columns: number;
  nucleotide: boolean;
}

export const MISSING = 255;

const NUCLEOTIDES = 'ACGT';
const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

/** Rows must share one length (checked by the caller, who can name the record). */
export function encodeAlignment(names: readonly string[], rows: readonly string[], nucleotide: boolean): EncodedAlignment {
  const table = new Uint8Array(128).fill(MISSING);
  const symbols = nucleotide ? NUCLEOTIDES : AMINO_ACIDS;
  for (let k = 0; k < symbols.length; k++) {
    table[symbols.charCodeAt(k)] = k;
    table[symbols.toLowerCase().charCodeAt(k)] = k;
  }
  if (nucleotide) table['U'.charCodeAt(0)] = table['u'.charCodeAt(0)] = 3;
  const encoded = rows.map((row) => {
    const out = new Uint8Array(row.length);
    for (let i = 0; i < row.length; i++) {
      const code = row.charCodeAt(i);
      out[i] = code < 128 ? table[code]! : MISSING;
    }
    return out;
  });
  return { names: [...names], rows: encoded, columns: rows[0]?.length ?? 0, nucleotide };
}

/** What went into one pair's distance. */
export interface PairCounts {
  /** sites where both rows are definite */
  sites: number;
  transitions: number;
  transversions: number;
}

/** A<->G and C<->T are transitions (purine-purine, pyrimidine-pyrimidine); with A C G T = 0 1 2 3, x ^ y === 2. */
export function pairCounts(a: Uint8Array, b: Uint8Array, nucleotide: boolean, weights?: Uint32Array): PairCounts {
  let sites = 0;
  let transitions = 0;
  let transversions = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === MISSING || y === MISSING) continue;
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    sites += w;
    if (x === y) continue;
    if (nucleotide && (x ^ y) === 2) transitions += w;
    else transversions += w;
  }
  return { sites, transitions, transversions };
}

/** The model's distance for one pair, or undefined where it is not defined (no sites, or saturated). */
export function pairDistance(counts: PairCounts, model: AlignedModel): number | undefined {
  const { sites, transitions, transversions } = counts;
  if (sites === 0) return undefined;
  const p = (transitions + transversions) / sites;
  switch (model) {
    case 'p':
      return p;
    case 'jc69': {
      const inner = 1 - (4 / 3) * p;
      return inner > 0 ? -0.75 * Math.log(inner) : undefined;
    }
    case 'k2p': {
      const P = transitions / sites;
      const Q = transversions / sites;
      const a = 1 - 2 * P - Q;
      const b = 1 - 2 * Q;
      // -0 for identical rows would print as "-0"; a distance is never negative.
      return a > 0 && b > 0 ? Math.max(0, -0.5 * Math.log(a) - 0.25 * Math.log(b)) : undefined;
    }
  }
}

export interface AlignedDistances {
  matrix: DistanceMatrix;
  /** pairs (i < j) whose distance was undefined and set to twice the largest defined one */
  undefinedPairs: Array<[number, number]>;
}

/** All pairwise distances; `weights` (a bootstrap replicate's column counts) defaults to every column once. */
export function alignedDistances(alignment: EncodedAlignment, model: AlignedModel, weights?: Uint32Array): AlignedDistances {
  const n = alignment.rows.length;
  const matrix = Array.from({ length: n }, () => new Float64Array(n));
  const undefinedPairs: Array<[number, number]> = [];
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = pairDistance(pairCounts(alignment.rows[i]!, alignment.rows[j]!, alignment.nucleotide, weights), model);
      if (d === undefined) undefinedPairs.push([i, j]);
      else {
        matrix[i]![j] = matrix[j]![i] = d;
        largest = Math.max(largest, d);
      }
    }
  }
  if (undefinedPairs.length > 0) {
    const far = largest > 0 ? 2 * largest : 1;
    for (const [i, j] of undefinedPairs) matrix[i]![j] = matrix[j]![i] = far;
  }
  return { matrix, undefinedPairs };
}

/** Felsenstein's (1985) bootstrap over columns: each column's count in one replicate of the same length. */
export function resampleColumns(columns: number, random: Random): Uint32Array {
  const weights = new Uint32Array(columns);
  for (let c = 0; c < columns; c++) weights[random.int(columns)]!++;
  return weights;
}
