import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel, type ModelInfo } from '../../src/engine/sequence-model.js';
import { Embedder } from '../../src/engine/embedding.js';
import { EMBED_POOLS } from '../../src/engine/requests.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();
const core = new ReferenceCore();
const dna = getAlphabet('dna');

function model(overrides: Partial<ModelInfo['architecture']> = {}): SequenceModel {
  const architecture = {
    cell: 'lstm' as const,
    inputSize: 4,
    hiddenSize: 6,
    layers: 2,
    bidirectional: false,
    dropout: 0,
    pool: 'mean' as const,
    numClasses: 4,
    task: 'lm' as const,
    ...overrides,
  };
  return SequenceModel.create({ alphabet: 'dna', classes: ['A', 'C', 'G', 'T'], architecture, inputLength: null }, 11, core);
}

function randomDna(length: number, seed: number): string {
  let s = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out += 'ACGT'[s % 4];
  }
  return out;
}

function close(a: Float32Array, b: Float32Array, tolerance = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tolerance, `element ${i}: ${a[i]} vs ${b[i]}`);
}

for (const pool of EMBED_POOLS) {
  test(`a long sequence embedded in chunks with its state carried across equals one read whole (pool ${pool})`, () => {
    const m = model();
    const item = encodeSequence(randomDna(157, 3), dna, null);
    const whole = new Embedder(m, { layer: 2, chunkBp: 1000, laps: 1 }).pooled([item], pool);
    const chunked = new Embedder(m, { layer: 2, chunkBp: 10, laps: 1 }).pooled([item], pool);
    close(chunked, whole);
    m.dispose();
  });
}

test('chunked per-position outputs match the whole read, and tensors do not leak across chunks', () => {
  const m = model({ cell: 'gru', layers: 1 });
  const item = encodeSequence(randomDna(95, 5), dna, null);
  const embedder = new Embedder(m, { layer: 1, chunkBp: 20, laps: 1 });
  const whole = new Embedder(m, { layer: 1, chunkBp: 1000, laps: 1 }).positions([item]).data;
  const before = tf.memory().numTensors;
  const parts: Float32Array[] = [];
  for (const { outputs, start } of embedder.chunks(item)) {
    assert.equal(
      start,
      parts.reduce((n, p) => n + p.length / 6, 0),
    );
    parts.push(outputs);
  }
  assert.equal(tf.memory().numTensors, before);
  const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  close(joined, whole);
  m.dispose();
});

test('two laps over a circular sequence equal the second half of reading it twice in a row', () => {
  const m = model({ layers: 1 });
  const sequence = randomDna(40, 9);
  const lapped = new Embedder(m, { layer: 1, chunkBp: 1000, laps: 2 }).positions([encodeSequence(sequence, dna, null)]).data;
  const doubled = new Embedder(m, { layer: 1, chunkBp: 1000, laps: 1 }).positions([encodeSequence(sequence + sequence, dna, null)]).data;
  close(lapped, doubled.subarray(40 * 6));
  const streamed = new Embedder(m, { layer: 1, chunkBp: 7, laps: 2 }).pooled(
    [encodeSequence(sequence + sequence.repeat(300), dna, null)],
    'last',
  );
  const streamedWhole = new Embedder(m, { layer: 1, chunkBp: 100_000, laps: 2 }).pooled(
    [encodeSequence(sequence + sequence.repeat(300), dna, null)],
    'last',
  );
  close(streamed, streamedWhole);
  m.dispose();
});

test('first and last pooling of a bidirectional model read each direction at its own ends', () => {
  const m = model({ bidirectional: true, layers: 1, task: 'classify', numClasses: 2 });
  const item = encodeSequence(randomDna(12, 4), dna, null);
  const embedder = new Embedder(m, { layer: 1, chunkBp: 1000, laps: 1 });
  const positions = embedder.positions([item]).data; // [12 × 12]: forward 0..5, backward 6..11
  const first = embedder.pooled([item], 'first');
  const last = embedder.pooled([item], 'last');
  close(first.subarray(0, 6), positions.subarray(0, 6));
  close(first.subarray(6), positions.subarray(11 * 12 + 6, 12 * 12));
  close(last.subarray(0, 6), positions.subarray(11 * 12, 11 * 12 + 6));
  close(last.subarray(6), positions.subarray(6, 12));
  m.dispose();
});

test('a batch of unequal sequences pools each over its real positions only', () => {
  const m = model({ layers: 1 });
  const items = ['ACGTTGCA', 'GGGCCCATATAT', 'TA'].map((s) => encodeSequence(s, dna, null));
  const embedder = new Embedder(m, { layer: 1, chunkBp: 1000, laps: 1 });
  for (const pool of EMBED_POOLS) {
    const together = embedder.pooled(items, pool);
    items.forEach((item, i) => close(together.subarray(i * 6, (i + 1) * 6), embedder.pooled([item], pool)));
  }
  m.dispose();
});

test('a model that reads its condition at every step embeds the same in chunks as whole, and per condition', () => {
  const m = model({ task: 'classify', conditions: ['brain', 'liver'], conditionTag: 'cell', conditionSteps: true });
  const base = encodeSequence(randomDna(83, 9), dna, null);
  const pooled = (condition: number, chunkBp: number) =>
    new Embedder(m, { layer: 2, chunkBp, laps: 1 }).pooled([{ ...base, condition }], 'mean');
  close(pooled(1, 10), pooled(1, 1000));
  // The initial-state table starts at zero, so only the per-step channels can tell the conditions apart here.
  const brain = pooled(0, 1000);
  const liver = pooled(1, 1000);
  assert.ok(
    brain.some((v, i) => Math.abs(v - liver[i]!) > 1e-4),
    'a fresh model already sees the condition through its per-step input',
  );
  m.dispose();
});

const nativeSkip = nativeStatus().available ? false : `native kernels unavailable: ${nativeStatus().reason}`;

/** A native core whose whole steps count their pooledStates calls, so a test can tell which path embedded. */
function countingNativeCore(): { core: NativeCore; calls: () => number } {
  const native = new NativeCore();
  let calls = 0;
  const wholeStep = native.wholeStep.bind(native);
  native.wholeStep = (arch) => {
    const step = wholeStep(arch);
    if (!step?.pooledStates) return step;
    return {
      run: step.run.bind(step),
      predict: step.predict.bind(step),
      pooledStates: (weights, batch) => {
        calls++;
        return step.pooledStates!(weights, batch);
      },
    };
  };
  return { core: native, calls: () => calls };
}

const CONDITIONED: Partial<ModelInfo['architecture']> = {
  task: 'classify',
  numClasses: 2,
  conditions: ['brain', 'liver'],
  conditionTag: 'cell',
  conditionSteps: true,
};

/** name, architecture, embedded layer */
const NATIVE_EMBED_CASES: Array<[string, Partial<ModelInfo['architecture']>, number]> = [
  ['language model, first of two LSTM layers', {}, 1],
  ['language model, second of two LSTM layers', {}, 2],
  [
    'bidirectional GRU classifier with a pooling convolution and its skip path',
    { cell: 'gru', bidirectional: true, task: 'classify', numClasses: 3, conv: { filters: 5, width: 3, pool: 2, dropout: 0, skip: true } },
    2,
  ],
  ['an embedding front-end, bidirectional', { embedDim: 3, bidirectional: true, layers: 1 }, 1],
  ['a condition at every step and a learned initial state', CONDITIONED, 2],
  ['the first layer of a model with a learned initial state', CONDITIONED, 1],
];

for (const [name, overrides, layer] of NATIVE_EMBED_CASES) {
  test(`mean, max and last vectors from the native pass equal the per-position outputs pooled (${name})`, { skip: nativeSkip }, () => {
    const m = model(overrides);
    // A learned initial state that starts at zero would hide a mistake in it: give every parameter some weight.
    for (const [, value] of m.params) value.assign(tf.randomUniform(value.shape, -0.5, 0.5, 'float32', 7));
    const items = [31, 8, 57, 20, 1].map((length, i) => ({ ...encodeSequence(randomDna(length, i + 2), dna, null), condition: i % 2 }));
    const counting = countingNativeCore();
    for (const pool of ['mean', 'max', 'last'] as const) {
      m.core = core;
      const reference = new Embedder(m, { layer, chunkBp: 1000, laps: 1 }).pooled(items, pool);
      m.core = counting.core;
      const before = counting.calls();
      const vectors = new Embedder(m, { layer, chunkBp: 1000, laps: 1 }).pooled(items, pool);
      assert.equal(counting.calls(), before + 1, `pool ${pool} went through the native pass`);
      close(vectors, reference, 1e-4);
    }
    m.core = core;
    m.dispose();
  });
}
