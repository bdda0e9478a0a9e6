/**
 * Distances between per-group profile vectors. All three are symmetric and (up to rounding) 0 for identical
 * non-zero profiles; cosine and correlation ignore a profile's scale, euclidean does not.
 */
export type DistanceName = 'cosine' | 'euclidean' | 'correlation';

export const DISTANCE_NAMES: readonly DistanceName[] = ['cosine', 'euclidean', 'correlation'];

/** Square, symmetric, zero diagonal; rows in the order of the profiles. */
export type DistanceMatrix = Float64Array[];

export function distanceMatrix(profiles: readonly ArrayLike<number>[], distance: DistanceName): DistanceMatrix {
  const n = profiles.length;
  const size = n === 0 ? 0 : profiles[0]!.length;
  for (const profile of profiles) {
    if (profile.length !== size) throw new RangeError(`distanceMatrix: profiles differ in length (${profile.length} vs ${size})`);
  }
  const prepared = profiles.map((profile) => prepare(profile, distance));
  const matrix = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = pairDistance(prepared[i]!, prepared[j]!, distance);
      matrix[i]![j] = d;
      matrix[j]![i] = d;
    }
  }
  return matrix;
}

/**
 * Cosine and correlation work on unit vectors (correlation on centred ones): a zero vector (no k-mer in a group,
 * or a constant profile) stays zero and is then at distance 1 from everything, as an uninformative profile
 * should be, rather than NaN.
 */
function prepare(profile: ArrayLike<number>, distance: DistanceName): Float64Array {
  const out = Float64Array.from(profile as ArrayLike<number>);
  if (distance === 'euclidean') return out;
  if (distance === 'correlation') {
    let mean = 0;
    for (let k = 0; k < out.length; k++) mean += out[k]!;
    mean /= out.length || 1;
    for (let k = 0; k < out.length; k++) out[k]! -= mean;
  }
  let norm = 0;
  for (let k = 0; k < out.length; k++) norm += out[k]! * out[k]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let k = 0; k < out.length; k++) out[k]! /= norm;
  return out;
}

function pairDistance(a: Float64Array, b: Float64Array, distance: DistanceName): number {
  if (distance === 'euclidean') {
    let sum = 0;
    for (let k = 0; k < a.length; k++) {
      const diff = a[k]! - b[k]!;
      sum += diff * diff;
    }
    return Math.sqrt(sum);
  }
  let dot = 0;
  for (let k = 0; k < a.length; k++) dot += a[k]! * b[k]!;
  // Rounding can push the dot product of unit vectors just past 1; a distance is never negative.
  return Math.max(0, 1 - dot);
}
