import { leafNamesOf, nodeSplits, splitIndex, splitSet } from './splits.js';
import type { TreeNode } from './tree.js';

/**
 * Felsenstein's (1985) bootstrap support: for each internal branch of the tree built from all the data, the
 * percentage of replicate trees (built from resampled data) that contain the same split. Unrooted trees
 * (neighbour joining) compare splits; rooted ones (UPGMA) compare clades. Writes `support` (whole percent) on
 * the tree's internal nodes below the root and returns the tree.
 */
export function annotateSupport(tree: TreeNode, replicates: readonly TreeNode[], options: { rooted: boolean }): TreeNode {
  if (replicates.length === 0) return tree;
  const index = splitIndex(leafNamesOf(tree), options.rooted);
  const counts = new Map<string, number>();
  for (const replicate of replicates) {
    for (const key of splitSet(replicate, index)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const { node, key } of nodeSplits(tree, index)) {
    node.support = Math.round((100 * (counts.get(key) ?? 0)) / replicates.length);
  }
  return tree;
}
