/**
 * A rooted tree as written in Newick. Unrooted trees (neighbour-joining) are stored rooted at an arbitrary
 * internal node, as Newick itself does; `support` is a bootstrap percentage on internal nodes.
 */
export interface TreeNode {
  name?: string;
  /** branch length to the parent */
  length?: number;
  /** bootstrap support in percent, internal nodes only */
  support?: number;
  children: TreeNode[];
}

export function isLeaf(node: TreeNode): boolean {
  return node.children.length === 0;
}

/** Leaf names in left-to-right order. */
export function leafNames(node: TreeNode): string[] {
  if (isLeaf(node)) return [node.name ?? ''];
  return node.children.flatMap(leafNames);
}
