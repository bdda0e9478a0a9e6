import type { TreeNode } from './tree.js';
import { checkedCopy } from './matrix-input.js';

/**
 * UPGMA (Sokal & Michener 1958): average-linkage clustering, giving a rooted ultrametric tree whose node heights
 * are half the joining distance. Right when the data evolve at a constant rate (a molecular clock), wrong
 * otherwise, which is why neighbour joining is the default. Ties go to the pair first in input order.
 */
export function upgma(names: readonly string[], distances: readonly ArrayLike<number>[]): TreeNode {
  const d = checkedCopy(names, distances, 'upgma');
  if (names.length < 2) throw new RangeError('upgma: a tree needs at least 2 taxa');
  let active = names.map((_, i) => i);
  const clusters = names.map((name) => ({ node: { name, children: [] } as TreeNode, size: 1, height: 0 }));

  while (active.length > 1) {
    let best = { a: 0, b: 1, dist: Infinity };
    for (let a = 0; a < active.length; a++) {
      for (let b = a + 1; b < active.length; b++) {
        const dist = d[active[a]!]![active[b]!]!;
        if (dist < best.dist) best = { a, b, dist };
      }
    }
    const i = active[best.a]!;
    const j = active[best.b]!;
    const ci = clusters[i]!;
    const cj = clusters[j]!;
    // Average linkage never joins below an earlier join, so these lengths are >= 0 but for rounding.
    const height = best.dist / 2;
    const node: TreeNode = {
      children: [
        { ...ci.node, length: Math.max(0, height - ci.height) },
        { ...cj.node, length: Math.max(0, height - cj.height) },
      ],
    };
    for (const k of active) {
      if (k === i || k === j) continue;
      const dk = (d[i]![k]! * ci.size + d[j]![k]! * cj.size) / (ci.size + cj.size);
      d[i]![k] = dk;
      d[k]![i] = dk;
    }
    clusters[i] = { node, size: ci.size + cj.size, height };
    active = active.filter((k) => k !== j);
  }
  return clusters[active[0]!]!.node;
}
