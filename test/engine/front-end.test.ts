import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
// These tests take gradients through tfjs autodiff, which needs the gradient registry (src/engine/gradients.ts).
import '../../src/engine/gradients.js';
import type { Architecture, Pooling } from '../../src/engine/architecture.js';
import { validateSpec } from '../../src/engine/checkpoint.js';
import type { RecurrentCore } from '../../src/engine/core.js';
import { Embedder } from '../../src/engine/embedding.js';
import { applyFrontEnd } from '../../src/engine/front-end.js';
import { forward } from '../../src/engine/model.js';
import { nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel, batchTensors, type ModelInfo } from '../../src/engine/sequence-model.js';
import { RnnseqError } from '../../src/errors.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { packBatch } from '../../src/seq/batch.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { saveModel, loadModel } from '../../src/commands/shared/checkpoints.js';
import { tempDir, useCpuBackend } from '../helpers.js';
import { join } from 'node:path';

await useCpuBackend();
const reference = new ReferenceCore();
const status = nativeStatus();
const skipNative = status.available ? false : `native kernels unavailable: ${status.reason}`;
const dna = getAlphabet('dna');

function info(overrides: Partial<Architecture> = {}): ModelInfo {
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
      pool: 'max',
      numClasses: 3,
      conv: { filters: 6, width: 5, pool: 3, dropout: 0.2 },
      ...overrides,
    },
  };
}

// Lengths that end mid pooled window, exactly on one, and shorter than one.
const seqs = ['ACGTACGTTTGAC', 'GG', 'ATATATNNACGT', 'TTTTTTTTTTTTTTTTTTTTTAC', 'CAGTTGACGCAAG'];
const items = () => seqs.map((s) => encodeSequence(s, dna, null));

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tolerance, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

const variants: Array<{ label: string; arch: Partial<Architecture> }> = [
  { label: 'conv width 5 pool 3', arch: {} },
  { label: 'conv width 4 (even) pool 4', arch: { conv: { filters: 6, width: 4, pool: 4, dropout: 0 } } },
  { label: 'conv pool 1', arch: { conv: { filters: 6, width: 3, pool: 1, dropout: 0 } } },
  { label: 'embedding then conv', arch: { embedDim: 3 } },
  { label: 'embedding alone', arch: { embedDim: 3, conv: undefined } },
  { label: 'position bias and skip', arch: { conv: { filters: 6, width: 5, pool: 3, dropout: 0, positions: 30, skip: true } } },
];
const pools: Pooling[] = ['last', 'mean', 'max', 'attention'];

for (const { label, arch } of variants) {
  for (const pool of pools) {
    test(`predictions do not depend on how much padding a batch carries (${label}, pool ${pool}, bidirectional, 2 layers)`, () => {
      const model = SequenceModel.create(info({ ...arch, pool }), 3, reference);
      const alone = items().map((item) => model.predict(packBatch([item], 4)));
      const together = model.predict(packBatch(items(), 4));
      alone.forEach((row, i) => assertClose(together.subarray(i * 3, i * 3 + 3), row, 1e-5, `seq ${i}`));
      model.dispose();
    });
  }
}

test('the convolution is a plain 1-d convolution with same padding, ReLU and max-pool, checked by hand', () => {
  // One channel in, one filter of width 3 ([1, 2, -1]), bias 0.5, pool 2, over x = [1, 0, 3, -2, 1].
  const arch: Architecture = {
    cell: 'rnn',
    inputSize: 1,
    hiddenSize: 1,
    layers: 1,
    bidirectional: false,
    dropout: 0,
    pool: 'max',
    numClasses: 2,
    conv: { filters: 1, width: 3, pool: 2, dropout: 0 },
  };
  const params: Record<string, tf.Tensor> = { 'conv.kernel': tf.tensor2d([1, 2, -1], [3, 1]), 'conv.bias': tf.tensor1d([0.5]) };
  const x = [1, 0, 3, -2, 1];
  const conv = x.map((_, t) => Math.max(0, (x[t - 1] ?? 0) * 1 + x[t]! * 2 + (x[t + 1] ?? 0) * -1 + 0.5));
  const want = [Math.max(conv[0]!, conv[1]!), Math.max(conv[2]!, conv[3]!), conv[4]!];
  const got = tf.tidy(() =>
    applyFrontEnd(
      arch,
      (n) => params[n]!,
      tf.tensor3d(x, [1, 5, 1]),
      undefined,
      (t) => t,
    ).x.dataSync(),
  );
  assertClose(got, want, 1e-6, 'pooled');
  tf.dispose(Object.values(params));
});

test('a pooled step is real if any of its positions is: the pooled mask', () => {
  const arch = info().architecture;
  const model = SequenceModel.create(info(), 1, reference);
  const { mask } = tf.tidy(() => {
    const { x, mask: m } = batchTensors(packBatch(items(), 4));
    const r = forward(arch, model.params, x, m, { core: reference, training: false });
    return { mask: Array.from(r.mask!.dataSync()) };
  });
  // 23 steps -> 8 pooled; lengths 13, 2, 12, 23, 13 -> 5, 1, 4, 8, 5 real pooled steps.
  const real = [5, 1, 4, 8, 5];
  real.forEach((n, row) =>
    assert.deepEqual(
      mask.slice(row * 8, row * 8 + 8),
      Array.from({ length: 8 }, (_, t) => (t < n ? 1 : 0)),
    ),
  );
  model.dispose();
});

/** Loss of a fixed batch through the whole model, with every parameter as an explicit input. */
function lossFunction(model: SequenceModel, core: RecurrentCore, differentiable = true) {
  const batch = packBatch(items(), 4);
  const labels = [0, 2, 1, 1, 0];
  const names = [...model.params.keys()];
  const fn = (...values: tf.Tensor[]) => {
    const params = new Map(names.map((n, i) => [n, values[i]! as tf.Variable]));
    const { x, mask } = batchTensors(batch);
    const { logits } = forward(model.info.architecture, params, x, mask, { core, training: false, differentiable });
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), logits) as tf.Scalar;
  };
  return { names, fn };
}

test('gradients of the front-end and attention pooling match finite differences', () => {
  const arch: Partial<Architecture> = {
    embedDim: 3,
    pool: 'attention',
    dropout: 0,
    conv: { filters: 4, width: 3, pool: 2, dropout: 0, positions: 24, skip: true },
  };
  const model = SequenceModel.create(info({ ...arch, layers: 1, cell: 'gru' }), 11, reference);
  const { names, fn } = lossFunction(model, reference);
  const values = names.map((n) => model.params.get(n)!);
  const grads = tf.tidy(() =>
    tf
      .grads(fn)(values)
      .map((g) => g.dataSync().slice()),
  );
  // Central differences on a float32 model: a step large enough to rise above rounding, small enough not to
  // cross a ReLU or max-pool kink at the points checked.
  const eps = 2e-3;
  for (const name of [
    'embed.kernel',
    'conv.kernel',
    'conv.bias',
    'conv.position',
    'head.kernel',
    'attention.kernel',
    'attention.vector',
    'rnn.0.fwd.kernel',
  ]) {
    const i = names.indexOf(name);
    const base = values[i]!.dataSync().slice();
    for (const k of [0, Math.floor(base.length / 2), base.length - 1]) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const changed = base.slice();
          changed[k] = changed[k]! + delta;
          const replaced = values.map((v, j) => (j === i ? tf.tensor(changed, v.shape) : v));
          return fn(...replaced).dataSync()[0]!;
        });
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const analytic = grads[i]![k]!;
      assert.ok(
        Math.abs(numeric - analytic) <= 2e-3 + 0.02 * Math.abs(numeric),
        `${name}[${k}]: autodiff ${analytic} vs finite differences ${numeric}`,
      );
    }
  }
  model.dispose();
});

test('training, where the one-hot input needs no gradient, gets the same weight gradients as the saliency path', () => {
  const model = SequenceModel.create(info({ dropout: 0, conv: { filters: 4, width: 5, pool: 2, dropout: 0 } }), 13, reference);
  const values = [...model.params.values()];
  const gradients = (differentiable: boolean) =>
    tf.tidy(() =>
      tf
        .grads(lossFunction(model, reference, differentiable).fn)(values)
        .map((g) => g.dataSync().slice()),
    );
  const plain = gradients(false);
  gradients(true).forEach((g, i) => assert.deepEqual(plain[i], g, `gradient ${i}`));
  model.dispose();
});

test('a conv model trains the same with the native core as with the reference: loss and every gradient', { skip: skipNative }, () => {
  const model = SequenceModel.create(
    info({ embedDim: 3, pool: 'attention', dropout: 0, conv: { filters: 8, width: 5, pool: 3, dropout: 0, positions: 24, skip: true } }),
    5,
    reference,
  );
  const values = [...model.params.values()];
  const result = (core: RecurrentCore) => {
    let loss = NaN;
    const grads = new Map<string, Float32Array>();
    tf.tidy(() => {
      const { names, fn } = lossFunction(model, core);
      const { value, grads: g } = tf.valueAndGrads(fn)(values);
      loss = value.dataSync()[0]!;
      names.forEach((n, i) => grads.set(n, g[i]!.dataSync().slice() as Float32Array));
    });
    return { loss, grads };
  };
  const want = result(reference);
  const got = result(new NativeCore());
  assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `loss ${got.loss} vs ${want.loss}`);
  for (const [name, g] of want.grads) {
    const scale = Math.max(1, ...Array.from(g, Math.abs));
    assertClose(
      got.grads.get(name)!.map((v) => v / scale),
      g.map((v) => v / scale),
      1e-4,
      name,
    );
  }
  model.dispose();
});

test('a conv model trains on the wasm backend, which has no Conv2DBackpropFilter, and matches the cpu backend', async () => {
  const model = SequenceModel.create(info({ dropout: 0, conv: { filters: 4, width: 5, pool: 2, dropout: 0 } }), 9, reference);
  const values = [...model.params.values()];
  const gradients = () =>
    tf.tidy(() => {
      const { fn } = lossFunction(model, reference);
      const fresh = values.map((v) => tf.tensor(v.dataSync(), v.shape)); // on the current backend
      return tf
        .grads(fn)(fresh)
        .map((g) => g.dataSync().slice());
    });
  const onCpu = gradients();
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  try {
    const onWasm = gradients();
    onCpu.forEach((g, i) => assertClose(onWasm[i]!, g, 1e-4, `gradient ${i}`));
  } finally {
    await useCpuBackend();
  }
  model.dispose();
});

test('a checkpoint round trip keeps the front-end and attention pooling, with identical predictions', async (t) => {
  const dir = join(tempDir(t), 'ckpt');
  const model = SequenceModel.create(info({ embedDim: 3, pool: 'attention' }), 5, reference);
  const batch = packBatch(items(), 4);
  const before = model.predict(batch);
  await saveModel(dir, model, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' });
  const { model: loaded, spec } = await loadModel(dir, reference);
  assert.deepEqual(spec.architecture.conv, { filters: 6, width: 5, pool: 3, dropout: 0.2 });
  assert.equal(spec.architecture.embedDim, 3);
  assert.deepEqual(Array.from(loaded.predict(batch)), Array.from(before));
  model.dispose();
  loaded.dispose();
});

test('models without the new options draw the same initial weights as before they existed', () => {
  // Front-end and attention parameters come after the head, so the recurrent and head weights of a plain model
  // are what the same seed always gave; the conv model's recurrent input differs in width, the attention's not.
  const plain = SequenceModel.create(info({ conv: undefined, pool: 'mean' }), 7, reference);
  const attention = SequenceModel.create(info({ conv: undefined, pool: 'attention' }), 7, reference);
  for (const [name, value] of plain.params) assert.deepEqual(attention.params.get(name)!.dataSync(), value.dataSync(), name);
  plain.dispose();
  attention.dispose();
});

test('a checkpoint refuses a pooling front-end on a tagger and any front-end on a language model', () => {
  const spec = (arch: Partial<Architecture>) => ({
    format: 'rnnseq-checkpoint',
    formatVersion: 1,
    classes: ['a', 'b', 'c'],
    weights: { file: 'weights.bin', tensors: [] },
    architecture: { ...info().architecture, ...arch },
  });
  assert.throws(() => validateSpec(spec({ task: 'tag' }), 'm'), /tagger needs one output per base/);
  assert.doesNotThrow(() => validateSpec(spec({ task: 'tag', conv: { filters: 4, width: 3, pool: 1, dropout: 0 } }), 'm'));
  assert.throws(
    () => validateSpec(spec({ task: 'lm', bidirectional: false }), 'm'),
    /language model cannot have a convolutional front-end/,
  );
  assert.throws(() => validateSpec(spec({ conv: { filters: 0, width: 3, pool: 1, dropout: 0 } }), 'm'), /architecture.conv needs/);
});

test('embed: pooled vectors of a pooled conv model ignore padding, and per-position output is refused', () => {
  const model = SequenceModel.create(info({ bidirectional: false, layers: 1 }), 2, reference);
  const embedder = new Embedder(model, { layer: 1, chunkBp: 1000, laps: 1 });
  assert.equal(embedder.streams, false);
  for (const pool of ['mean', 'max', 'last', 'first'] as const) {
    const together = embedder.pooled(items(), pool);
    items().forEach((item, i) => assertClose(together.subarray(i * 5, i * 5 + 5), embedder.pooled([item], pool), 1e-5, `${pool} seq ${i}`));
  }
  assert.throws(
    () => embedder.positions(items()),
    (e: unknown) => e instanceof RnnseqError && /pools every 3 positions \(--conv-pool\)/.test(e.message),
  );
  model.dispose();
});

test('an embedding-only model still streams long sequences in chunks, exactly', () => {
  const model = SequenceModel.create(info({ bidirectional: false, layers: 1, conv: undefined, embedDim: 3 }), 2, reference);
  const long = encodeSequence(Array.from({ length: 50 }, (_, i) => 'ACGT'[(i * 7 + 3) % 4]).join(''), dna, null);
  const chunked = new Embedder(model, { layer: 1, chunkBp: 16, laps: 1 });
  assert.equal(chunked.streams, true);
  const whole = new Embedder(model, { layer: 1, chunkBp: 1000, laps: 1 }).pooled([long], 'mean');
  assertClose(chunked.pooledStream(long, 'mean'), whole, 1e-5, 'mean');
  model.dispose();
});

test('front-end prediction leaks no tensors across batches', () => {
  const model = SequenceModel.create(info({ embedDim: 3, pool: 'attention' }), 1, reference);
  const batch = packBatch(items(), 4);
  model.predict(batch);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) model.predict(batch);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
