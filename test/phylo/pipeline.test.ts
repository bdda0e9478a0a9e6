import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowFeaturizer } from '../../src/phylo/features.js';
import { featurizeGroups } from '../../src/phylo/pipeline.js';

/** A featurizer whose vector is [window length, count of 'A'], recording the batch sizes it was given. */
function recordingFeaturizer(calls: number[]): WindowFeaturizer {
  return {
    description: 'length and A count',
    size: 2,
    async featurize(windows) {
      calls.push(windows.length);
      return windows.map((w) => Float32Array.of(w.length, [...w].filter((c) => c === 'A').length));
    },
    dispose() {},
  };
}

test('window features are batched across groups and averaged per group', async () => {
  const calls: number[] = [];
  const groups = [
    { name: 'one', windows: ['AAAA'] },
    { name: 'two', windows: ['AC', 'AAAAAC', 'CC'] },
    { name: 'three', windows: ['A', 'C', 'G', 'T', 'AA', 'CA'] },
  ];
  const progress: number[] = [];
  const features = await featurizeGroups(groups, recordingFeaturizer(calls), {
    keepWindowVectors: true,
    batchWindows: 4,
    onWindows: (done) => progress.push(done),
  });
  assert.deepEqual(calls, [4, 4, 2], 'full batches whatever the group sizes');
  assert.deepEqual(progress, [4, 8, 10]);
  assert.deepEqual(
    features.map((f) => [f.name, f.windows, Array.from(f.profile)]),
    [
      ['one', 1, [4, 4]],
      ['two', 3, [10 / 3, 2]],
      ['three', 6, [8 / 6, 4 / 6]],
    ],
  );
  assert.deepEqual(
    features[1]!.windowVectors!.map((v) => Array.from(v as Float32Array)),
    [
      [2, 1],
      [6, 5],
      [2, 0],
    ],
  );
  const lean = await featurizeGroups(groups, recordingFeaturizer([]), { keepWindowVectors: false, batchWindows: 100 });
  assert.equal(lean[0]!.windowVectors, undefined, 'window vectors are kept only for a bootstrap');
});

test('sparse window vectors give exactly the cosine and euclidean distances of their full vectors, bootstrap included', async () => {
  const { featurizeGroups: featurize, buildPhylogeny: build } = await import('../../src/phylo/pipeline.js');
  const { distanceMatrix } = await import('../../src/phylo/distance.js');
  // Codes 0..5; code 5 only in group c, code 4 only in b: private codes fold into one dimension per group.
  const table: Record<string, Array<[number, number]>> = {
    w1: [
      [0, 0.5],
      [1, 0.5],
    ],
    w2: [
      [1, 0.25],
      [2, 0.75],
    ],
    w3: [
      [0, 0.2],
      [4, 0.8],
    ],
    w4: [
      [2, 0.6],
      [3, 0.4],
    ],
    w5: [
      [3, 0.3],
      [5, 0.7],
    ],
  };
  const sparse: WindowFeaturizer = {
    description: 'codes',
    size: 6,
    featurize: async (windows) =>
      windows.map((w) => ({
        indices: Uint32Array.from(table[w]!.map(([i]) => i)),
        weights: Float32Array.from(table[w]!.map(([, v]) => v)),
      })),
    dispose() {},
  };
  const groups = [
    { name: 'a', windows: ['w1', 'w2'] },
    { name: 'b', windows: ['w3', 'w1'] },
    { name: 'c', windows: ['w4', 'w5'] },
  ];
  const features = await featurize(groups, sparse, { keepWindowVectors: true, batchWindows: 2 });
  const full = groups.map((g) => {
    const v = new Float64Array(6);
    for (const w of g.windows) for (const [i, x] of table[w]!) v[i]! += Math.fround(x) / g.windows.length;
    return v;
  });
  for (const distance of ['cosine', 'euclidean'] as const) {
    const expected = distanceMatrix(full, distance);
    const got = build(features, { distance, method: 'nj', bootstrap: 0, seed: 1 }).matrix;
    expected.forEach((row, i) =>
      row.forEach((d, j) => assert.ok(Math.abs(d - got[i]![j]!) < 1e-12, `${distance} ${i},${j}: ${d} vs ${got[i]![j]}`)),
    );
  }
  const withSupport = build(features, { distance: 'cosine', method: 'nj', bootstrap: 10, seed: 1 });
  assert.ok(withSupport.tree.children.length >= 2);
});
