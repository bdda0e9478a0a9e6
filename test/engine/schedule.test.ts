import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { newParameters, parameterShapes } from '../../src/engine/model.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { decayedParameters, scheduledRate } from '../../src/engine/schedule.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import type { LabelledSet } from '../../src/seq/training-set.js';
import { type NamedTensor, type TrainConfig, type TrainerState, trainModel } from '../../src/engine/trainer.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { plantedMotifFasta } from '../motif-data.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');
const core = new ReferenceCore();

function motifSet(count: number, seed: number): LabelledSet {
  const lines = plantedMotifFasta(count, 20, seed).fasta.trim().split('\n');
  const items = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    items.push(encodeSequence(lines[2 * i + 1]!, dna, null));
    labels[i] = lines[2 * i]!.endsWith('label=motif') ? 1 : 0;
  }
  return { items, labels };
}

const info = {
  alphabet: 'dna',
  classes: ['background', 'motif'],
  inputLength: null,
  architecture: {
    cell: 'gru' as const,
    inputSize: 4,
    hiddenSize: 6,
    layers: 1,
    bidirectional: true,
    dropout: 0.1,
    pool: 'attention' as const,
    numClasses: 2,
    conv: { filters: 5, width: 5, pool: 2, dropout: 0.1 },
  },
};
const base: TrainConfig = { epochs: 4, batchSize: 16, learningRate: 0.01, clipNorm: 5, seed: 3, patience: 0 };

test('cosine schedule: linear warm-up to the peak, then a half cosine down to 1/64 of it at the end of the budget', () => {
  const config = { learningRate: 0.01, epochs: 10, warmupEpochs: 2 };
  const perEpoch = 5;
  const rates = Array.from({ length: 50 }, (_, step) => scheduledRate(config, step, perEpoch));
  for (let s = 1; s < 10; s++) assert.ok(rates[s]! > rates[s - 1]!, `warm-up rises at step ${s}`);
  assert.ok(Math.abs(rates[10]! - 0.01) < 1e-12, 'the peak right after warm-up');
  for (let s = 11; s < 50; s++) assert.ok(rates[s]! < rates[s - 1]!, `decays at step ${s}`);
  assert.ok(Math.abs(rates[49]! - 0.01 / 64) < 1e-12, 'the floor at the last step');
  // Halfway through the decay the rate is halfway between peak and floor.
  const mid = scheduledRate(config, 10 + 39 / 2, perEpoch);
  assert.ok(Math.abs(mid - (0.01 + 0.01 / 64) / 2) < 1e-12);
});

test("the trainer follows the cosine schedule, reporting each epoch's first rate", async () => {
  const model = SequenceModel.create(info, 1, core);
  const config: TrainConfig = { ...base, lrSchedule: 'cosine', warmupEpochs: 1 };
  const train = motifSet(48, 1); // 3 batches per epoch
  const state = await trainModel(model, train, undefined, config);
  assert.deepEqual(
    state.history.map((r) => r.learningRate),
    [0, 3, 6, 9].map((step) => scheduledRate(config, step, 3)),
  );
  assert.equal(state.steps, 12);
  model.dispose();
});

test('stopAfter ends a run at that epoch of the schedule over all its epochs, as a refit repeats a held-out run', async () => {
  const config: TrainConfig = { ...base, lrSchedule: 'cosine', warmupEpochs: 1, ema: 0.9 };
  const train = motifSet(48, 1);
  const weightsAfter = async (c: TrainConfig, epochs: number) => {
    const model = SequenceModel.create(info, 1, core);
    let weights: Float32Array[] = [];
    const state = await trainModel(model, train, undefined, c, {
      onEpoch: async (report) => {
        if (report.epoch === epochs) weights = [...model.params.values()].map((v) => v.dataSync().slice() as Float32Array);
      },
    });
    model.dispose();
    return { state, weights };
  };
  const full = await weightsAfter(config, 3);
  const stopped = await weightsAfter({ ...config, stopAfter: 3 }, 3);
  assert.equal(stopped.state.epochsDone, 3);
  assert.equal(stopped.state.steps, 9);
  // the rates of the 4-epoch schedule, not of a 3-epoch one
  assert.deepEqual(
    stopped.state.history.map((r) => r.learningRate),
    full.state.history.slice(0, 3).map((r) => r.learningRate),
  );
  assert.notDeepEqual(
    stopped.state.history.map((r) => r.learningRate),
    [0, 3, 6].map((step) => scheduledRate({ ...config, epochs: 3 }, step, 3)),
  );
  stopped.weights.forEach((w, i) => assert.deepEqual(w, full.weights[i], `parameter ${i} after epoch 3`));
  // a stop beyond the schedule changes nothing
  assert.equal((await weightsAfter({ ...config, stopAfter: 9 }, 4)).state.epochsDone, 4);
});

test('decoupled weight decay shrinks weight matrices by lr·λ·w on top of the Adam step, and leaves biases alone', async () => {
  const train = motifSet(16, 2); // one batch: one step
  const weightsAfter = async (weightDecay: number) => {
    const model = SequenceModel.create(info, 4, core);
    const before = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
    await trainModel(model, train, undefined, { ...base, epochs: 1, weightDecay, lrPatience: 0 });
    const after = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
    model.dispose();
    return { before, after };
  };
  const plain = await weightsAfter(0);
  const decayed = await weightsAfter(0.5);
  const factor = 0.01 * 0.5;
  for (const [name, w0] of plain.before) {
    const isMatrix = /(kernel|recurrent|vector)$/.test(name);
    const got = decayed.after.get(name)!;
    const want = plain.after.get(name)!;
    for (let i = 0; i < w0.length; i++) {
      const expected = want[i]! - (isMatrix ? factor * w0[i]! : 0);
      assert.ok(Math.abs(got[i]! - expected) < 1e-6, `${name}[${i}]: ${got[i]} vs ${expected}`);
    }
  }
});

test('weight decay reaches weight matrices only: not biases, learned initial states or the k-mer branch', () => {
  const names = [
    'conv.kernel',
    'l0.fw.kernel',
    'l0.fw.recurrent',
    'attention.vector',
    'head.kernel',
    'head.bias',
    'init.h',
    'kmers.kernel',
  ];
  const params = new Map(names.map((name) => [name, tf.variable(tf.zeros([2]), true, `decay-test-${name}`)]));
  const decayed = new Set(decayedParameters(params));
  assert.deepEqual(
    names.filter((name) => decayed.has(params.get(name)!)),
    ['conv.kernel', 'l0.fw.kernel', 'l0.fw.recurrent', 'attention.vector', 'head.kernel'],
  );
  for (const v of params.values()) v.dispose();
});

/** Trains `epochs` of config, stopping after `stopAfter`, keeping what train.ts would save in last/. */
async function runUntil(
  config: TrainConfig,
  stopAfter: number,
  resume?: { weights: Map<string, Float32Array>; state: TrainerState; optimizer: NamedTensor[] },
) {
  const train = motifSet(64, 5);
  const valid = motifSet(32, 6);
  const model = resume
    ? new SequenceModel(
        info,
        newParameters([...resume.weights].map(([n, w]) => [n, tf.tensor(w, parameterShapes(info.architecture).get(n)!)])),
        core,
      )
    : SequenceModel.create(info, 8, core);
  const stop = new AbortController();
  let saved: { weights: Map<string, Float32Array>; state: TrainerState; optimizer: NamedTensor[] } | undefined;
  const reports: number[] = [];
  await trainModel(
    model,
    train,
    valid,
    config,
    {
      signal: stop.signal,
      onEpoch: async (report, state, optimizerState) => {
        reports.push(report.validLoss);
        const optimizer = (await optimizerState()).map((t) => ({ name: t.name, tensor: tf.keep(t.tensor.clone()) }));
        saved = {
          weights: new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice() as Float32Array])),
          state: structuredClone(state),
          optimizer,
        };
        if (report.epoch === stopAfter) stop.abort();
      },
    },
    resume ? { state: resume.state, optimizer: resume.optimizer } : undefined,
  );
  model.dispose();
  return { saved: saved!, reports };
}

test('with a weight average and the cosine schedule, a run stopped after 2 epochs and resumed ends exactly like 4 straight', async () => {
  const config: TrainConfig = { ...base, ema: 0.9, lrSchedule: 'cosine', warmupEpochs: 1, weightDecay: 0.01 };
  const straight = await runUntil(config, 4);
  const half = await runUntil(config, 2);
  const resumed = await runUntil(config, 4, half.saved);
  assert.deepEqual([...half.reports, ...resumed.reports], straight.reports, 'validation losses per epoch');
  for (const [name, w] of straight.saved.weights) assert.deepEqual(resumed.saved.weights.get(name), w, `averaged ${name}`);
  straight.saved.optimizer.forEach((t, i) =>
    assert.deepEqual(resumed.saved.optimizer[i]!.tensor.dataSync(), t.tensor.dataSync(), `saved state ${i}`),
  );
  for (const run of [straight, half, resumed]) tf.dispose(run.saved.optimizer.map((t) => t.tensor));
});

test('checkpoints of a run with a weight average hold the average, which differs from the raw weights', async () => {
  const { saved } = await runUntil({ ...base, epochs: 2, ema: 0.9 }, 2);
  const raw = saved.optimizer.slice(-saved.weights.size); // after Adam's state, in parameter order
  const names = [...saved.weights.keys()];
  const differs = names.some((n, i) => raw[i]!.tensor.dataSync().some((v, k) => v !== saved.weights.get(n)![k]));
  assert.ok(differs, 'the saved weights are the average, not the raw ones');
  tf.dispose(saved.optimizer.map((t) => t.tensor));
});
