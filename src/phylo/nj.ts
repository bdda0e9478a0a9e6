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
  return joinNeighbours(names, distances, false, 'neighbourJoining');
}

/**
 * BIONJ (Gascuel 1997): neighbour joining whose new node's distances weigh its two children by how noisy their
 * distances are. Every distance carries a variance, at first the distance itself (estimates of longer distances
 * are noisier), and the joined node takes λ·d(i,k) + (1−λ)·d(j,k) (less the branch lengths) with the λ in [0, 1]
 * that minimises the new distances' variance; NJ is λ = ½ throughout. Same pair choice, branch lengths, clamping,
 * rooting and tie-breaking as neighbourJoining; the same tree on additive distances. What ape::bionj and PhyML's
 * starting trees use. Not better on every matrix: on the 79 bacteria it recovered more of the reference's splits
 * than NJ from 6-mer and from JC69 distances, but fewer from the language model's on the lungfish (README, Trees).
 */
export function bionj(names: readonly string[], distances: readonly ArrayLike<number>[]): TreeNode {
  return joinNeighbours(names, distances, true, 'bionj');
}

function joinNeighbours(names: readonly string[], distances: readonly ArrayLike<number>[], weighted: boolean, who: string): TreeNode {
  const d = checkedCopy(names, distances, who);
  if (names.length < 2) throw new RangeError(`${who}: a tree needs at least 2 taxa`);
  // BIONJ's variances, updated alongside the distances.
  const v = weighted ? d.map((row) => row.slice()) : undefined;
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
    const bi = (dij + (r[best.a]! - r[best.b]!) / (n - 2)) / 2;
    const [li, lj] = clampedPair(bi, dij);
    const joined: TreeNode = { children: [withLength(nodes[i]!, li), withLength(nodes[j]!, lj)] };
    // BIONJ weighs the two children by their variances; NJ is λ = ½, kept in its own form (the same bits as before).
    const lambda = v ? bionjLambda(v, active, i, j) : 0.5;
    for (const k of active) {
      if (k === i || k === j) continue;
      // The unclamped branch lengths, as in Gascuel's reduction.
      const dk = v ? lambda * (d[i]![k]! - bi) + (1 - lambda) * (d[j]![k]! - (dij - bi)) : (d[i]![k]! + d[j]![k]! - dij) / 2;
      d[i]![k] = dk;
      d[k]![i] = dk;
      if (v) {
        const vk = lambda * v[i]![k]! + (1 - lambda) * v[j]![k]! - lambda * (1 - lambda) * v[i]![j]!;
        v[i]![k] = vk;
        v[k]![i] = vk;
      }
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

/** BIONJ's weight of cluster i in the node joining i and j: ½ + Σ_k (V(j,k) − V(i,k)) / (2 (n−2) V(i,j)), in [0, 1]. */
function bionjLambda(v: readonly Float64Array[], active: readonly number[], i: number, j: number): number {
  const vij = v[i]![j]!;
  if (!(vij > 0)) return 0.5;
  let sum = 0;
  for (const k of active) if (k !== i && k !== j) sum += v[j]![k]! - v[i]![k]!;
  const lambda = 0.5 + sum / (2 * (active.length - 2) * vij);
  return Math.min(1, Math.max(0, lambda));
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
