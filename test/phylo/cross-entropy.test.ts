import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { type GroupAdapter, crossBits, crossEntropyDistances, resampleWindows, shuffledWindows } from '../../src/phylo/cross-entropy.js';

/**
 * A toy "adapted model": after seeing a group's windows it prices a base it has seen at 1 bit and an unseen one
 * at 3 bits; the first base of a window predicts nothing and is not counted, as in a language model.
 */
function alphabetAdapter(adapted: string[][]): GroupAdapter {
  return {
    description: 'seen-base pricing',
    async adapt(windows) {
      adapted.push(windows);
      const seen = new Set(windows.join(''));
      return {
        score: async (scored) => ({
          bits: Float64Array.from(scored, (w) => [...w.slice(1)].reduce((sum, base) => sum + (seen.has(base) ? 1 : 3), 0)),
          positions: Uint32Array.from(scored, (w) => w.length - 1),
        }),
        dispose() {},
      };
    },
    dispose() {},
  };
}

test('the divergence is the symmetrised excess code length as a fraction of an unrelated sequence’s, hand-computed', async () => {
  const adapted: string[][] = [];
  const groups = [
    { name: 'a', windows: ['AAAA', 'AAC'] },
    { name: 'b', windows: ['AAGG'] },
    { name: 'c', windows: ['TTTT', 'AT'] },
  ];
  // Each group's "unrelated" windows hold a base that neither other group's model has seen: 3 bits a base there.
  const unrelated = [
    { name: 'a', windows: ['ACCCC'] },
    { name: 'b', windows: ['TGGG'] },
    { name: 'c', windows: ['ATTT'] },
  ];
  const table = await crossBits(groups, unrelated, alphabetAdapter(adapted));
  assert.deepEqual(
    adapted,
    groups.map((g) => g.windows),
    'one adaptation per group, on its own windows',
  );
  assert.deepEqual(
    table.positions.map((p) => Array.from(p)),
    [[3, 2], [3], [3, 1]],
  );
  assert.deepEqual(
    table.unrelatedPositions.map((p) => Array.from(p)),
    [[4], [3], [3]],
  );
  // a's model (A, C seen) prices b's AGG at 1+3+3 = 7 bits over 3 positions; b's own model 3 bits.
  assert.deepEqual(Array.from(table.bits[0]![1]!), [7]);
  assert.deepEqual(Array.from(table.unrelatedBits[0]![1]!), [9]);
  const d = crossEntropyDistances(table);
  // f(a→b) = (H(b|a) − H(b|b)) / (U(b|a) − H(b|b)) = (7/3 − 1) / (3 − 1) = 2/3; f(b→a): b knows A, G, not C:
  // H(a|b) = (3 + 1 + 3) / 5 = 7/5, so (7/5 − 1) / 2 = 1/5.
  assert.ok(Math.abs(d[0]![1]! - (2 / 3 + 1 / 5) / 2) < 1e-12, `d(a,b) = ${d[0]![1]}`);
  assert.equal(d[1]![0], d[0]![1], 'symmetric');
  // H(c|a): TTT (3 x 3) + T (3) over 4 = 3, all the way to unrelated; H(a|c): c knows T, A: 7/5, so 1/5.
  assert.ok(Math.abs(d[0]![2]! - (1 + 1 / 5) / 2) < 1e-12, `d(a,c) = ${d[0]![2]}`);
  assert.equal(d[2]![2], 0);
  // A replicate that keeps a's first window twice and drops the second: H(a|b) becomes 3/3 = 1, no excess.
  const picked = crossEntropyDistances(table, [[0, 0], [0], [0, 1]]);
  assert.ok(Math.abs(picked[0]![1]! - (2 / 3 + 0) / 2) < 1e-12, `picked d(a,b) = ${picked[0]![1]}`);
});

test('a group priced above the unrelated level is at most 1 away, and one its model prices no worse than noise is 1 away', async () => {
  const groups = [
    { name: 'a', windows: ['AAAA'] },
    { name: 'b', windows: ['CCCC'] },
    { name: 'c', windows: ['AAAC'] },
  ];
  // b's unrelated windows are cheap under a (A seen), cheaper than b itself: no span, the pair is unrelated.
  const unrelated = [
    { name: 'a', windows: ['GGGG'] },
    { name: 'b', windows: ['AAAA'] },
    { name: 'c', windows: ['GGGG'] },
  ];
  const d = crossEntropyDistances(await crossBits(groups, unrelated, alphabetAdapter([])));
  assert.equal(d[0]![1], 1);
  assert.ok(d.every((row) => row.every((x) => x >= 0 && x <= 1)));
});

test('shuffled windows keep each window’s residues and adjacent pairs, come from across the sample, and repeat for a seed', () => {
  const groups = [
    { name: 'a', windows: ['AACGTTTGACGGTCAATGCA', 'CCCCAAAA', 'GGGG', 'TTTTAC'] },
    { name: 'b', windows: ['ACGT'] },
  ];
  const shuffled = shuffledWindows(groups, new Random(3), 2);
  assert.deepEqual(
    shuffled.map((g) => g.windows.length),
    [2, 1],
  );
  // Windows 0 and 2 of group a: a sample is in position order, so the first two would be the start of the group only.
  const picked = [[0, 2], [0]];
  const sorted = (w: string) => [...w].sort().join('');
  const pairs = (w: string) => Array.from({ length: w.length - 1 }, (_, i) => w.slice(i, i + 2)).sort();
  shuffled.forEach((g, i) =>
    g.windows.forEach((w, j) => {
      const source = groups[i]!.windows[picked[i]![j]!]!;
      assert.equal(sorted(w), sorted(source));
      assert.deepEqual(pairs(w), pairs(source));
    }),
  );
  assert.deepEqual(shuffledWindows(groups, new Random(3), 2), shuffled);
  assert.notEqual(shuffled[0]!.windows[0], groups[0]!.windows[0], 'the order is gone');
});

test('bootstrap picks draw each group’s window count with replacement, reproducibly', async () => {
  const groups = [
    { name: 'a', windows: ['AC', 'AG', 'AT', 'CA'] },
    { name: 'b', windows: ['GG'] },
    { name: 'c', windows: ['TT', 'TA'] },
  ];
  const table = await crossBits(groups, shuffledWindows(groups, new Random(1)), alphabetAdapter([]));
  const pick = resampleWindows(table, new Random(5));
  assert.deepEqual(
    pick.map((p) => p.length),
    [4, 1, 2],
  );
  assert.ok(pick.every((p, g) => p.every((w) => w >= 0 && w < table.positions[g]!.length)));
  assert.deepEqual(resampleWindows(table, new Random(5)), pick);
});
