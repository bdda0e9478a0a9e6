import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNewick } from '../../src/phylo/newick.js';
import { upgma } from '../../src/phylo/upgma.js';
import type { TreeNode } from '../../src/phylo/tree.js';
import { patristic } from './tree-helpers.js';

// The worked example of the Wikipedia "UPGMA" article: 5S ribosomal RNA of Bacillus subtilis (a),
// Bacillus stearothermophilus (b), Lactobacillus viridescens (c), Acholeplasma modicum (d), Micrococcus luteus (e).
const names = ['a', 'b', 'c', 'd', 'e'];
const fiveS = [
  [0, 17, 21, 31, 23],
  [17, 0, 30, 34, 21],
  [21, 30, 0, 28, 39],
  [31, 34, 28, 0, 43],
  [23, 21, 39, 43, 0],
];

function rootToLeaf(tree: TreeNode): number[] {
  const out: number[] = [];
  const walk = (node: TreeNode, depth: number) => {
    if (node.children.length === 0) out.push(depth);
    for (const child of node.children) walk(child, depth + child.length!);
  };
  walk(tree, 0);
  return out;
}

test('UPGMA gives the textbook 5S rRNA tree with its heights', () => {
  const tree = upgma(names, fiveS);
  assert.equal(formatNewick(tree), '(((a:8.5,b:8.5):2.5,e:11):5.5,(c:14,d:14):2.5);\n');
  assert.deepEqual(rootToLeaf(tree), [16.5, 16.5, 16.5, 16.5, 16.5], 'ultrametric: every leaf at the root height');
});

test('UPGMA reproduces an ultrametric matrix exactly', () => {
  const truth = ['((w:1,x:1):2,(y:2,z:2):1);'];
  const matrix = [
    [0, 2, 6, 6],
    [2, 0, 6, 6],
    [6, 6, 0, 4],
    [6, 6, 4, 0],
  ];
  const tree = upgma(['w', 'x', 'y', 'z'], matrix);
  assert.equal(formatNewick(tree).trim(), truth[0]);
  const paths = patristic(tree);
  assert.equal(paths.get('w')!.get('z'), 6);
});
