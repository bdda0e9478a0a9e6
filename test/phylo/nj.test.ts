import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neighbourJoining } from '../../src/phylo/nj.js';
import { parseNewick } from '../../src/phylo/newick.js';
import { robinsonFoulds } from '../../src/phylo/rf.js';
import type { TreeNode } from '../../src/phylo/tree.js';
import { leafLengths, patristic } from './tree-helpers.js';

// The worked example of the Wikipedia "Neighbor joining" article (after Saitou & Nei 1987): additive, so NJ
// must return the generating tree exactly.
const names = ['a', 'b', 'c', 'd', 'e'];
const textbook = [
  [0, 5, 9, 9, 8],
  [5, 0, 10, 10, 9],
  [9, 10, 0, 8, 7],
  [9, 10, 8, 0, 3],
  [8, 9, 7, 3, 0],
];

function internalLengths(tree: TreeNode): number[] {
  const out: number[] = [];
  const walk = (node: TreeNode, root: boolean) => {
    if (!root && node.children.length > 0) out.push(node.length!);
    node.children.forEach((child) => walk(child, false));
  };
  walk(tree, true);
  return out.sort((x, y) => x - y);
}

test('neighbour joining recovers the textbook 5-taxon tree with its branch lengths', () => {
  const tree = neighbourJoining(names, textbook);
  const expected = parseNewick('((a:2,b:3):3,c:4,(d:2,e:1):2);', 'expected');
  assert.equal(robinsonFoulds(expected, tree).rf, 0);
  assert.deepEqual(leafLengths(tree), { a: 2, b: 3, c: 4, d: 2, e: 1 });
  assert.deepEqual(internalLengths(tree), [2, 3]);
  assert.equal(tree.children.length, 3, 'rooted at the node that joins the last three');
  const paths = patristic(tree);
  names.forEach((x, i) => names.forEach((y, j) => assert.ok(Math.abs(paths.get(x)!.get(y)! - textbook[i]![j]!) < 1e-12, `${x}-${y}`)));
});

test('neighbour joining is exact on a random additive tree and does not depend on input order', () => {
  const truth = parseNewick('(((t1:0.3,t2:0.1):0.2,(t3:0.05,t4:0.4):0.15):0.1,(t5:0.2,(t6:0.1,t7:0.6):0.3):0.05,t8:0.25);', 'truth');
  const paths = patristic(truth);
  const order = ['t5', 't1', 't8', 't3', 't7', 't2', 't6', 't4'];
  const matrix = order.map((x) => order.map((y) => paths.get(x)!.get(y)!));
  const tree = neighbourJoining(order, matrix);
  assert.equal(robinsonFoulds(truth, tree).rf, 0);
  const got = patristic(tree);
  for (const x of order) for (const y of order) assert.ok(Math.abs(got.get(x)!.get(y)! - paths.get(x)!.get(y)!) < 1e-9);
});

test('negative branch lengths are clamped to 0 and the pair keeps its distance', () => {
  // Far from additive: the NJ formula gives p 4 and q -3 on a pair only 1 apart. Q ties between (p,q) and
  // (r,s); the first pair in input order is joined.
  const tree = neighbourJoining(
    ['p', 'q', 'r', 's'],
    [
      [0, 1, 9, 9],
      [1, 0, 2, 2],
      [9, 2, 0, 1],
      [9, 2, 1, 0],
    ],
  );
  const lengths: number[] = [];
  const walk = (node: TreeNode) => {
    if (node.length !== undefined) lengths.push(node.length);
    node.children.forEach(walk);
  };
  walk(tree);
  assert.ok(
    lengths.every((l) => l >= 0),
    `all lengths >= 0: ${lengths.join(', ')}`,
  );
  assert.deepEqual(
    tree.children[0]!.children.map((c) => [c.name, c.length]),
    [
      ['p', 1],
      ['q', 0],
    ],
  );
  assert.equal(patristic(tree).get('p')!.get('q'), 1);
});

test('neighbour joining handles 2 and 3 taxa and rejects a malformed matrix', () => {
  const two = neighbourJoining(
    ['x', 'y'],
    [
      [0, 4],
      [4, 0],
    ],
  );
  assert.deepEqual(
    two.children.map((c) => [c.name, c.length]),
    [
      ['x', 2],
      ['y', 2],
    ],
  );
  const three = neighbourJoining(
    ['x', 'y', 'z'],
    [
      [0, 3, 4],
      [3, 0, 5],
      [4, 5, 0],
    ],
  );
  assert.deepEqual(
    three.children.map((c) => [c.name, c.length]),
    [
      ['x', 1],
      ['y', 2],
      ['z', 3],
    ],
  );
  assert.throws(() => neighbourJoining(['x', 'y'], [[0, 1]]), /2 names but 1 matrix rows/);
  assert.throws(
    () =>
      neighbourJoining(
        ['x', 'y'],
        [
          [0, NaN],
          [NaN, 0],
        ],
      ),
    /not a finite number/,
  );
});
