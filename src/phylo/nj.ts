import type { TreeNode } from './tree.js';
import { checkedCopy } from './matrix-input.js';

/**
 * Neighbour joining (Saitou & Nei 1987, in the Studier & Keppler 1988 form): repeatedly join the pair that
 * minimises Q(i,j) = (n-2) d(i,j) - R(i) - R(j). The result is unrooted; it is returned rooted at the node that
 * joins the last three clusters, as Newick writers conventionally do, so that node has three children.
 *
 * Negative branch lengths, which NJ produces when the distances are far from additive, are clamped to 0 as
 * usual, and the clamped amount goes to the sibling branch so the joined pair keeps its distance d(i,j)
 * (Kuhner & Felsenstein 1994). Ties go to the pair that comes first in input order, so output is deterministic.
 */
export function neighbourJoining(names: readonly string[], distances: readonly ArrayLike<number>[]): TreeNode {
  const d = checkedCopy(names, distances, 'neighbourJoining');
  if (names.length < 2) throw new RangeError('neighbourJoining: a tree needs at least 2 taxa');
  // Active clusters as indices into d; a joined cluster reuses the slot of its first member.
  let active = names.map((_, i) => i);
  const nodes: TreeNode[] = names.map((name) => ({ name, children: [] }));
  if (names.length === 2) {
    const half = d[0]![1]! / 2;
    return { children: [withLength(nodes[0]!, half), withLength(nodes[1]!, half)] };
  }

  while (active.length > 3) {
    const n = active.length;
    const r = active.map((i) => active.reduce((sum, k) => sum + d[i]![k]!, 0));
    let best = { a: 0, b: 1, q: Infinity };
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const q = (n - 2) * d[active[a]!]![active[b]!]! - r[a]! - r[b]!;
        if (q < best.q) best = { a, b, q };
      }
    }
    const i = active[best.a]!;
    const j = active[best.b]!;
    const dij = d[i]![j]!;
    const [li, lj] = clampedPair((dij + (r[best.a]! - r[best.b]!) / (n - 2)) / 2, dij);
    const joined: TreeNode = { children: [withLength(nodes[i]!, li), withLength(nodes[j]!, lj)] };
    for (const k of active) {
      if (k === i || k === j) continue;
      const dk = (d[i]![k]! + d[j]![k]! - dij) / 2;
      d[i]![k] = dk;
      d[k]![i] = dk;
    }
    nodes[i] = joined;
    active = active.filter((k) => k !== j);
  }

  const [x, y, z] = active as [number, number, number];
  const lengths = [
    (d[x]![y]! + d[x]![z]! - d[y]![z]!) / 2,
    (d[x]![y]! + d[y]![z]! - d[x]![z]!) / 2,
    (d[x]![z]! + d[y]![z]! - d[x]![y]!) / 2,
  ];
  return { children: [x, y, z].map((k, m) => withLength(nodes[k]!, Math.max(0, lengths[m]!))) };
}

/** Branch lengths of a joined pair: li from the NJ formula, lj = d(i,j) - li, neither below 0. */
function clampedPair(li: number, dij: number): [number, number] {
  if (li < 0) return [0, dij];
  if (li > dij) return [dij, 0];
  return [li, dij - li];
}

function withLength(node: TreeNode, length: number): TreeNode {
  return { ...node, length };
}
