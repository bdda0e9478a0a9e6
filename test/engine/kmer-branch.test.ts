/**
 * kmer-branch.ts: its feature rows are the k-mer baseline's own (padding and N included); a model started from a
 * fitted baseline predicts exactly the baseline's probabilities, two classes and three, on the tensor path and the
 * native one; the checkpoint keeps the branch and rejects a malformed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Architecture } from '../../src/engine/architecture.js';
import { validateSpec } from '../../src/engine/checkpoint.js';
import { fitKmerBaselineEncoded } from '../../src/engine/kmer-baseline.js';
import { baselineFeatures, kmerFeatures } from '../../src/engine/kmer-features.js';
import { kmerBranchProblem, kmerBranchRows, kmerBranchSize, startFromBaseline } from '../../src/engine/kmer-branch.js';
import { nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { loadModel, saveModel } from '../../src/commands/shared/checkpoints.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { packBatch } from '../../src/seq/batch.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { symbolCodesOfEncoded } from '../../src/seq/kmer-counts.js';
import { Random } from '../../src/seq/random.js';
import { RnnseqError } from '../../src/errors.js';
import { tempDir, useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');
const protein = getAlphabet('protein');

/** Sequences whose class is their GC-richness (two classes) or which of three dinucleotides they repeat. */
function task(count: number, seed: number, classes: 2 | 3): { seqs: string[]; labels: Int32Array } {
  const random = new Random(seed);
  const seqs: string[] = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const length = 30 + random.int(31);
    let s = '';
    while (s.length < length) {
      if (classes === 2) s += random.next() < (label === 1 ? 0.65 : 0.35) ? 'GC'[random.int(2)] : 'AT'[random.int(2)];
      else s += random.next() < 0.3 ? ['AC', 'GT', 'CA'][label] : 'ACGT'[random.int(4)];
    }
    seqs.push(i === 3 ? `${s.slice(0, 10)}NN${s.slice(12, length)}` : s.slice(0, length));
    labels[i] = label;
  }
  return { seqs, labels };
}

function recipeArch(kmers: Architecture['kmers'], numClasses: number, inputSize = 4): Architecture {
  return {
    cell: 'lstm',
    inputSize,
    hiddenSize: 6,
    layers: 1,
    bidirectional: true,
    dropout: 0.1,
    pool: 'max',
    numClasses,
    task: 'classify',
    conv: { filters: 5, width: 5, pool: 2, dropout: 0.1, skip: true },
    kmers,
  };
}

test("the branch's rows are the baseline's features, padding and N breaking k-mers as they do there", () => {
  const { seqs } = task(9, 1, 2);
  const items = seqs.map((s) => encodeSequence(s, dna, null));
  for (const spec of [
    { k: 3, strands: 'canonical' as const },
    { k: 2, strands: 'forward' as const },
  ]) {
    const batch = packBatch(items, 4);
    assert.ok(batch.mask, 'ragged lengths: a padded batch');
    const rows = kmerBranchRows(spec, batch.x, batch.batch, batch.steps, 4);
    const expected = kmerFeatures(
      items.map((item) => symbolCodesOfEncoded(item, 4)),
      spec,
      4,
    );
    assert.equal(rows.columns, kmerBranchSize(spec, 4));
    assert.deepEqual([...rows.rowStart], [...expected.rowStart]);
    assert.deepEqual([...rows.column], [...expected.column]);
    assert.deepEqual([...rows.value], [...expected.value]);
  }
});

const cores = [
  ['tensor path', () => new ReferenceCore()],
  ...(nativeStatus().available ? [['native', () => new NativeCore()] as const] : []),
] as const;

for (const classes of [2, 3] as const)
  for (const [path, core] of cores)
    test(`a model started from the baseline predicts the baseline's probabilities: ${classes} classes, ${path}`, () => {
      const train = task(120, 2, classes);
      const valid = task(40, 3, classes);
      const encode = (set: { seqs: string[]; labels: Int32Array }) => ({
        items: set.seqs.map((s) => encodeSequence(s, dna, null)),
        labels: set.labels,
      });
      const baseline = fitKmerBaselineEncoded(encode(train), encode(valid), dna, { numClasses: classes });
      assert.ok(baseline.validMetric > 0.8, `the data has a k-mer signal (${baseline.validMetric})`);
      const arch = recipeArch({ k: baseline.k, strands: baseline.strands }, classes);
      const model = SequenceModel.create(
        { alphabet: 'dna', classes: ['a', 'b', 'c'].slice(0, classes), architecture: arch, inputLength: null },
        7,
        core(),
      );
      startFromBaseline(model.params, arch, baseline.model);
      const items = encode(valid).items;
      const got = model.predict(packBatch(items, 4));
      const expected = baseline.predictEncoded(items);
      assert.equal(got.length, expected.length);
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-5, `[${i}] ${got[i]} vs ${expected[i]}`);
      model.dispose();
    });

/** 40 bp, every sequence carrying GATTACA: near the start in class 1, near the end in class 0 (only place tells). */
function placedTask(count: number, seed: number): { items: ReturnType<typeof encodeSequence>[]; labels: Int32Array } {
  const random = new Random(seed);
  const labels = new Int32Array(count);
  const items = Array.from({ length: count }, (_, i) => {
    labels[i] = i % 2;
    const bases = Array.from({ length: 40 }, () => 'ACGT'[random.int(4)]!);
    const at = labels[i] === 1 ? 1 + random.int(4) : 28 + random.int(4);
    for (let j = 0; j < 7; j++) bases[at + j] = 'GATTACA'[j]!;
    return encodeSequence(bases.join(''), dna, null);
  });
  return { items, labels };
}

for (const [path, core] of cores)
  test(`positional features: the baseline chooses them where place is the signal, and a branch over them starts as the baseline (${path})`, () => {
    const train = placedTask(160, 4);
    const valid = placedTask(60, 5);
    const whole = fitKmerBaselineEncoded(train, valid, dna, { numClasses: 2 });
    const positional = fitKmerBaselineEncoded(train, valid, dna, { numClasses: 2, positions: 40 });
    assert.equal(whole.bins, undefined);
    assert.equal(positional.bins, 40, positional.describe());
    assert.match(positional.describe(), /^[12]-mers at each of 40 positions, lambda /);
    assert.ok(positional.validMetric > whole.validMetric + 0.1, `${positional.validMetric} vs ${whole.validMetric}`);

    const spec = { k: positional.k, strands: positional.strands, bins: 40 };
    const batch = packBatch(valid.items, 4);
    const rows = kmerBranchRows(spec, batch.x, batch.batch, batch.steps, 4);
    const expected = baselineFeatures(
      valid.items.map((item) => symbolCodesOfEncoded(item, 4)),
      spec,
      4,
    );
    assert.equal(rows.columns, kmerBranchSize(spec, 4));
    assert.equal(rows.columns, 4 ** spec.k * 40);
    assert.deepEqual([...rows.column], [...expected.column]);
    assert.deepEqual([...rows.value], [...expected.value]);

    const arch = recipeArch(spec, 2);
    const model = SequenceModel.create({ alphabet: 'dna', classes: ['a', 'b'], architecture: arch, inputLength: 40 }, 7, core());
    startFromBaseline(model.params, arch, positional.model);
    const got = model.predict(batch);
    const want = positional.predictEncoded(valid.items);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `[${i}] ${got[i]} vs ${want[i]}`);
    assert.match(kmerBranchProblem({ ...arch, kmers: { ...spec, bins: 0 } })!, /bins must be a positive integer/);
    model.dispose();
  });

test('the checkpoint keeps the branch and its weights; a malformed branch is a bad checkpoint', async (t) => {
  const dir = tempDir(t);
  const arch = recipeArch({ k: 2, strands: 'forward' }, 3, protein.size);
  const model = SequenceModel.create(
    { alphabet: 'protein', classes: ['a', 'b', 'c'], architecture: arch, inputLength: null },
    3,
    new ReferenceCore(),
  );
  const branch = model.params.get('kmers.kernel')!;
  assert.deepEqual(branch.shape, [protein.size ** 2, 3]);
  branch.assign(tf.add(branch, 0.5));
  await saveModel(join(dir, 'ckpt'), model, { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'reference' });
  const { model: loaded } = await loadModel(join(dir, 'ckpt'), new ReferenceCore());
  const batch = packBatch(
    ['MKVLAAGIVG', 'PPPKKRRAAW'].map((s) => encodeSequence(s, protein, null)),
    protein.size,
  );
  assert.deepEqual([...loaded.predict(batch)], [...model.predict(batch)]);
  assert.deepEqual([...(loaded.params.get('kmers.kernel')!.dataSync() as Float32Array)].slice(0, 3), [0.5, 0.5, 0.5]);

  assert.match(kmerBranchProblem({ ...arch, kmers: { k: 2, strands: 'canonical' } })!, /non-nucleotide/);
  assert.match(kmerBranchProblem({ ...arch, kmers: { k: 0, strands: 'forward' } })!, /positive integer/);
  assert.match(kmerBranchProblem({ ...arch, kmers: { k: 4, strands: 'forward' } })!, /too many columns/);
  const specFile = join(dir, 'ckpt', 'rnnseq.json');
  const spec = JSON.parse(readFileSync(specFile, 'utf8'));
  spec.architecture.kmers.strands = 'both';
  writeFileSync(specFile, JSON.stringify(spec));
  assert.throws(
    () => validateSpec(JSON.parse(readFileSync(specFile, 'utf8')), specFile),
    (e: unknown) => e instanceof RnnseqError && /kmers\.strands/.test(e.message),
  );
  model.dispose();
  loaded.dispose();
});
