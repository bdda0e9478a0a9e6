import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { trainModel } from '../../src/engine/trainer.js';
import { saliency } from '../../src/explain/saliency.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { plantedMotifFasta } from '../motif-data.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');
const MOTIF = 'GATTACA';
const native = createNativeCore().core;

function info(cell: 'gru' | 'lstm', bidirectional: boolean) {
  return {
    alphabet: 'dna',
    classes: ['background', 'motif'],
    inputLength: null,
    architecture: { cell, inputSize: 4, hiddenSize: 16, layers: 1, bidirectional, dropout: 0, pool: 'max' as const, numClasses: 2 },
  };
}

test('saliency is the same through the native kernels and the tfjs reference', () => {
  assert.ok(native, 'native kernels are built');
  const sequences = ['ACGTTGCAAGT', 'GGATTACAGG', 'TTTTNACGA'];
  const items = sequences.map((s) => encodeSequence(s, dna, null)); // unequal lengths: padded and masked
  const viaNative = SequenceModel.create(info('lstm', true), 4, native!);
  const viaReference = SequenceModel.create(info('lstm', true), 4, new ReferenceCore());
  const a = saliency(viaNative, items, 1);
  const b = saliency(viaReference, items, 1);
  sequences.forEach((s, i) => {
    assert.equal(a[i]!.length, s.length);
    let scale = 1e-6;
    b[i]!.forEach((v) => (scale = Math.max(scale, Math.abs(v))));
    a[i]!.forEach((v, pos) => assert.ok(Math.abs(v - b[i]![pos]!) / scale < 1e-3, `sequence ${i} position ${pos}: ${v} vs ${b[i]![pos]}`));
  });
  viaNative.dispose();
  viaReference.dispose();
});

test('saliency peaks on the planted motif in a model trained to find it', async () => {
  const model = SequenceModel.create(info('gru', false), 3, native ?? new ReferenceCore());
  const { fasta } = plantedMotifFasta(600, 30, 21, MOTIF);
  const lines = fasta.trim().split('\n');
  const labels = Int32Array.from(
    lines.filter((_, i) => i % 2 === 0),
    (h) => (h.endsWith('label=motif') ? 1 : 0),
  );
  const train = { items: lines.filter((_, i) => i % 2 === 1).map((s) => encodeSequence(s, dna, null)), labels };
  await trainModel(model, train, undefined, { epochs: 15, batchSize: 32, learningRate: 0.01, clipNorm: 5, seed: 3, patience: 0 });
  const held = plantedMotifFasta(100, 30, 22, MOTIF).fasta.trim().split('\n');
  const positives = held.filter((_, i) => i % 2 === 1 && held[i - 1]!.endsWith('label=motif'));
  const scores = saliency(
    model,
    positives.map((s) => encodeSequence(s, dna, null)),
    1,
  );
  let onMotif = 0;
  positives.forEach((sequence, i) => {
    const row = scores[i]!;
    const peak = row.indexOf(Math.max(...row));
    for (let at = sequence.indexOf(MOTIF); at >= 0; at = sequence.indexOf(MOTIF, at + 1)) {
      if (peak >= at && peak < at + MOTIF.length) {
        onMotif++;
        break;
      }
    }
  });
  model.dispose();
  assert.ok(onMotif / positives.length > 0.8, `saliency peaked on the motif in ${onMotif}/${positives.length} positives`);
});
