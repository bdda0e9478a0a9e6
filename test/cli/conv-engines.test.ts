import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeStatus } from '../../src/engine/native-addon.js';
import { plantedMotifFasta } from '../motif-data.js';
import { runCli, tempDir } from '../helpers.js';

const status = nativeStatus();
const skip = status.available ? false : `native kernels unavailable: ${status.reason}`;

/** Probability columns of classify's TSV, row by row. */
function probabilities(tsv: string): number[][] {
  return tsv
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t').slice(2).map(Number));
}

test('a --conv model trained on the native kernels saves the checkpoint the reference saves, and both engines read it alike', {
  skip,
}, async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  // Lengths 45 with pool 4: the last pooled window is short.
  writeFileSync(data, plantedMotifFasta(64, 45, 8).fasta);
  const common = ['--conv', '--conv-filters', '20', '--conv-width', '6', '--conv-pool', '4', '--bidirectional', '--hidden', '8'];
  const train = (name: string, env: Record<string, string>) =>
    runCli(['train', '-o', join(dir, name), ...common, '--pool', 'max', '--epochs', '2', '--seed', '3', '-q', data], { env });
  const native = await train('native', {});
  assert.equal(native.code, 0, native.stderr);
  const reference = await train('reference', { RNNSEQ_ENGINE: 'ref' });
  assert.equal(reference.code, 0, reference.stderr);

  const spec = (name: string) => JSON.parse(readFileSync(join(dir, name, 'best', 'rnnseq.json'), 'utf8'));
  const tensors = (name: string) => spec(name).weights.tensors.map((w: { name: string; shape: number[] }) => [w.name, w.shape]);
  assert.deepEqual(tensors('native'), tensors('reference'));
  assert.deepEqual(spec('native').architecture, spec('reference').architecture);
  assert.ok(tensors('native').some(([name]: [string]) => name === 'conv.kernel'));

  const classify = async (env: Record<string, string>) => {
    const r = await runCli(['classify', '-q', '-m', join(dir, 'native', 'best'), data], { env });
    assert.equal(r.code, 0, r.stderr);
    return probabilities(r.stdout);
  };
  const byNative = await classify({});
  const byReference = await classify({ RNNSEQ_ENGINE: 'ref' });
  assert.equal(byNative.length, 64);
  byNative.forEach((row, i) =>
    row.forEach((p, j) => assert.ok(Math.abs(p - byReference[i]![j]!) < 1e-4, `row ${i}: ${p} vs ${byReference[i]![j]}`)),
  );
});
