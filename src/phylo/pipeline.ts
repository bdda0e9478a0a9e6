import { Random } from '../seq/random.js';
import { annotateSupport } from './bootstrap.js';
import { type DistanceMatrix, type DistanceName, distanceMatrix } from './distance.js';
import { type SparseVector, type WindowFeaturizer, type WindowVector, isSparse } from './features.js';
import { bionj, neighbourJoining } from './nj.js';
import type { TreeNode } from './tree.js';
import { upgma } from './upgma.js';

/**
 * Window vectors -> one profile per group (their mean) -> distance matrix -> tree, and the bootstrap: resample
 * each group's windows with replacement, rebuild, count how often each branch of the tree comes back.
 */
export type TreeMethod = 'nj' | 'bionj' | 'upgma';

export const TREE_METHODS: readonly TreeMethod[] = ['nj', 'bionj', 'upgma'];

/** The tree of a distance matrix by `method`. */
export function treeOf(names: readonly string[], matrix: DistanceMatrix, method: TreeMethod): TreeNode {
  if (method === 'nj') return neighbourJoining(names, matrix);
  if (method === 'bionj') return bionj(names, matrix);
  return upgma(names, matrix);
}

export interface TreeOptions {
  distance: DistanceName;
  method: TreeMethod;
}

export interface GroupWindows {
  name: string;
  windows: string[];
}

export interface GroupFeatures {
  name: string;
  /** mean of the window vectors */
  profile: Float64Array;
  windows: number;
  /** every window's vector, kept only when a bootstrap will resample them */
  windowVectors?: WindowVector[];
  /** sparse features: how a group's summed weights become its dense profile (the same for every replicate) */
  compress?: SparseCompression;
}

export interface Phylogeny {
  names: string[];
  matrix: DistanceMatrix;
  tree: TreeNode;
}

/** Keeps one featurizer call under about 64 MB of vectors, whatever the vector size. */
const FLOATS_PER_CALL = 1 << 24;

/**
 * Every group's windows through the featurizer, in batches that run across group boundaries (a model is
 * fastest on full batches, and groups may hold a single window each), summed per group as they come.
 */
export async function featurizeGroups(
  groups: readonly GroupWindows[],
  featurizer: WindowFeaturizer,
  options: { keepWindowVectors: boolean; batchWindows: number; onWindows?: (done: number) => void },
): Promise<GroupFeatures[]> {
  const batch = Math.max(1, Math.min(options.batchWindows, Math.floor(FLOATS_PER_CALL / featurizer.size)));
  let sums: Float64Array[] | undefined;
  const sparseSums = groups.map(() => new Map<number, number>());
  const kept: WindowVector[][] = groups.map(() => []);
  const owner: number[] = [];
  const windows: string[] = [];
  groups.forEach((group, g) => {
    for (const window of group.windows) {
      owner.push(g);
      windows.push(window);
    }
  });
  for (let from = 0; from < windows.length; from += batch) {
    const vectors = await featurizer.featurize(windows.slice(from, from + batch));
    vectors.forEach((vector, i) => {
      const g = owner[from + i]!;
      if (isSparse(vector)) addSparse(sparseSums[g]!, vector);
      else {
        sums ??= groups.map(() => new Float64Array(featurizer.size));
        const sum = sums[g]!;
        for (let k = 0; k < sum.length; k++) sum[k]! += vector[k]!;
      }
      if (options.keepWindowVectors) kept[g]!.push(vector);
    });
    options.onWindows?.(from + vectors.length);
  }
  const compress = sums ? undefined : sparseCompression(sparseSums);
  return groups.map((group, g) => {
    const count = group.windows.length;
    const profile = compress ? compress(sparseSums[g]!, g) : (sums?.[g] ?? new Float64Array(featurizer.size));
    if (count > 0) for (let k = 0; k < profile.length; k++) profile[k]! /= count;
    return {
      name: group.name,
      profile,
      windows: count,
      ...(options.keepWindowVectors ? { windowVectors: kept[g]! } : {}),
      ...(compress ? { compress } : {}),
    };
  });
}

function addSparse(sum: Map<number, number>, vector: SparseVector): void {
  for (let i = 0; i < vector.indices.length; i++) sum.set(vector.indices[i]!, (sum.get(vector.indices[i]!) ?? 0) + vector.weights[i]!);
}

/** Summed sparse weights of group g -> its dense profile. */
export type SparseCompression = (sum: Map<number, number>, group: number) => Float64Array;

/**
 * Sparse profiles made dense without a dimension per code: a code found in one group only is orthogonal to every
 * other profile, so all of a group's private codes fold into one dimension of its own holding their root sum of
 * squares. Dot products and norms, hence cosine and euclidean distances, are exactly those of the full sparse
 * vectors; correlation's centring sees a shorter vector (a slight approximation).
 */
function sparseCompression(sums: readonly Map<number, number>[]): SparseCompression {
  const owners = new Map<number, number>(); // code -> its one group, or -1 once a second group has it
  sums.forEach((sum, g) => {
    for (const code of sum.keys()) {
      const seen = owners.get(code);
      owners.set(code, seen === undefined || seen === g ? g : -1);
    }
  });
  const dimension = new Map<number, number>();
  for (const [code, owner] of owners) if (owner === -1) dimension.set(code, dimension.size);
  const shared = dimension.size;
  return (sum, group) => {
    const profile = new Float64Array(shared + sums.length);
    let privateSquares = 0;
    for (const [code, weight] of sum) {
      const at = dimension.get(code);
      if (at === undefined) privateSquares += weight * weight;
      else profile[at] = weight;
    }
    profile[shared + group] = Math.sqrt(privateSquares);
    return profile;
  };
}

export function treeFromProfiles(
  names: readonly string[],
  profiles: readonly ArrayLike<number>[],
  options: TreeOptions,
): { matrix: DistanceMatrix; tree: TreeNode } {
  const matrix = distanceMatrix(profiles, options.distance);
  return { matrix, tree: treeOf(names, matrix, options.method) };
}

/**
 * The tree from all windows, with bootstrap support on its internal branches when `bootstrap` > 0. The
 * replicates draw from their own stream of `seed`, so asking for a bootstrap never changes the tree itself.
 */
export function buildPhylogeny(features: readonly GroupFeatures[], options: TreeOptions & { bootstrap: number; seed: number }): Phylogeny {
  const names = features.map((f) => f.name);
  return phylogenyFromDistances(
    names,
    (random) =>
      distanceMatrix(random ? features.map((f, g) => resampledProfile(f, g, random)) : features.map((f) => f.profile), options.distance),
    options,
  );
}

/**
 * A tree from any distance: `distances()` gives the matrix of all the data, `distances(random)` one bootstrap
 * replicate's (each group's windows resampled with replacement from `random`).
 */
export function phylogenyFromDistances(
  names: readonly string[],
  distances: (random?: Random) => DistanceMatrix,
  options: { method: TreeMethod; bootstrap: number; seed: number },
): Phylogeny {
  const build = (matrix: DistanceMatrix) => treeOf(names, matrix, options.method);
  const matrix = distances();
  const tree = build(matrix);
  if (options.bootstrap > 0) {
    const random = new Random(bootstrapSeed(options.seed));
    const replicates: TreeNode[] = [];
    for (let r = 0; r < options.bootstrap; r++) replicates.push(build(distances(random)));
    annotateSupport(tree, replicates, { rooted: options.method === 'upgma' });
  }
  return { names: [...names], matrix, tree };
}

function resampledProfile(features: GroupFeatures, group: number, random: Random): Float64Array {
  const vectors = features.windowVectors;
  if (vectors === undefined) throw new Error('resampledProfile: window vectors were not kept');
  const drawn = Array.from({ length: vectors.length }, () => vectors[random.int(vectors.length)]!);
  let profile: Float64Array;
  if (features.compress) {
    const sum = new Map<number, number>();
    for (const vector of drawn) addSparse(sum, vector as SparseVector);
    profile = features.compress(sum, group);
  } else {
    profile = new Float64Array(features.profile.length);
    for (const vector of drawn as Float32Array[]) for (let k = 0; k < profile.length; k++) profile[k]! += vector[k]!;
  }
  for (let k = 0; k < profile.length; k++) profile[k]! /= vectors.length || 1;
  return profile;
}

/** A second, independent stream from the same --seed (the golden-ratio constant scrambles the bits). */
function bootstrapSeed(seed: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
}
