import { Random } from '../../src/seq/random.js';
import type { TreeNode } from '../../src/phylo/tree.js';

/**
 * A known phylogeny for tests: a random ancestor evolved down a tree under Jukes-Cantor-like substitution
 * (each branch substitutes each site with probability `length`), so the true topology is known exactly.
 */
export function evolve(tree: TreeNode, ancestorBp: number, seed: number): Map<string, string> {
  const random = new Random(seed);
  const bases = 'ACGT';
  let ancestor = '';
  for (let i = 0; i < ancestorBp; i++) ancestor += bases[random.int(4)];
  const leaves = new Map<string, string>();
  const stack: Array<{ node: TreeNode; sequence: string }> = [{ node: tree, sequence: ancestor }];
  while (stack.length > 0) {
    const { node, sequence } = stack.pop()!;
    const evolved = mutate(sequence, node.length ?? 0, random);
    if (node.children.length === 0) leaves.set(node.name!, evolved);
    // Reversed, so leaves come out left to right.
    for (let c = node.children.length - 1; c >= 0; c--) stack.push({ node: node.children[c]!, sequence: evolved });
  }
  return leaves;
}

function mutate(sequence: string, rate: number, random: Random): string {
  const out = sequence.split('');
  for (let i = 0; i < out.length; i++) {
    // A substitution always changes the base: one of the three others.
    if (random.next() < rate) out[i] = 'ACGT'.replace(out[i]!, '')[random.int(3)]!;
  }
  return out.join('');
}

export function toFasta(sequences: Map<string, string>, header: (name: string) => string = (name) => name): string {
  return [...sequences].map(([name, sequence]) => `>${header(name)}\n${sequence.replace(/(.{60})/g, '$1\n').trimEnd()}\n`).join('');
}

/** The 8-leaf tree the CLI test recovers: internal branches long enough to be resolved from k-mer profiles. */
export const EIGHT_LEAVES = '(((A:0.04,B:0.04):0.05,(C:0.04,D:0.04):0.05):0.05,((E:0.04,F:0.04):0.05,(G:0.04,H:0.04):0.05):0.05);';

/**
 * Like evolve, but every leaf has exactly the same base composition: the ancestor holds each base equally often,
 * and a substitution swaps the bases of two sites that differ (each swap changes two sites, so a branch of
 * length r still changes a fraction r of them). Composition, and so 1-mer profiles, cannot tell leaves apart.
 */
export function evolveBalanced(tree: TreeNode, ancestorBp: number, seed: number): Map<string, string> {
  const random = new Random(seed);
  const ancestor = random.shuffle(Array.from({ length: ancestorBp }, (_, i) => 'ACGT'[i % 4]!));
  const leaves = new Map<string, string>();
  const stack: Array<{ node: TreeNode; sequence: string[] }> = [{ node: tree, sequence: ancestor }];
  while (stack.length > 0) {
    const { node, sequence } = stack.pop()!;
    const evolved = [...sequence];
    const swaps = Math.round(((node.length ?? 0) * evolved.length) / 2);
    for (let s = 0; s < swaps; s++) {
      const i = random.int(evolved.length);
      let j = random.int(evolved.length);
      while (evolved[j] === evolved[i]) j = random.int(evolved.length);
      [evolved[i], evolved[j]] = [evolved[j]!, evolved[i]!];
    }
    if (node.children.length === 0) leaves.set(node.name!, evolved.join(''));
    for (let c = node.children.length - 1; c >= 0; c--) stack.push({ node: node.children[c]!, sequence: evolved });
  }
  return leaves;
}

/**
 * A long genome-like evolution where k-mer profiles mislead: the ancestor has a codon-like period-3 composition,
 * substitutions on the `atRich` lineages (and everything below them) land on A or T seven times in ten, so
 * unrelated AT-rich lineages look alike, and short insertions and deletions (at `indelRate` per substitution)
 * shift homologous positions apart. The topology is still known exactly.
 */
export function evolveGenome(
  tree: TreeNode,
  ancestorBp: number,
  seed: number,
  atRich: ReadonlySet<string>,
  indelRate = 0.05,
): Map<string, string> {
  const random = new Random(seed);
  const ancestor: string[] = [];
  for (let i = 0; i < ancestorBp; i++) {
    const gc = i % 3 === 2 ? 0.3 : 0.45;
    const r = random.next();
    ancestor.push(r < gc / 2 ? 'G' : r < gc ? 'C' : r < gc + (1 - gc) / 2 ? 'A' : 'T');
  }
  const leaves = new Map<string, string>();
  const walk = (node: TreeNode, sequence: string[], inheritedAt: boolean): void => {
    const at = inheritedAt || (node.name !== undefined && atRich.has(node.name));
    const evolved = mutateWithIndels(sequence, node.length ?? 0, at, indelRate, random);
    if (node.children.length === 0) leaves.set(node.name!, evolved.join(''));
    for (const child of node.children) walk(child, evolved, at);
  };
  walk(tree, ancestor, false);
  return leaves;
}

function mutateWithIndels(sequence: readonly string[], rate: number, atRich: boolean, indelRate: number, random: Random): string[] {
  const geometric = (): number => {
    let length = 1;
    while (random.next() < 0.67) length++;
    return length;
  };
  const out: string[] = [];
  for (let i = 0; i < sequence.length; i++) {
    let base = sequence[i]!;
    if (random.next() < rate) {
      const others = 'ACGT'.replace(base, '');
      const weak = others.replace(/[GC]/g, '');
      base = atRich && random.next() < 0.7 && weak.length > 0 ? weak[random.int(weak.length)]! : others[random.int(3)]!;
    }
    if (random.next() < rate * indelRate) {
      if (random.next() < 0.5) {
        i += geometric() - 1; // a deletion of this base and the next few
        continue;
      }
      out.push(base);
      for (let k = geometric(); k > 0; k--) out.push('ACGT'[random.int(4)]!);
      continue;
    }
    out.push(base);
  }
  return out;
}
