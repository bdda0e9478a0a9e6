import type { TreeNode } from '../../src/phylo/tree.js';

/** Path length between every pair of leaves (the tree's patristic distances), by leaf name. */
export function patristic(tree: TreeNode): Map<string, Map<string, number>> {
  const depths: Array<{ name: string; path: TreeNode[]; depth: number[] }> = [];
  const walk = (node: TreeNode, path: TreeNode[], depth: number[]) => {
    const here = [...path, node];
    const d = [...depth, (depth[depth.length - 1] ?? 0) + (path.length > 0 ? (node.length ?? 0) : 0)];
    if (node.children.length === 0) depths.push({ name: node.name!, path: here, depth: d });
    for (const child of node.children) walk(child, here, d);
  };
  walk(tree, [], []);
  const out = new Map<string, Map<string, number>>();
  for (const a of depths) {
    const row = new Map<string, number>();
    for (const b of depths) {
      let common = 0;
      while (common < a.path.length && common < b.path.length && a.path[common] === b.path[common]) common++;
      const ancestorDepth = a.depth[common - 1]!;
      row.set(b.name, a.depth[a.depth.length - 1]! - ancestorDepth + (b.depth[b.depth.length - 1]! - ancestorDepth));
    }
    out.set(a.name, row);
  }
  return out;
}

/** The tree's leaf -> branch length to its parent. */
export function leafLengths(tree: TreeNode): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (node: TreeNode) => {
    if (node.children.length === 0) out[node.name!] = node.length!;
    node.children.forEach(walk);
  };
  walk(tree);
  return out;
}
