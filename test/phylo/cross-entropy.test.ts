import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { type GroupAdapter, crossBits, crossEntropyDistances, resampleWindows } from '../../src/phylo/cross-entropy.js';

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

test('the divergence is the symmetrised excess code length over each group’s own, hand-computed', async () => {
  const adapted: string[][] = [];
  const groups = [
    { name: 'a', windows: ['AAAA', 'AAC'] },
    { name: 'b', windows: ['AAGG'] },
    { name: 'c', windows: ['TTTT', 'AT'] },
  ];
  const table = await crossBits(groups, alphabetAdapter(adapted));
  assert.deepEqual(
    adapted,
    groups.map((g) => g.windows),
    'one adaptation per group, on its own windows',
  );
  assert.deepEqual(
    table.positions.map((p) => Array.from(p)),
    [[3, 2], [3], [3, 1]],
  );
  // a's model (A, C seen) prices b's AGG at 1+3+3 = 7 bits over 3 positions; b's own model 3 bits.
  assert.deepEqual(Array.from(table.bits[0]![1]!), [7]);
  const d = crossEntropyDistances(table);
  // H(b|a) - H(b|b) = 7/3 - 1 = 4/3; H(a|b) - H(a|a): b knows A, G, not C: (3 + 1 + 3) / 5 - 1 = 2/5.
  assert.ok(Math.abs(d[0]![1]! - (4 / 3 + 2 / 5) / 2) < 1e-12, `d(a,b) = ${d[0]![1]}`);
  assert.equal(d[1]![0], d[0]![1], 'symmetric');
  // H(c|a): TTT (3 x 3) + T (3) over 4 = 3, minus 1; H(a|c): c knows T, A: AAA 3 + AC (1 + 3) = 7 over 5, minus 1.
  assert.ok(Math.abs(d[0]![2]! - (2 + 2 / 5) / 2) < 1e-12, `d(a,c) = ${d[0]![2]}`);
  assert.equal(d[2]![2], 0);
  // A replicate that keeps a's first window twice and drops the second: H(a|b) becomes 3/3 = 1, no excess.
  const picked = crossEntropyDistances(table, [[0, 0], [0], [0, 1]]);
  assert.ok(Math.abs(picked[0]![1]! - (4 / 3 + 0) / 2) < 1e-12, `picked d(a,b) = ${picked[0]![1]}`);
});

test('bootstrap picks draw each group’s window count with replacement, reproducibly', async () => {
  const table = await crossBits(
    [
      { name: 'a', windows: ['AC', 'AG', 'AT', 'CA'] },
      { name: 'b', windows: ['GG'] },
      { name: 'c', windows: ['TT', 'TA'] },
    ],
    alphabetAdapter([]),
  );
  const pick = resampleWindows(table, new Random(5));
  assert.deepEqual(
    pick.map((p) => p.length),
    [4, 1, 2],
  );
  assert.ok(pick.every((p, g) => p.every((w) => w >= 0 && w < table.positions[g]!.length)));
  assert.deepEqual(resampleWindows(table, new Random(5)), pick);
});
