import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { trainModel, evaluate } from '../../src/engine/trainer.js';
import type { LabelledSet } from '../../src/seq/training-set.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { plantedMotifFasta } from '../motif-data.js';
import { useCpuBackend } from '../helpers.js';
import { trainingBytesPerToken } from '../../src/engine/memory.js';

await useCpuBackend();
const dna = getAlphabet('dna');

function motifSet(count: number, seed: number): LabelledSet {
  const { fasta } = plantedMotifFasta(count, 20, seed);
  const lines = fasta.trim().split('\n');
  const items = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    items.push(encodeSequence(lines[2 * i + 1]!, dna, null));
    labels[i] = lines[2 * i]!.endsWith('label=motif') ? 1 : 0;
  }
  return { items, labels };
}

const config = { epochs: 3, batchSize: 32, learningRate: 0.01, clipNorm: 5, seed: 7, patience: 0 };
const info = {
  alphabet: 'dna',
  classes: ['background', 'motif'],
  inputLength: null,
  architecture: {
    cell: 'gru' as const,
    inputSize: 4,
    hiddenSize: 8,
    layers: 1,
    bidirectional: false,
    dropout: 0.1,
    pool: 'max' as const,
    numClasses: 2,
  },
};

test('training with the same seed gives identical weights; another seed does not', async () => {
  const train = motifSet(64, 1);
  const weights = [];
  for (const seed of [7, 7, 8]) {
    const model = SequenceModel.create(info, seed, new ReferenceCore());
    await trainModel(model, train, undefined, { ...config, seed, epochs: 2 });
    weights.push(Buffer.from(model.packWeights().data));
    model.dispose();
  }
  assert.ok(weights[0]!.equals(weights[1]!), 'same seed, same weights');
  assert.ok(!weights[0]!.equals(weights[2]!), 'different seed, different weights');
});

test('a training epoch leaves no tensors behind besides optimizer state', async () => {
  const train = motifSet(64, 2);
  const model = SequenceModel.create(info, 1, new ReferenceCore());
  const counts: number[] = [];
  await trainModel(
    model,
    train,
    train,
    { ...config, epochs: 4 },
    {
      onEpoch: async () => {
        counts.push(tf.memory().numTensors);
      },
    },
  );
  // Epoch 1 creates Adam's moments; after that the count must stay flat.
  assert.equal(counts[1], counts[2]);
  assert.equal(counts[2], counts[3]);
  model.dispose();
});

test('a GRU learns the planted ACG motif to over 95% held-out accuracy', async () => {
  const train = motifSet(600, 3);
  const valid = motifSet(200, 4);
  const model = SequenceModel.create(
    { ...info, architecture: { ...info.architecture, hiddenSize: 16, dropout: 0 } },
    3,
    new ReferenceCore(),
  );
  await trainModel(model, train, valid, { ...config, epochs: 25, patience: 0 });
  const result = evaluate(model, valid, 100);
  assert.ok(result.accuracy > 0.95, `held-out accuracy ${result.accuracy}`);
  assert.ok(result.auroc > 0.97, `held-out AUROC ${result.auroc}`);
  model.dispose();
});

test('a memory budget splits batches into micro-batches whose accumulated gradients match the full batch', async () => {
  const train = motifSet(64, 5);
  const plain = { ...info, architecture: { ...info.architecture, dropout: 0 } };
  const full = SequenceModel.create(plain, 2, new ReferenceCore());
  const reference = new ReferenceCore();
  let passes = 0;
  const counting = {
    name: 'counting',
    run: (args: Parameters<ReferenceCore['run']>[0]) => {
      passes++;
      return reference.run(args);
    },
  };
  const split = SequenceModel.create(plain, 2, counting);
  const perToken = trainingBytesPerToken(plain.architecture);
  await trainModel(full, train, undefined, { ...config, epochs: 1 });
  // Room for 5 sequences of 20 steps: every 32-sequence batch becomes 7 micro-batches.
  await trainModel(split, train, undefined, { ...config, epochs: 1, maxMemoryBytes: perToken * 20 * 5 });
  assert.equal(passes, 2 * 7, 'two batches of 32, seven micro-batches each');
  const a = new Float32Array(full.packWeights().data.buffer.slice(0));
  const b = new Float32Array(split.packWeights().data.buffer.slice(0));
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!))));
  assert.ok(worst < 1e-4, `weights differ by ${worst}`);
  await assert.rejects(
    trainModel(split, train, undefined, { ...config, epochs: 1, maxMemoryBytes: perToken * 10 }),
    /20-step sequence needs about .* GB .*--length/,
  );
  full.dispose();
  split.dispose();
});
