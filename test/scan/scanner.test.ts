import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { normaliseIntervals, parseRegion, shardIntervals } from '../../src/seq/regions.js';
import { tempDir, useCpuBackend } from '../helpers.js';
import { hashScorer, motifScorer, randomBases, scanText, settings, writeFasta } from './scan-helpers.js';

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
const reverseComplement = (s: string) =>
  [...s]
    .reverse()
    .map((c) => COMPLEMENT[c]!)
    .join('');

test('scan scores every window to the sequence end and skips windows with too many N', async (t) => {
  const dir = tempDir(t);
  const a = `${randomBases(20, 1)}NNNNNN${randomBases(21, 2)}`; // 47 bp, N at [20, 26)
  const file = writeFasta(
    dir,
    'g.fa',
    [
      ['a', a],
      ['short', 'ACGTACG'],
      ['b', randomBases(10, 3)],
    ],
    7,
  );
  const seen: string[] = [];
  const { bedgraph, stats } = await scanText(file, settings({ strand: '+', threshold: 2 }), hashScorer(seen), { chunkBp: 5 });
  const expected = [0, 4, 8, 12, 24, 28, 32, 36, 37].map((s) => a.slice(s, s + 10)); // 16, 20 have 6 N; 37 is the tail
  assert.deepEqual(seen, [...expected, randomBases(10, 3)]);
  assert.equal(stats.windowsSkippedN, 2);
  assert.deepEqual(stats.shortSequences, ['short']);
  assert.deepEqual(
    bedgraph
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3).join(' ')),
    ['a 3 7', 'a 7 11', 'a 11 15', 'a 15 19', 'a 27 31', 'a 31 35', 'a 35 39', 'a 39 43', 'a 43 44', 'b 3 7'],
  );
});

test('a motif planted on the minus strand is found on both strands and on -, not on +', async (t) => {
  const dir = tempDir(t);
  const motif = 'GATTACAG';
  const seq = randomBases(150, 7).replaceAll(/GATTACAG|CTGTAATC/g, 'AAAAAAAA') + reverseComplement(motif) + randomBases(150, 8);
  assert.equal(seq.indexOf(motif), -1, 'only the reverse complement is in the forward sequence');
  const file = writeFasta(dir, 'g.fa', [['chr', seq]]);
  const grid = { windowBp: 20, strideBp: 5 };
  const both = await scanText(file, settings({ grid }), motifScorer(motif));
  assert.equal(both.bed, 'chr\t140\t170\thit\t990\t.\t0.9900\t0.9900\t3\n', 'windows 140, 145 and 150 hold the whole site');
  assert.equal((await scanText(file, settings({ grid, strand: '-' }), motifScorer(motif))).bed, both.bed);
  assert.equal((await scanText(file, settings({ grid, strand: '+' }), motifScorer(motif))).bed, '');
  const mean = await scanText(file, settings({ grid, rcCombine: 'mean' }), motifScorer(motif));
  assert.match(mean.bed, /^chr\t140\t170\thit\t500\t\.\t0\.5000/, 'mean of 0.99 and 0.01');
  const core = await scanText(file, settings({ grid, extent: 'core' }), motifScorer(motif));
  assert.equal(core.bed, 'chr\t147\t162\thit\t990\t.\t0.9900\t0.9900\t3\n', 'with --extent core, the central 5 bp of each window');
});

test('the chunk size of the FASTA stream does not change the output', async (t) => {
  const dir = tempDir(t);
  const file = writeFasta(
    dir,
    'g.fa',
    [
      ['a', randomBases(503, 11)],
      ['b', randomBases(77, 12)],
    ],
    13,
  );
  const whole = await scanText(file, settings(), hashScorer());
  assert.ok(whole.bed.split('\n').length > 10);
  for (const chunkBp of [1, 9, 64]) {
    const chunked = await scanText(file, settings(), hashScorer(), { chunkBp });
    assert.equal(chunked.bed, whole.bed, `chunkBp ${chunkBp}`);
    assert.equal(chunked.bedgraph, whole.bedgraph, `chunkBp ${chunkBp}`);
  }
});

test('shards and regions concatenate to exactly the whole-genome output', async (t) => {
  const dir = tempDir(t);
  const records: Array<[string, string]> = [
    ['a', randomBases(611, 21)],
    ['b', randomBases(9, 22)],
    ['c', randomBases(403, 23)],
    ['d', randomBases(57, 24)],
  ];
  const file = writeFasta(dir, 'g.fa', records);
  const lengths = records.map(([name, seq]) => ({ name, length: seq.length }));
  const variants = [
    settings(),
    settings({ threshold: 0.2 }),
    settings({ grid: { windowBp: 12, strideBp: 12 }, batchWindows: 3 }),
    settings({ extent: 'core', threshold: 0.3 }),
  ];
  for (const scan of variants) {
    const whole = await scanText(file, scan, hashScorer(), { chunkBp: 50 });
    assert.ok(whole.bed.length > 0);
    for (const count of [2, 3, 5, 40]) {
      let bed = '';
      let bedgraph = '';
      for (let index = 1; index <= count; index++) {
        const part = await scanText(file, scan, hashScorer(), { chunkBp: 50, owned: shardIntervals(lengths, undefined, { index, count }) });
        bed += part.bed;
        bedgraph += part.bedgraph;
      }
      assert.equal(bed, whole.bed, `${count} shards, threshold ${scan.threshold}`);
      assert.equal(bedgraph, whole.bedgraph, `${count} shards`);
    }
    let bed = '';
    for (const region of ['a:1-100', 'a:101-301', 'a:302-', 'b', 'c:1-17', 'c:18-', 'd']) {
      bed += (await scanText(file, scan, hashScorer(), { owned: normaliseIntervals([parseRegion(region)]) })).bed;
    }
    assert.equal(bed, whole.bed, 'regions');
  }
});

test('scanning with a real model leaves no tensors behind across batches', async (t) => {
  await useCpuBackend();
  const dir = tempDir(t);
  const file = writeFasta(dir, 'g.fa', [['a', randomBases(900, 41)]]);
  const model = SequenceModel.create(
    {
      alphabet: 'dna',
      classes: ['background', 'hit'],
      inputLength: 10,
      architecture: { cell: 'lstm', inputSize: 4, hiddenSize: 4, layers: 1, bidirectional: false, dropout: 0, pool: 'mean', numClasses: 2 },
    },
    3,
    new ReferenceCore(),
  );
  const score = (batch: Parameters<typeof model.predict>[0]) => {
    const probs = model.predict(batch);
    return Float32Array.from({ length: batch.batch }, (_, r) => probs[r * 2 + 1]!);
  };
  await scanText(file, settings({ batchWindows: 64 }), score);
  const before = tf.memory().numTensors;
  const again = await scanText(file, settings({ batchWindows: 64 }), score);
  assert.ok(again.bedgraph.split('\n').length > 200, 'several batches');
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
