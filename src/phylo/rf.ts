import { EXIT_DATA, RnnseqError } from '../errors.js';
import { leafNamesOf, splitIndex, splitSet } from './splits.js';
import type { TreeNode } from './tree.js';

export interface RobinsonFoulds {
  /** splits in one tree but not the other, counted both ways */
  rf: number;
  /** 2(n-3): the RF of two fully resolved unrooted trees that share no split */
  maxRf: number;
  /** rf / maxRf (0 when n < 4: such trees have no informative split) */
  normalised: number;
  leaves: number;
}

/**
 * Unrooted Robinson-Foulds distance (Robinson & Foulds 1981) between two trees on the same leaves, as ape's
 * dist.topo and RAxML compute it: where each tree is rooted is ignored. `names` label the two trees in errors.
 */
export function robinsonFoulds(a: TreeNode, b: TreeNode, names: [string, string] = ['first tree', 'second tree']): RobinsonFoulds {
  const leavesA = uniqueLeaves(a, names[0]);
  const leavesB = uniqueLeaves(b, names[1]);
  const onlyA = [...leavesA].filter((name) => !leavesB.has(name));
  const onlyB = [...leavesB].filter((name) => !leavesA.has(name));
  if (onlyA.length > 0 || onlyB.length > 0) {
    const parts = [];
    if (onlyA.length > 0) parts.push(`only in ${names[0]}: ${listSome(onlyA)}`);
    if (onlyB.length > 0) parts.push(`only in ${names[1]}: ${listSome(onlyB)}`);
    throw new RnnseqError(`the trees have different leaves (${parts.join('; ')})`, EXIT_DATA);
  }
  const index = splitIndex([...leavesA], false);
  const splitsA = splitSet(a, index);
  const splitsB = splitSet(b, index);
  let rf = 0;
  for (const key of splitsA) if (!splitsB.has(key)) rf++;
  for (const key of splitsB) if (!splitsA.has(key)) rf++;
  const n = leavesA.size;
  const maxRf = Math.max(0, 2 * (n - 3));
  return { rf, maxRf, normalised: maxRf === 0 ? 0 : rf / maxRf, leaves: n };
}

function uniqueLeaves(tree: TreeNode, what: string): Set<string> {
  const names = leafNamesOf(tree);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new RnnseqError(`${what}: leaf '${name}' appears more than once`, EXIT_DATA);
    seen.add(name);
  }
  return seen;
}

function listSome(names: string[]): string {
  const shown = names
    .slice(0, 10)
    .map((name) => `'${name}'`)
    .join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}
