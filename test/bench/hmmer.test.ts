/**
 * The HMMER peer of the quality bench (bench/quality/hmmer.ts): the best bit score per class from phmmer's table,
 * and, where phmmer is installed, a tiny generated family point it must classify well above chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_HIT_BITS, bestPerClass, findPhmmer, parseTblout, runHmmer } from '../../bench/quality/hmmer.js';
import type { PointMeta } from '../../bench/quality/point.js';
import { drawFamilies, familyMembers } from '../../bench/quality/protein-families.js';
import type { BenchRecord } from '../../bench/quality/records.js';
import { Random } from '../../src/seq/random.js';
import { tempDir } from '../helpers.js';
import { needTool } from '../system-tools.js';

const TBLOUT = `#                                                               --- full sequence ---- --- best 1 domain ---- --- domain number estimation ----
# target name        accession  query name           accession    E-value  score  bias   E-value  score  bias   exp reg clu  ov env dom rep inc description of target
#------------------- ---------- -------------------- ---------- --------- ------ ----- --------- ------ -----   --- --- --- --- --- --- --- --- ---------------------
r1                   -          q0                   -            1.2e-40  130.5   0.1   1.4e-40  130.3   0.1   1.0   1   0   0   1   1   1   1 -
r0                   -          q0                   -            3.1e-20   62.0   0.2   3.5e-20   61.8   0.2   1.0   1   0   0   1   1   1   1 -
r2                   -          q0                   -            2.0e-05   12.5   0.0   2.2e-05   12.3   0.0   1.0   1   0   0   1   1   1   1 -
r2                   -          q1                   -              0.004    5.0   0.0     0.005    4.8   0.0   1.0   1   0   0   1   1   1   1 -
#
# Program:         phmmer
`;

test('best bit score per class: the best of each class, no reported hit scores NO_HIT_BITS', () => {
  const hits = parseTblout(TBLOUT);
  assert.deepEqual(hits[0], { target: 1, query: 0, bits: 130.5 });
  const train: BenchRecord[] = [
    { sequence: 'A', label: 'a' },
    { sequence: 'A', label: 'a' },
    { sequence: 'A', label: 'b' },
  ];
  const testRecords: BenchRecord[] = [1, 2, 3].map(() => ({ sequence: 'A', label: 'a' }));
  assert.deepEqual(bestPerClass(hits, train, testRecords, ['a', 'b']), [
    [130.5, 12.5],
    [NO_HIT_BITS, 5],
    [NO_HIT_BITS, NO_HIT_BITS],
  ]);
});

function tinyPoint(families: number, perFamily: number, seed: number) {
  const drawn = drawFamilies(families, new Random(seed));
  return { train: familyMembers(drawn, perFamily, new Random(seed + 1)), test: familyMembers(drawn, perFamily, new Random(seed + 2)) };
}

function metaOf(train: BenchRecord[], testRecords: BenchRecord[], metric: 'accuracy' | 'auroc'): PointMeta {
  return {
    task: 'tiny-families',
    size: train.length,
    full: true,
    seed: 1,
    alphabet: 'protein',
    metric,
    ...(metric === 'auroc' ? { positive: 'fam00' } : {}),
    fixedLength: null,
    rdp: false,
    trainCount: train.length,
    testCount: testRecords.length,
  };
}

test('phmmer nearest neighbour classifies 3 generated families far above chance', async (t) => {
  const phmmer = findPhmmer();
  if (!needTool(t, 'hmmer', phmmer !== undefined)) return;
  const { train, test: held } = tinyPoint(3, 6, 11);
  const result = await runHmmer(phmmer!, metaOf(train, held, 'accuracy'), train, held, tempDir(t, 'rnnseq-hmmer-'));
  assert.equal(result.status, 'ok', result.detail);
  t.diagnostic(`accuracy ${result.metric} (chance 1/3); ${result.detail}; search ${result.predictSeconds!.toFixed(2)} s`);
  assert.ok(result.metric! >= 0.8, `accuracy ${result.metric}`);
  assert.ok(result.predictSeconds! > 0);
});

test('phmmer nearest neighbour ranks a binary family task by the margin of the positive class', async (t) => {
  const phmmer = findPhmmer();
  if (!needTool(t, 'hmmer', phmmer !== undefined)) return;
  const { train, test: held } = tinyPoint(2, 6, 21);
  const result = await runHmmer(phmmer!, metaOf(train, held, 'auroc'), train, held, tempDir(t, 'rnnseq-hmmer-'));
  assert.equal(result.status, 'ok', result.detail);
  t.diagnostic(`AUROC ${result.metric}; ${result.detail}`);
  assert.ok(result.metric! >= 0.8, `AUROC ${result.metric}`);
});
