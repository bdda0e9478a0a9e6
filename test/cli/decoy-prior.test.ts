import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decoyPriorShifts, removeDecoyPrior } from '../../src/commands/train/decoy-prior.js';
import { loadModel, saveModel } from '../../src/commands/shared/checkpoints.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { Logger } from '../../src/log.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { packBatch } from '../../src/seq/batch.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { Random } from '../../src/seq/random.js';
import { tempDir, useCpuBackend } from '../helpers.js';

await useCpuBackend();
const core = new ReferenceCore();
const dna = getAlphabet('dna');

function captured(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s.trim()) } as unknown as NodeJS.WriteStream;
  return { logger: new Logger({}, stream), lines };
}

test("taking the added priors off multiplies every item's odds by each class's n / (n + added), rescores validation, and happens once", async (t) => {
  const dir = join(tempDir(t), 'best');
  const random = new Random(11);
  const items = Array.from({ length: 24 }, () => encodeSequence(Array.from({ length: 30 }, () => 'ACGT'[random.int(4)]).join(''), dna, 30));
  const valid = { items, labels: Int32Array.from(items, (_, i) => i % 2) };
  const model = SequenceModel.create(
    {
      alphabet: 'dna',
      classes: ['bg', 'te'],
      inputLength: 30,
      architecture: { cell: 'lstm', inputSize: 4, hiddenSize: 5, layers: 1, bidirectional: true, dropout: 0, pool: 'max', numClasses: 2 },
    },
    3,
    core,
  );
  const batch = packBatch(items, 4);
  const before = model.predict(batch);
  const spec = {
    training: { decoys: { background: 'bg', source: 'te', perSequence: 4, k: 2, added: 80 } },
    data: {},
    metrics: { validAccuracy: 0.5 },
  };
  await saveModel(dir, model, { ...spec, backend: 'cpu', engine: 'reference' });
  model.dispose();

  // 80 decoys joined 120 background items, 30 moved copies 10 family items.
  const prior = {
    added: [
      { label: 0, items: 120, added: 80 },
      { label: 1, items: 10, added: 30 },
    ],
  };
  const shifts = decoyPriorShifts(prior, 2);
  assert.ok(Math.abs(shifts[0]! - Math.log(120 / 200)) < 1e-6 && Math.abs(shifts[1]! - Math.log(10 / 40)) < 1e-6, String(shifts));
  const log = captured();
  const unleaned = await removeDecoyPrior(dir, core, prior, valid, 8, log.logger);
  const { model: shifted, spec: stored } = await loadModel(dir, core);
  const after = shifted.predict(batch);
  shifted.dispose();
  for (let i = 0; i < items.length; i++) {
    const odds = (p: Float32Array) => p[2 * i]! / p[2 * i + 1]!;
    assert.ok(Math.abs(odds(after) / odds(before) - 0.6 / 0.25) < 1e-3, `item ${i}: odds ${odds(before)} -> ${odds(after)}`);
  }
  assert.deepEqual((stored.training.decoys as { priorShift: Record<string, number> }).priorShift, { bg: shifts[0], te: shifts[1] });
  const metrics = stored.metrics as { validAccuracy: number; validLoss: number };
  assert.deepEqual(unleaned, { validLoss: metrics.validLoss, validAccuracy: metrics.validAccuracy });
  // The stored predictions are the shifted model's.
  const rows = readFileSync(join(dir, 'valid-predictions.tsv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(rows.length, items.length);
  rows.forEach((row, i) => assert.ok(Math.abs(Number(row.split('\t')[1]) - after[2 * i]!) < 1e-5, row));
  assert.equal(log.lines.length, 1);
  assert.match(
    log.lines[0]!,
    /^rnnseq: decoys: logits shifted by the priors the added training sequences brought \(bg -0\.511, te -1\.386\): validation accuracy 50\.00% -> \d+\.\d\d%$/,
  );

  // A second call (a resumed run whose best epoch came before its stop) leaves the shifted model as it is.
  const again = captured();
  assert.deepEqual(await removeDecoyPrior(dir, core, prior, valid, 8, again.logger), unleaned);
  const { model: same } = await loadModel(dir, core);
  assert.deepEqual(Array.from(same.predict(batch)), Array.from(after));
  same.dispose();
  assert.equal(again.lines.length, 0);
});
