import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bionj, neighbourJoining } from '../../src/phylo/nj.js';
import { Random } from '../../src/seq/random.js';
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

/** BIONJ written out from Gascuel (1997) as plainly as possible: the reference for bionj's topology. */
function plainBionj(labels: readonly string[], distances: readonly number[][]): TreeNode {
  const d = distances.map((row) => row.slice());
  const v = distances.map((row) => row.slice());
  let active = labels.map((_, i) => i);
  const nodes: TreeNode[] = labels.map((name) => ({ name, children: [] }));
  while (active.length > 3) {
    const n = active.length;
    const r = active.map((i) => active.reduce((sum, k) => sum + d[i]![k]!, 0));
    let best = { a: 0, b: 1, q: Infinity };
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) {
        const q = (n - 2) * d[active[a]!]![active[b]!]! - r[a]! - r[b]!;
        if (q < best.q) best = { a, b, q };
      }
    const [i, j] = [active[best.a]!, active[best.b]!];
    const bi = 0.5 * d[i]![j]! + (r[best.a]! - r[best.b]!) / (2 * (n - 2));
    const bj = d[i]![j]! - bi;
    let s = 0;
    for (const k of active) if (k !== i && k !== j) s += v[j]![k]! - v[i]![k]!;
    const lambda = Math.min(1, Math.max(0, 0.5 + s / (2 * (n - 2) * v[i]![j]!)));
    nodes[i] = { children: [nodes[i]!, nodes[j]!] };
    for (const k of active) {
      if (k === i || k === j) continue;
      d[i]![k] = d[k]![i] = lambda * (d[i]![k]! - bi) + (1 - lambda) * (d[j]![k]! - bj);
      v[i]![k] = v[k]![i] = lambda * v[i]![k]! + (1 - lambda) * v[j]![k]! - lambda * (1 - lambda) * v[i]![j]!;
    }
    active = active.filter((k) => k !== j);
  }
  return { children: active.map((k) => nodes[k]!) };
}

/** The truth's distances with noise whose spread grows with the distance (sd ∝ d), as saturating estimates have. */
function noisyDistances(truth: TreeNode, labels: readonly string[], random: Random, scale: number): number[][] {
  const paths = patristic(truth);
  const m = labels.map(() => labels.map(() => 0));
  for (let a = 0; a < labels.length; a++)
    for (let b = a + 1; b < labels.length; b++) {
      const true_ = paths.get(labels[a]!)!.get(labels[b]!)!;
      const gaussian = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      m[a]![b] = m[b]![a] = Math.max(0.001, true_ + scale * true_ * gaussian);
    }
  return m;
}

const DEEP =
  '((((a:0.05,b:0.9):0.1,(c:0.8,d:0.05):0.1):0.05,((e:0.05,f:0.7):0.1,g:0.6):0.05):0.1,((h:0.9,i:0.05):0.1,(j:0.05,k:0.8):0.1):0.05,l:0.5);';

test('BIONJ is exact on additive distances, with the branch lengths NJ gives', () => {
  const tree = bionj(names, textbook);
  assert.equal(robinsonFoulds(parseNewick('((a:2,b:3):3,c:4,(d:2,e:1):2);', 'expected'), tree).rf, 0);
  assert.deepEqual(leafLengths(tree), { a: 2, b: 3, c: 4, d: 2, e: 1 });
  const truth = parseNewick(DEEP, 'truth');
  const labels = ['l', 'c', 'h', 'a', 'k', 'f', 'b', 'i', 'e', 'd', 'j', 'g'];
  const paths = patristic(truth);
  const got = patristic(
    bionj(
      labels,
      labels.map((x) => labels.map((y) => paths.get(x)!.get(y)!)),
    ),
  );
  for (const x of labels) for (const y of labels) assert.ok(Math.abs(got.get(x)!.get(y)! - paths.get(x)!.get(y)!) < 1e-9, `${x}-${y}`);
});

test('BIONJ matches a plain transcription of Gascuel (1997) on noisy distances, and beats NJ where long ones are noisy', () => {
  const truth = parseNewick(DEEP, 'truth');
  const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
  const random = new Random(3);
  let [njErrors, bionjErrors, differ] = [0, 0, 0];
  for (let rep = 0; rep < 300; rep++) {
    const m = noisyDistances(truth, labels, random, 0.05);
    const weighted = bionj(labels, m);
    assert.equal(robinsonFoulds(plainBionj(labels, m), weighted).rf, 0, `replicate ${rep}`);
    const plain = neighbourJoining(labels, m);
    njErrors += robinsonFoulds(truth, plain).rf;
    bionjErrors += robinsonFoulds(truth, weighted).rf;
    if (robinsonFoulds(plain, weighted).rf > 0) differ++;
  }
  // Not a law: with noise whose sd is 0.1·√d, NJ did better on this tree (summed RF 1,230 against 1,416).
  assert.ok(differ > 20, `the two differ on ${differ} of 300 replicates`);
  assert.ok(bionjErrors < njErrors, `RF summed over replicates: BIONJ ${bionjErrors}, NJ ${njErrors}`);
});
