import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import '../../src/engine/gradients.js';
import type { Architecture } from '../../src/engine/architecture.js';
import { forward } from '../../src/engine/model.js';
import { loadNativeAddon, nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { nativeStepUnsupported } from '../../src/engine/native-step.js';
import { batchLoss, stepTargets } from '../../src/engine/objective.js';
import { SequenceModel, batchTensors } from '../../src/engine/sequence-model.js';
import { trainModel } from '../../src/engine/trainer.js';
import { type Batch, packBatch } from '../../src/seq/batch.js';
import type { TrainingSet } from '../../src/seq/training-set.js';
import { Random } from '../../src/seq/random.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();

const status = nativeStatus();
const skip = status.available ? false : `native kernels unavailable: ${status.reason}`;

const BASE: Architecture = {
  cell: 'lstm',
  inputSize: 4,
  hiddenSize: 8,
  layers: 1,
  bidirectional: true,
  dropout: 0,
  pool: 'max',
  numClasses: 2,
  task: 'classify',
};

/** The default recipe's shape, and variations that exercise every branch of the native step. */
const CASES: Array<[string, Architecture]> = [
  ['recipe: conv + skip + BiLSTM + max', { ...BASE, conv: { filters: 6, width: 5, pool: 2, dropout: 0.1, skip: true } }],
  [
    'per-position bias, three classes',
    { ...BASE, numClasses: 3, conv: { filters: 5, width: 3, pool: 3, dropout: 0, positions: 30, skip: true } },
  ],
  ['one-direction LSTM, mean pooling, no front-end', { ...BASE, bidirectional: false, pool: 'mean' }],
  ['two GRU layers, last state, dropout', { ...BASE, cell: 'gru', layers: 2, pool: 'last', dropout: 0.3 }],
  [
    'RNN cell, conv without skip, mean',
    { ...BASE, cell: 'rnn', pool: 'mean', conv: { filters: 4, width: 3, pool: 1, dropout: 0.2, skip: false } },
  ],
  [
    'protein recipe: embedding + conv + skip + BiLSTM + max',
    { ...BASE, inputSize: 21, embedDim: 6, conv: { filters: 5, width: 5, pool: 2, dropout: 0.1, skip: true } },
  ],
  ['embedding straight into a GRU, mean', { ...BASE, inputSize: 21, embedDim: 5, cell: 'gru', pool: 'mean' }],
  [
    'recipe with a k-mer branch (canonical 3-mers)',
    { ...BASE, conv: { filters: 6, width: 5, pool: 2, dropout: 0.1, skip: true }, kmers: { k: 3, strands: 'canonical' }, dropout: 0.2 },
  ],
  [
    'recipe with a positional branch (2-mers in each of 12 bins)',
    { ...BASE, conv: { filters: 6, width: 5, pool: 2, dropout: 0.1, skip: true }, kmers: { k: 2, strands: 'forward', bins: 12 } },
  ],
  [
    'protein, three classes, k-mer branch (2-mers)',
    {
      ...BASE,
      inputSize: 21,
      numClasses: 3,
      embedDim: 6,
      conv: { filters: 5, width: 5, pool: 2, dropout: 0, skip: true },
      kmers: { k: 2, strands: 'forward' },
    },
  ],
];

/** A model's parameters as the whole step reads them. */
function weightsOf(model: SequenceModel): Map<string, Float32Array> {
  return new Map([...model.params].map(([n, v]) => [n, v.dataSync() as Float32Array]));
}

/** A fresh model, its k-mer branch (zero at creation) given random weights so the forward pass exercises it. */
function createModel(arch: Architecture, seed: number, core: NativeCore): SequenceModel {
  const model = SequenceModel.create(
    { alphabet: 'dna', classes: ['a', 'b', 'c'].slice(0, arch.numClasses), architecture: arch, inputLength: null },
    seed,
    core,
  );
  // Parameters that start at zero (the k-mer branch, the condition's initial state and head term) get random
  // values, so the forward pass exercises them.
  for (const name of ['kmers.kernel', 'init.condition', 'head.condition.kernel', 'init.covariates.bias']) {
    const v = model.params.get(name);
    if (v) v.assign(tf.randomNormal(v.shape, 0, name === 'kmers.kernel' ? 1 : 0.5, 'float32', seed));
  }
  return model;
}

function randomItems(count: number, seed: number, ragged: boolean, channels = 4): Array<{ encoded: Float32Array; length: number }> {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = ragged ? 12 + random.int(19) : 30;
    const encoded = new Float32Array(length * channels);
    for (let t = 0; t < length; t++) encoded[t * channels + random.int(channels)] = 1;
    if (i === 0 && ragged) encoded.fill(0, 0, 4 * channels).fill(1 / channels, 0, 4 * channels); // ambiguous codes (N, X) too
    return { encoded, length };
  });
}

/** Loss, probabilities and every gradient through forward() + batchLoss() + tf.variableGrads: the reference. */
function tensorStep(
  model: SequenceModel,
  batch: Batch,
  labels: Int32Array,
  seed: number,
  items: ReadonlyArray<{ encoded: Float32Array; length: number }> = [],
  targets: Omit<TrainingSet, 'items'> = { labels },
) {
  let probs: Float32Array | undefined;
  let loss = Number.NaN;
  const grads = new Map<string, Float32Array>();
  tf.tidy(() => {
    const { x, mask, ...context } = batchTensors(batch);
    const { value, grads: byVariable } = tf.variableGrads(() => {
      const { logits } = forward(model.info.architecture, model.params, x, mask, {
        core: model.core,
        training: true,
        dropoutSeed: seed,
        ...context,
      });
      probs = tf.softmax(logits).dataSync() as Float32Array;
      return batchLoss(model.info.architecture, logits, batch, items, targets);
    }, [...model.params.values()]);
    loss = value.dataSync()[0]!;
    for (const [name, v] of model.params) grads.set(name, byVariable[v.name]!.dataSync() as Float32Array);
  });
  return { loss, probs: probs!, grads };
}

for (const [name, arch] of CASES) {
  for (const ragged of [false, true]) {
    test(`native whole step = tensor path (loss, probabilities, every gradient): ${name}${ragged ? ', ragged batch' : ''}`, {
      skip,
    }, () => {
      const core = new NativeCore();
      assert.equal(nativeStepUnsupported(arch), undefined);
      const model = createModel(arch, 5, core);
      const batch = packBatch(randomItems(7, 11, ragged, arch.inputSize), arch.inputSize);
      assert.equal(batch.mask !== undefined, ragged);
      const labels = Int32Array.from({ length: 7 }, (_, i) => i % arch.numClasses);
      const expected = tensorStep(model, batch, labels, 123);
      const weights = weightsOf(model);
      const actual = core.wholeStep(arch)!.run(weights, batch, labels, 123);
      assert.ok(Math.abs(actual.loss - expected.loss) < 1e-5, `loss ${actual.loss} vs ${expected.loss}`);
      assertClose(actual.probs!, expected.probs, 1e-5, 'probabilities');
      assert.deepEqual([...actual.grads.keys()].sort(), [...expected.grads.keys()].sort());
      for (const [param, g] of expected.grads) assertClose(actual.grads.get(param)!, g, 2e-5, `gradient of ${param}`);
      model.dispose();
    });
  }
}

for (const [name, arch] of CASES) {
  test(`native inference = tensor path (class probabilities, ragged batch): ${name}`, { skip }, () => {
    const model = createModel(arch, 8, new NativeCore());
    const batch = packBatch(randomItems(9, 21, true, arch.inputSize), arch.inputSize);
    const expected = tf.tidy(() => tf.softmax(model.run(batch).logits).dataSync() as Float32Array);
    const actual = model.predict(batch);
    assertClose(actual, expected, 1e-5, 'probabilities');
    assert.ok(Math.abs(actual[0]! - actual[arch.numClasses]!) > 1e-6, 'rows differ (the inputs do)');
    model.dispose();
  });
}

/** Conditioned and covariate models: learned initial states, the condition at every step, its head term. */
const CONTEXT_CASES: Array<[string, Architecture]> = [
  [
    'recipe shape with a condition at every step and in the head',
    {
      ...BASE,
      conditions: ['liver', 'brain', 'gut'],
      conditionTag: 'cell',
      conditionSteps: true,
      conditionHead: true,
      dropout: 0.2,
      conv: { filters: 6, width: 5, pool: 2, dropout: 0.1, skip: true },
    },
  ],
  [
    'two GRU layers, last state, a condition and two covariates in the initial state only',
    { ...BASE, cell: 'gru', layers: 2, pool: 'last', conditions: ['a', 'b'], covariates: ['age', 'dose'] },
  ],
  ['bounded CIFG cell, covariates only, mean pooling', { ...BASE, cell: 'cifg', bounded: true, pool: 'mean', covariates: ['age'] }],
  ['tagger with a condition at every step', { ...BASE, task: 'tag', numClasses: 3, conditions: ['x', 'y'], conditionSteps: true }],
];

/** Items carrying a condition (one in seven without: -1) and covariates, as the model reads them. */
function contextItems(arch: Architecture, count: number, seed: number) {
  const random = new Random(seed + 50);
  const conditions = arch.conditions?.length ?? 0;
  const covariates = arch.covariates?.length ?? 0;
  return randomItems(count, seed, true, arch.inputSize).map((item, i) => ({
    ...item,
    ...(conditions > 0 ? { condition: i === 3 ? -1 : random.int(conditions) } : {}),
    ...(covariates > 0 ? { covariates: Float32Array.from({ length: covariates }, () => random.next() * 2 - 1) } : {}),
  }));
}

for (const [name, arch] of CONTEXT_CASES) {
  test(`native whole step = tensor path (loss, every gradient, inference): ${name}`, { skip }, () => {
    const core = new NativeCore();
    assert.equal(nativeStepUnsupported(arch), undefined);
    const model = createModel(arch, 5, core);
    const items = contextItems(arch, 7, 11);
    const batch = packBatch(items, arch.inputSize);
    const tag = arch.task === 'tag';
    const targets = tag ? { tags: randomTags(items, arch.numClasses, 3) } : { labels: Int32Array.from({ length: 7 }, (_, i) => i % 2) };
    const expected = tensorStep(model, batch, targets.labels ?? new Int32Array(0), 123, items, targets);
    const weights = weightsOf(model);
    const actual = core.wholeStep(arch)!.run(weights, batch, stepTargets(arch, batch, items, targets), 123);
    assert.ok(Math.abs(actual.loss - expected.loss) < 1e-5, `loss ${actual.loss} vs ${expected.loss}`);
    if (!tag) assertClose(actual.probs!, expected.probs, 1e-5, 'probabilities');
    assert.deepEqual([...actual.grads.keys()].sort(), [...expected.grads.keys()].sort());
    for (const [param, g] of expected.grads) assertClose(actual.grads.get(param)!, g, 2e-5, `gradient of ${param}`);
    const inference = tf.tidy(() => tf.softmax(model.run(batch).logits).dataSync() as Float32Array);
    assertClose(tag ? model.predictPositions(batch) : model.predict(batch), inference, 1e-5, 'inference');
    model.dispose();
  });
}

test('a step run again on other batches gives the bits a fresh step gives (its reused gradient buffers start clean)', { skip }, () => {
  const arch = CASES[0]![1]; // max pooling: the pooled gradient is scattered into a reused buffer
  const model = createModel(arch, 6, new NativeCore());
  const weights = weightsOf(model);
  const used = new NativeCore().wholeStep(arch)!;
  const batches = [randomItems(9, 31, false), randomItems(9, 32, false), randomItems(9, 33, false), randomItems(5, 34, true)].map((items) =>
    packBatch(items, arch.inputSize),
  );
  for (const [i, batch] of batches.entries()) {
    const labels = Int32Array.from({ length: batch.batch }, (_, b) => (b + i) % 2);
    const again = used.run(weights, batch, labels, 50 + i);
    const fresh = new NativeCore().wholeStep(arch)!.run(weights, batch, labels, 50 + i);
    assert.equal(again.loss, fresh.loss, `batch ${i}: loss`);
    for (const [param, g] of fresh.grads) assert.deepEqual(again.grads.get(param), g, `batch ${i}: gradient of ${param}`);
  }
  model.dispose();
});

test('architectures the native step does not cover are named, and train on the tensor path', () => {
  assert.match(nativeStepUnsupported({ ...BASE, pool: 'attention' })!, /attention/);
  assert.match(nativeStepUnsupported({ ...BASE, task: 'tag', kmers: { k: 2, strands: 'forward' } })!, /k-mer branch/);
  assert.match(nativeStepUnsupported({ ...BASE, composition: { k: 2, canonical: true, mean: [0], std: [1] } })!, /composition/);
  // A field added later, unknown to the native step: the tensor path, never a silently different model.
  assert.match(nativeStepUnsupported({ ...BASE, futureOption: 3 } as Architecture)!, /futureOption/);
  assert.match(
    nativeStepUnsupported({ ...BASE, conv: { filters: 2, width: 3, pool: 1, dropout: 0, dilation: 2 } } as Architecture)!,
    /dilation/,
  );
  for (const [, arch] of [...CASES, ...POSITION_CASES, ...REGRESSION_CASES, ...CONTEXT_CASES])
    assert.equal(nativeStepUnsupported(arch), undefined);
  if (status.available) assert.equal(new NativeCore().wholeStep({ ...BASE, pool: 'attention' }), undefined);
});

test('training through the native step ends where the tensor path does (weights, losses)', { skip }, async () => {
  const arch = CASES[0]![1];
  const items = randomItems(48, 3, true);
  const labels = Int32Array.from(items, (item) => (item.encoded[4 * 5 + 2] === 1 ? 1 : 0)); // G at position 5
  const run = async (nativeStep: boolean) => {
    const model = SequenceModel.create(
      { alphabet: 'dna', classes: ['a', 'b'], architecture: arch, inputLength: null },
      9,
      new NativeCore(),
    );
    const config = {
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      clipNorm: 1,
      patience: 0,
      seed: 4,
      lrSchedule: 'cosine' as const,
      weightDecay: 0.01,
      ema: 0.9,
      nativeStep,
    };
    const state = await trainModel(model, { items, labels }, undefined, config);
    const weights = [...model.params.values()].map((v) => v.dataSync() as Float32Array);
    model.dispose();
    return { losses: state.history.map((h) => h.trainLoss), weights };
  };
  const tensor = await run(false);
  const native = await run(true);
  native.losses.forEach((l, i) => assert.ok(Math.abs(l - tensor.losses[i]!) < 1e-4, `epoch ${i + 1} loss ${l} vs ${tensor.losses[i]}`));
  native.weights.forEach((w, i) => assertClose(w, tensor.weights[i]!, 1e-3, `weights ${i}`));
});

/** Regression: one output, the loss on standardised targets (MSE, or Huber past one standard deviation). */
const REGRESSION_CASES: Array<[string, Architecture]> = [
  [
    'regression, MSE: recipe shape',
    {
      ...BASE,
      task: 'regress',
      numClasses: 1,
      regression: { loss: 'mse', mean: 2, std: 3 },
      conv: { filters: 6, width: 5, pool: 2, dropout: 0.1, skip: true },
    },
  ],
  [
    'regression, Huber: GRU, mean pooling, dropout',
    { ...BASE, task: 'regress', numClasses: 1, cell: 'gru', pool: 'mean', dropout: 0.2, regression: { loss: 'huber', mean: -1, std: 0.5 } },
  ],
];

for (const [name, arch] of REGRESSION_CASES) {
  test(`native whole step = tensor path (loss, every gradient, predictions): ${name}`, { skip }, () => {
    const core = new NativeCore();
    assert.equal(nativeStepUnsupported(arch), undefined);
    const model = createModel(arch, 5, core);
    const items = randomItems(7, 11, true, arch.inputSize);
    const batch = packBatch(items, arch.inputSize);
    // Targets spread over several standard deviations, so Huber's linear part is exercised too.
    const values = Float32Array.from({ length: 7 }, (_, i) => arch.regression!.mean + (i - 3) * 1.1 * arch.regression!.std);
    const expected = tensorStep(model, batch, new Int32Array(0), 123, items, { values });
    const weights = weightsOf(model);
    const actual = core.wholeStep(arch)!.run(weights, batch, stepTargets(arch, batch, items, { values }), 123);
    assert.ok(Math.abs(actual.loss - expected.loss) < 1e-5, `loss ${actual.loss} vs ${expected.loss}`);
    assert.equal(actual.probs, undefined);
    for (const [param, g] of expected.grads) assertClose(actual.grads.get(param)!, g, 2e-5, `gradient of ${param}`);
    const tensorValues = tf.tidy(() => {
      const { mean, std } = arch.regression!;
      return tf.add(tf.mul(tf.reshape(model.run(batch).logits, [7]), std), mean).dataSync() as Float32Array;
    });
    assertClose(model.predictValues(batch), tensorValues, 1e-5, 'predictions');
    model.dispose();
  });
}

/** Language models and taggers: a head at every position (native positionHead). */
const POSITION_CASES: Array<[string, Architecture]> = [
  ['language model: one-direction LSTM', { ...BASE, task: 'lm', bidirectional: false, pool: 'mean', numClasses: 4 }],
  [
    'protein language model: embedding, two GRU layers, dropout',
    { ...BASE, task: 'lm', bidirectional: false, inputSize: 21, numClasses: 21, embedDim: 5, cell: 'gru', layers: 2, dropout: 0.3 },
  ],
  [
    'tagger: convolution (no pooling) + BiLSTM, three tags, dropout',
    { ...BASE, task: 'tag', numClasses: 3, dropout: 0.2, conv: { filters: 4, width: 3, pool: 1, dropout: 0.1, skip: false } },
  ],
  ['tagger: two BiGRU layers', { ...BASE, task: 'tag', cell: 'gru', layers: 2, numClasses: 3 }],
];

/** Each item's tags: a class per position, about one in five unlabelled (-1). */
function randomTags(items: ReadonlyArray<{ length: number }>, classes: number, seed: number): Int8Array[] {
  const random = new Random(seed);
  return items.map((item) => Int8Array.from({ length: item.length }, () => (random.int(5) === 0 ? -1 : random.int(classes))));
}

for (const [name, arch] of POSITION_CASES) {
  for (const ragged of [false, true]) {
    test(`native whole step = tensor path (loss, every gradient): ${name}${ragged ? ', ragged batch' : ''}`, { skip }, () => {
      const core = new NativeCore();
      const model = createModel(arch, 5, core);
      const items = randomItems(7, 11, ragged, arch.inputSize);
      const batch = packBatch(items, arch.inputSize);
      const targets = arch.task === 'tag' ? { tags: randomTags(items, arch.numClasses, 3) } : {};
      const expected = tensorStep(model, batch, new Int32Array(0), 123, items, targets);
      const weights = weightsOf(model);
      const indices = stepTargets(arch, batch, items, targets);
      assert.equal(indices.length, 7 * batch.steps);
      assert.ok(indices.some((k) => k < 0) && indices.some((k) => k > 0), 'some positions count, some do not');
      const actual = core.wholeStep(arch)!.run(weights, batch, indices, 123);
      assert.ok(Math.abs(actual.loss - expected.loss) < 1e-5, `loss ${actual.loss} vs ${expected.loss}`);
      assert.equal(actual.probs, undefined);
      assert.deepEqual([...actual.grads.keys()].sort(), [...expected.grads.keys()].sort());
      for (const [param, g] of expected.grads) assertClose(actual.grads.get(param)!, g, 2e-5, `gradient of ${param}`);
      model.dispose();
    });
  }
  test(`native inference = tensor path (probabilities and log-probabilities at every position): ${name}`, { skip }, () => {
    const model = createModel(arch, 8, new NativeCore());
    const batch = packBatch(randomItems(9, 21, true, arch.inputSize), arch.inputSize);
    const expected = tf.tidy(() => tf.softmax(model.run(batch).logits).dataSync() as Float32Array);
    const expectedLog = tf.tidy(() => tf.logSoftmax(model.run(batch).logits).dataSync() as Float32Array);
    assertClose(model.predictPositions(batch), expected, 1e-5, 'probabilities');
    assertClose(model.logProbsPositions(batch), expectedLog, 1e-5, 'log-probabilities');
    // Code lengths at the targets alone (phylo's scoring): -ln p of each counted position, 0 elsewhere.
    const K = arch.numClasses;
    const targets = Int32Array.from({ length: 9 * batch.steps }, (_, i) => (i % 4 === 0 ? -1 : i % K));
    const expectedNats = Float64Array.from(targets, (k, i) => (k < 0 ? 0 : -expectedLog[i * K + k]!));
    assertClose(model.positionLosses(batch, targets), expectedNats, 1e-5, 'position losses');
    model.dispose();
  });
}

test('a language model trained through the native step ends where the tensor path does (weights, losses, validation)', {
  skip,
}, async () => {
  const arch = POSITION_CASES[0]![1];
  const items = randomItems(40, 7, true);
  const valid = { items: randomItems(8, 8, true) };
  const run = async (nativeStep: boolean) => {
    const model = SequenceModel.create(
      { alphabet: 'dna', classes: ['A', 'C', 'G', 'T'], architecture: arch, inputLength: null },
      9,
      new NativeCore(),
    );
    const config = { epochs: 3, batchSize: 16, learningRate: 0.01, clipNorm: 1, patience: 0, seed: 4, weightDecay: 0.01, nativeStep };
    const state = await trainModel(model, { items }, valid, config);
    const weights = [...model.params.values()].map((v) => v.dataSync() as Float32Array);
    model.dispose();
    return { losses: state.history.flatMap((h) => [h.trainLoss, h.validLoss]), weights };
  };
  const tensor = await run(false);
  const native = await run(true);
  native.losses.forEach((l, i) => assert.ok(Math.abs(l - tensor.losses[i]!) < 1e-4, `loss ${i}: ${l} vs ${tensor.losses[i]}`));
  native.weights.forEach((w, i) => assertClose(w, tensor.weights[i]!, 1e-3, `weights ${i}`));
  assert.ok(tensor.losses[4]! < tensor.losses[0]!, 'it trains');
});

test('positionHead refuses what it cannot score: a target outside the classes, gradients without targets, short arrays', { skip }, () => {
  const addon = loadNativeAddon()!;
  const args = { x: new Float32Array(6), kernel: new Float32Array(4), bias: new Float32Array(2), rows: 3, width: 2, classes: 2 };
  assert.throws(() => addon.positionHead({ ...args, targets: Int32Array.of(0, 2, -1) }), /not a class/);
  assert.throws(
    () => addon.positionHead({ ...args, dKernel: new Float32Array(4), dBias: new Float32Array(2), dx: new Float32Array(6), scale: 1 }),
    /together/,
  );
  assert.throws(() => addon.positionHead({ ...args, targets: Int32Array.of(0, 1, -1), dx: new Float32Array(6) }), /together/);
  assert.throws(() => addon.positionHead({ ...args, x: new Float32Array(5) }), /x/);
  // Uncounted rows add nothing and get a zero input gradient; the loss is ln 2 per counted row (zero weights).
  const dx = new Float32Array(6).fill(7);
  const loss = addon.positionHead({
    ...args,
    targets: Int32Array.of(1, -1, 0),
    scale: 0.5,
    dKernel: new Float32Array(4),
    dBias: new Float32Array(2),
    dx,
  });
  assert.ok(Math.abs(loss - 2 * Math.LN2) < 1e-12, String(loss));
  assert.deepEqual([...dx.subarray(2, 4)], [0, 0]);
});

test('positionHead gives the same bits on 1 and 2 threads (blocks of rows, summed in order), for 4 classes and for 7', { skip }, (t) => {
  const addon = loadNativeAddon()!;
  const threads = addon.threads();
  t.after(() => addon.setThreads(threads));
  for (const classes of [4, 7]) {
    const rows = 300;
    const width = 16;
    const random = new Random(classes);
    const values = (n: number) => Float32Array.from({ length: n }, () => random.next() * 2 - 1);
    const [x, kernel, bias] = [values(rows * width), values(width * classes), values(classes)];
    const targets = Int32Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? -1 : random.int(classes)));
    const run = (n: number) => {
      addon.setThreads(n);
      const out = {
        dKernel: new Float32Array(width * classes),
        dBias: new Float32Array(classes),
        dx: new Float32Array(rows * width),
        logProbs: new Float32Array(rows * classes),
      };
      const loss = addon.positionHead({ x, kernel, bias, rows, width, classes, targets, scale: 1 / 240, ...out });
      return { loss, ...out };
    };
    const [one, two] = [run(1), run(2)];
    assert.deepEqual(two, one, `${classes} classes`);
    assert.ok(one.dKernel.some((v) => v !== 0) && one.dx.some((v) => v !== 0));
  }
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (error > worst) [worst, at] = [error, i];
  }
  assert.ok(worst <= tolerance, `${what}[${at}]: ${actual[at]} vs ${expected[at]} (relative error ${worst})`);
}
