import { Random } from '../seq/random.js';
import type { TreeNode } from './tree.js';

/**
 * The bipartitions (splits) of a tree's leaves that its internal branches define, as comparable keys.
 * Unrooted: a split and its complement are the same, so each is keyed by the side without the first leaf, and
 * where the tree is rooted does not matter. Rooted: the key is the clade itself. Trivial splits (one leaf
 * against the rest, or everything) carry no topology and are left out.
 *
 * A side is keyed by its size and the XOR of 96 random bits per leaf (bipartition hashing, as RAxML and HashRF
 * do), so a tree costs O(n) however deep it is, where bitsets cost O(n^2). Two different sides share a key
 * with a probability of about 2^-96 per pair; the bits come from a fixed seed, so results are reproducible.
 */
export interface SplitIndex {
  /** leaf name -> that leaf's random bits */
  readonly leaves: ReadonlyMap<string, LeafBits>;
  readonly rooted: boolean;
  readonly firstLeaf: string;
  /** XOR of every leaf's bits: the complement of a side is total ^ side */
  readonly total: LeafBits;
}

type LeafBits = readonly [number, number, number];

const HASH_SEED = 0x5eed5;

export function splitIndex(leafNames: readonly string[], rooted: boolean): SplitIndex {
  const random = new Random(HASH_SEED);
  const sorted = [...new Set(leafNames)].sort();
  const leaves = new Map<string, LeafBits>();
  const total: [number, number, number] = [0, 0, 0];
  for (const name of sorted) {
    const bits: LeafBits = [random.int(2 ** 32), random.int(2 ** 32), random.int(2 ** 32)];
    leaves.set(name, bits);
    for (let w = 0; w < 3; w++) total[w] = (total[w]! ^ bits[w]!) >>> 0;
  }
  return { leaves, rooted, firstLeaf: sorted[0] ?? '', total };
}

interface Side {
  bits: [number, number, number];
  size: number;
  hasFirst: boolean;
}

/** Each internal node below the root that has a non-trivial split, with that split's key. */
export function nodeSplits(tree: TreeNode, index: SplitIndex): Array<{ node: TreeNode; key: string }> {
  const n = index.leaves.size;
  const result: Array<{ node: TreeNode; key: string }> = [];
  const sides = new Map<TreeNode, Side>();
  // Children before parents without recursion: pre-order, walked backwards.
  const order: TreeNode[] = [];
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    for (const child of node.children) stack.push(child);
  }
  for (let o = order.length - 1; o >= 0; o--) {
    const node = order[o]!;
    const side: Side = { bits: [0, 0, 0], size: 0, hasFirst: false };
    if (node.children.length === 0) {
      const name = node.name ?? '';
      const bits = index.leaves.get(name);
      if (bits === undefined) throw new RangeError(`nodeSplits: leaf '${name}' is not in the index`);
      side.bits = [...bits];
      side.size = 1;
      side.hasFirst = name === index.firstLeaf;
    } else {
      for (const child of node.children) {
        const below = sides.get(child)!;
        for (let w = 0; w < 3; w++) side.bits[w] = (side.bits[w]! ^ below.bits[w]!) >>> 0;
        side.size += below.size;
        side.hasFirst ||= below.hasFirst;
        sides.delete(child);
      }
    }
    sides.set(node, side);
    if (node !== tree && node.children.length > 0) {
      const key = splitKey(side, n, index);
      if (key !== undefined) result.push({ node, key });
    }
  }
  return result;
}

/**
 * Leaf names left to right, like tree.ts's leafNames but without recursion: a tree read from a file can be a
 * caterpillar deeper than the call stack.
 */
export function leafNamesOf(tree: TreeNode): string[] {
  const names: string[] = [];
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.children.length === 0) names.push(node.name ?? '');
    for (let c = node.children.length - 1; c >= 0; c--) stack.push(node.children[c]!);
  }
  return names;
}

/** The set of split keys of a tree. */
export function splitSet(tree: TreeNode, index: SplitIndex): Set<string> {
  return new Set(nodeSplits(tree, index).map((s) => s.key));
}

function splitKey(side: Side, n: number, index: SplitIndex): string | undefined {
  if (side.size <= 1 || side.size >= n - (index.rooted ? 0 : 1)) return undefined;
  if (index.rooted || !side.hasFirst) return `${side.size}:${side.bits.join(':')}`;
  const complement = side.bits.map((word, w) => (word ^ index.total[w]!) >>> 0);
  return `${n - side.size}:${complement.join(':')}`;
}
