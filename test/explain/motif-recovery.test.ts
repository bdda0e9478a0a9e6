import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { trainModel } from '../../src/engine/trainer.js';
import type { LabelledSet } from '../../src/seq/training-set.js';
import { discoverMotifs, DEFAULT_MOTIF_OPTIONS, pfmCorrelation, type ExplainedSequence } from '../../src/explain/motifs.js';
import { positionImportance, scanMutations } from '../../src/explain/mutagenesis.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { plantedMotifFasta } from '../motif-data.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');
const MOTIF = 'GATTACA';

function motifSet(count: number, seed: number): { set: LabelledSet; sequences: string[] } {
  const { fasta } = plantedMotifFasta(count, 30, seed, MOTIF);
  const lines = fasta.trim().split('\n');
  const sequences = lines.filter((_, i) => i % 2 === 1);
  const labels = Int32Array.from(
    lines.filter((_, i) => i % 2 === 0),
    (header) => (header.endsWith('label=motif') ? 1 : 0),
  );
  return { set: { items: sequences.map((s) => encodeSequence(s, dna, null)), labels }, sequences };
}

function onehot(motif: string): number[][] {
  return [...motif].map((base) => dna.symbols.map((s) => (s === base ? 1 : 0)));
}

test('a model trained on a planted motif gives it back as the top motif (PFM correlation > 0.9)', async (t) => {
  const core = createNativeCore().core ?? new ReferenceCore();
  const info = {
    alphabet: 'dna',
    classes: ['background', 'motif'],
    inputLength: null,
    architecture: {
      cell: 'gru' as const,
      inputSize: 4,
      hiddenSize: 16,
      layers: 1,
      bidirectional: false,
      dropout: 0,
      pool: 'max' as const,
      numClasses: 2,
    },
  };
  const model = SequenceModel.create(info, 3, core);
  const train = motifSet(600, 21);
  await trainModel(model, train.set, undefined, { epochs: 15, batchSize: 32, learningRate: 0.01, clipNorm: 5, seed: 3, patience: 0 });
  const held = motifSet(120, 22);
  const explained: ExplainedSequence[] = held.sequences.map((sequence) => {
    const scan = scanMutations(model, dna, sequence, 0, 1, 2, 512);
    return { sequence, importance: positionImportance(scan, dna) };
  });
  model.dispose();
  const motifs = discoverMotifs(explained, dna.symbols, DEFAULT_MOTIF_OPTIONS);
  assert.ok(motifs.length >= 1, 'at least one motif');
  const top = motifs[0]!;
  const correlation = pfmCorrelation(top.counts, onehot(MOTIF));
  assert.ok(correlation > 0.9, `top motif ${top.consensus} (${top.sites} sites) correlates ${correlation.toFixed(3)} with ${MOTIF}`);
  assert.ok(top.sites >= 30, `${top.sites} supporting sites`);
  t.diagnostic(`recovered ${top.consensus} from ${top.sites} sites, r = ${correlation.toFixed(3)}`);
});
