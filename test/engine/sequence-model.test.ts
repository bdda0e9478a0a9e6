import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel, type ModelInfo } from '../../src/engine/sequence-model.js';
import { validateSpec } from '../../src/engine/checkpoint.js';
import { POOLINGS } from '../../src/engine/architecture.js';
import { packBatch } from '../../src/seq/batch.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { saveModel, loadModel, rewriteSpec } from '../../src/commands/shared/checkpoints.js';
import { tempDir, useCpuBackend } from '../helpers.js';
import { RnnseqError } from '../../src/errors.js';
import { readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

await useCpuBackend();
const core = new ReferenceCore();
const dna = getAlphabet('dna');

function info(overrides: Partial<ModelInfo['architecture']> = {}): ModelInfo {
  return {
    alphabet: 'dna',
    classes: ['a', 'b', 'c'],
    inputLength: null,
    architecture: {
      cell: 'lstm',
      inputSize: 4,
      hiddenSize: 5,
      layers: 2,
      bidirectional: true,
      dropout: 0.2,
      pool: 'mean',
      numClasses: 3,
      ...overrides,
    },
  };
}

const seqs = ['ACGTACGTTTGA', 'GGC', 'ATATATNNACG', 'TTTTTTTTTTTTTTTTTTTTT'];

for (const pool of POOLINGS) {
  test(`predictions do not depend on how much padding a batch carries (pool ${pool}, bidirectional, 2 layers)`, () => {
    const model = SequenceModel.create(info({ pool }), 3, core);
    const alone = seqs.map((s) => model.predict(packBatch([encodeSequence(s, dna, null)], 4)));
    const together = model.predict(
      packBatch(
        seqs.map((s) => encodeSequence(s, dna, null)),
        4,
      ),
    );
    seqs.forEach((_, i) => {
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(alone[i]![k]! - together[i * 3 + k]!) < 1e-5, `seq ${i} class ${k}`);
    });
    model.dispose();
  });
}

test('the same seed gives the same initial weights, another seed different ones', () => {
  const a = SequenceModel.create(info(), 42, core);
  const b = SequenceModel.create(info(), 42, core);
  const c = SequenceModel.create(info(), 43, core);
  assert.deepEqual(a.packWeights().data, b.packWeights().data);
  assert.notDeepEqual(a.packWeights().data, c.packWeights().data);
  [a, b, c].forEach((m) => m.dispose());
});

test('a checkpoint round trip gives identical predictions', async (t) => {
  const dir = tempDir(t);
  const model = SequenceModel.create(info({ cell: 'gru' }), 5, core);
  const batch = packBatch(
    seqs.map((s) => encodeSequence(s, dna, null)),
    4,
  );
  const before = model.predict(batch);
  await saveModel(join(dir, 'ckpt'), model, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' });
  const { model: loaded, spec } = await loadModel(join(dir, 'ckpt'), core);
  assert.equal(spec.architecture.cell, 'gru');
  assert.deepEqual(Array.from(loaded.predict(batch)), Array.from(before));
  model.dispose();
  loaded.dispose();
});

test("rewriteSpec (a scanner's threshold calibration) keeps every file of the checkpoint, validation predictions too", async (t) => {
  const dir = join(tempDir(t), 'best');
  const model = SequenceModel.create(info(), 5, core);
  const predictions = Buffer.from('label\tp_a\tp_b\na\t0.900000\t0.100000\n');
  await saveModel(dir, model, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' }, [
    { name: 'valid-predictions.tsv', data: predictions },
  ]);
  model.dispose();
  const weights = readFileSync(join(dir, 'weights.bin'));
  const spec = await rewriteSpec(dir, (s) => ({ ...s, data: { ...s.data, calibrated: true } }));
  assert.equal((spec.data as { calibrated?: boolean }).calibrated, true);
  assert.deepEqual(readdirSync(dir).sort(), ['rnnseq.json', 'valid-predictions.tsv', 'weights.bin']);
  assert.ok(readFileSync(join(dir, 'valid-predictions.tsv')).equals(predictions));
  assert.ok(readFileSync(join(dir, 'weights.bin')).equals(weights));
  const { model: loaded } = await loadModel(dir, core);
  loaded.dispose();
});

test('a corrupt weights file and a foreign format version are reported, not loaded', async (t) => {
  const dir = tempDir(t);
  const model = SequenceModel.create(info(), 5, core);
  await saveModel(join(dir, 'ckpt'), model, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' });
  model.dispose();
  const weights = join(dir, 'ckpt', 'weights.bin');
  const bytes = readFileSync(weights);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(weights, bytes);
  await assert.rejects(loadModel(join(dir, 'ckpt'), core), (e: unknown) => e instanceof RnnseqError && /corrupt/.test(e.message));
  const spec = JSON.parse(readFileSync(join(dir, 'ckpt', 'rnnseq.json'), 'utf8'));
  assert.throws(() => validateSpec({ ...spec, formatVersion: 99 }, 'x'), /format version 99.*upgrade rnnseq/);
  assert.throws(() => validateSpec({ hello: 1 }, 'x'), /not an rnnseq checkpoint/);
});

test('prediction does not leak tensors across batches', () => {
  const model = SequenceModel.create(info(), 1, core);
  const batch = packBatch(
    seqs.map((s) => encodeSequence(s, dna, null)),
    4,
  );
  model.predict(batch);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) model.predict(batch);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('the condition read at every step: a wider first kernel, predictions per condition, padding-independent, saved and reloaded', async (t) => {
  const conditioned = (conditionSteps: boolean) =>
    info({
      conditions: ['brain', 'liver', 'gut'],
      conditionTag: 'cell',
      ...(conditionSteps ? { conditionSteps } : {}),
      conv: { filters: 6, width: 3, pool: 2, dropout: 0, skip: true },
    });
  const items = (condition: number) => seqs.map((s) => ({ ...encodeSequence(s, dna, null), condition }));
  const steps = SequenceModel.create(conditioned(true), 8, core);
  const initialOnly = SequenceModel.create(conditioned(false), 8, core);
  assert.deepEqual(steps.params.get('rnn.0.fwd.kernel')!.shape, [6 + 3, 20]);
  assert.deepEqual(initialOnly.params.get('rnn.0.fwd.kernel')!.shape, [6, 20]);
  assert.deepEqual(steps.params.get('rnn.1.fwd.kernel')!.shape, [10, 20], 'deeper layers read the layer below only');

  const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-5);
  // Zero-initialised initial states: a fresh h0-only model cannot tell the conditions apart, a per-step one can.
  assert.ok(!differs(initialOnly.predict(packBatch(items(0), 4)), initialOnly.predict(packBatch(items(2), 4))));
  assert.ok(differs(steps.predict(packBatch(items(0), 4)), steps.predict(packBatch(items(2), 4))));

  const mixed = seqs.map((s, i) => ({ ...encodeSequence(s, dna, null), condition: i % 3 }));
  const together = steps.predict(packBatch(mixed, 4));
  mixed.forEach((item, i) => {
    const alone = steps.predict(packBatch([item], 4));
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(alone[k]! - together[i * 3 + k]!) < 1e-5, `seq ${i} class ${k}`);
  });

  const dir = tempDir(t);
  await saveModel(join(dir, 'ckpt'), steps, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' });
  const { model: loaded, spec } = await loadModel(join(dir, 'ckpt'), core);
  assert.equal(spec.architecture.conditionSteps, true);
  assert.deepEqual(Array.from(loaded.predict(packBatch(mixed, 4))), Array.from(together));
  [steps, initialOnly, loaded].forEach((m) => m.dispose());
});

test('the per-condition head term adds pooled x its condition block of head.condition.kernel to the shared logits', () => {
  const arch = info({ conditions: ['brain', 'liver'], conditionTag: 'cell', conditionHead: true, pool: 'max' });
  const model = SequenceModel.create(arch, 4, core);
  const delta = model.params.get('head.condition.kernel')!;
  assert.deepEqual(delta.shape, [2 * 10, 3]);
  const items = seqs.map((s, i) => ({ ...encodeSequence(s, dna, null), condition: i % 2 }));
  const batch = packBatch(items, 4);
  const plain = tf.tidy(() => model.run(batch).logits.arraySync() as number[][]);
  // Zero at the start: the shared head alone.
  const shared = SequenceModel.create(info({ conditions: ['brain', 'liver'], conditionTag: 'cell', pool: 'max' }), 4, core);
  assert.deepEqual(
    plain,
    tf.tidy(() => shared.run(batch).logits.arraySync() as number[][]),
  );

  delta.assign(tf.randomNormal(delta.shape, 0, 1, 'float32', 7));
  const { pooled, logits } = tf.tidy(() => {
    const result = model.run(batch);
    return { pooled: result.pooled!.arraySync() as number[][], logits: result.logits.arraySync() as number[][] };
  });
  const weights = delta.arraySync() as number[][];
  items.forEach((item, b) => {
    for (let k = 0; k < 3; k++) {
      let expected = plain[b]![k]!;
      pooled[b]!.forEach((v, j) => {
        expected += v * weights[item.condition! * 10 + j]![k]!;
      });
      assert.ok(Math.abs(logits[b]![k]! - expected) < 1e-4, `sequence ${b} class ${k}: ${logits[b]![k]} vs ${expected}`);
    }
  });
  [model, shared].forEach((m) => m.dispose());
});
