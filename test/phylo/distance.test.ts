import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceMatrix } from '../../src/phylo/distance.js';
import { formatMatrixTsv } from '../../src/phylo/matrix-tsv.js';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('cosine, euclidean and correlation distances on known vectors', () => {
  const profiles = [
    [1, 0, 0],
    [0, 1, 0],
    [2, 0, 0],
    [1, 1, 0],
    [3, 2, 1],
  ];
  const cosine = distanceMatrix(profiles, 'cosine');
  assert.ok(near(cosine[0]![1]!, 1), 'orthogonal');
  assert.ok(near(cosine[0]![2]!, 0), 'scale does not matter');
  assert.ok(near(cosine[0]![3]!, 1 - Math.SQRT1_2));
  const euclidean = distanceMatrix(profiles, 'euclidean');
  assert.ok(near(euclidean[0]![2]!, 1));
  assert.ok(near(euclidean[0]![1]!, Math.SQRT2));
  const correlation = distanceMatrix(profiles, 'correlation');
  // [1,0,0] and [3,2,1]: r = 0.866..., [1,0,0] and [2,0,0]: r = 1
  assert.ok(near(correlation[0]![4]!, 1 - Math.sqrt(3) / 2));
  assert.ok(near(correlation[0]![2]!, 0));
  for (const m of [cosine, euclidean, correlation]) {
    m.forEach((row, i) => row.forEach((d, j) => assert.equal(d, m[j]![i], 'symmetric')));
    m.forEach((row, i) => assert.equal(row[i], 0, 'zero diagonal'));
  }
  assert.equal(
    distanceMatrix(
      [
        [0, 0],
        [1, 0],
      ],
      'cosine',
    )[0]![1],
    1,
    'an empty profile is at distance 1, not NaN',
  );
});

test('the matrix TSV has a described header and one row per group', () => {
  const text = formatMatrixTsv(
    ['a', 'b'],
    distanceMatrix(
      [
        [1, 0],
        [1, 1],
      ],
      'cosine',
    ),
    'cosine distance of 2-mer frequencies',
  );
  assert.equal(text, 'cosine distance of 2-mer frequencies\ta\tb\na\t0\t0.29289322\nb\t0.29289322\t0\n');
});
