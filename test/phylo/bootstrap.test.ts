import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotateSupport } from '../../src/phylo/bootstrap.js';
import { formatNewick, parseNewick } from '../../src/phylo/newick.js';
import { buildPhylogeny, type GroupFeatures } from '../../src/phylo/pipeline.js';
import { Random } from '../../src/seq/random.js';

const tree = (text: string) => parseNewick(text, 't');

test('split support counts the replicates that contain each branch, wherever they are rooted', () => {
  const reference = tree('((A,B),(C,D),(E,F));');
  const replicates = [
    tree('((A,B),(C,D),(E,F));'),
    tree('(((B,A),(E,F)),(D,C));'), // same splits, rooted elsewhere
    tree('((A,C),(B,D),(E,F));'),
    tree('((A,B),C,D,(E,F));'),
  ];
  annotateSupport(reference, replicates, { rooted: false });
  assert.equal(formatNewick(reference), '((A,B)75,(C,D)50,(E,F)100);\n');
});

test('clade support for a rooted tree: the root split is no clade', () => {
  const reference = tree('(((A,B),C),D);');
  annotateSupport(reference, [tree('(((A,B),C),D);'), tree('((A,(B,C)),D);'), tree('(((A,B),D),C);')], { rooted: true });
  assert.equal(formatNewick(reference), '(((A,B)67,C)67,D);\n');
});

/** Two clear clusters, {a,b,c} and {x,y,z}, each window a noisy copy of its group's centre. */
function separated(windowsPerGroup: number, seed: number): GroupFeatures[] {
  const random = new Random(seed);
  const centres: Record<string, number[]> = {
    a: [1, 0, 0, 0.1],
    b: [1, 0.1, 0, 0],
    c: [0.9, 0, 0.1, 0],
    x: [0, 0, 1, 1],
    y: [0, 0.1, 1, 0.9],
    z: [0.1, 0, 0.9, 1],
  };
  return Object.entries(centres).map(([name, centre]) => {
    const windowVectors = Array.from({ length: windowsPerGroup }, () => Float32Array.from(centre, (v) => v + 0.02 * random.next()));
    const profile = new Float64Array(centre.length);
    for (const vector of windowVectors) vector.forEach((v, k) => (profile[k]! += v / windowsPerGroup));
    return { name, profile, windows: windowsPerGroup, windowVectors };
  });
}

test('a perfectly separated data set gets 100% bootstrap support on its clades, and the same tree without a bootstrap', () => {
  const features = separated(20, 5);
  const options = { distance: 'cosine' as const, method: 'nj' as const, seed: 3 };
  const plain = buildPhylogeny(features, { ...options, bootstrap: 0 });
  const supported = buildPhylogeny(features, { ...options, bootstrap: 50 });
  const withoutSupport = formatNewick(supported.tree).replace(/\)\d+/g, ')');
  assert.equal(withoutSupport, formatNewick(plain.tree), 'the bootstrap never changes the tree');
  // The unrooted split {a,b,c} | {x,y,z} is the one that must come back every time.
  const supports: number[] = [];
  const walk = (node: typeof supported.tree, below: string[]) => {
    if (node.support !== undefined) {
      const leaves = new Set(below);
      const side = ['a', 'b', 'c'].every((l) => leaves.has(l)) || ['x', 'y', 'z'].every((l) => leaves.has(l));
      if (leaves.size === 3 && side) supports.push(node.support);
    }
  };
  const collect = (node: typeof supported.tree): string[] => {
    const below = node.children.length === 0 ? [node.name!] : node.children.flatMap(collect);
    walk(node, below);
    return below;
  };
  collect(supported.tree);
  assert.ok(supports.length >= 1, formatNewick(supported.tree));
  assert.ok(
    supports.every((s) => s === 100),
    `cluster support ${supports.join(', ')}`,
  );
  const upgma = buildPhylogeny(features, { ...options, method: 'upgma', bootstrap: 50 });
  const clusters = upgma.tree.children.map((child) => child.support);
  assert.deepEqual(clusters, [100, 100], formatNewick(upgma.tree));
});
