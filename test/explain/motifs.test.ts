import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MOTIF_OPTIONS,
  discoverMotifs,
  findSeqlets,
  formatJaspar,
  formatMeme,
  informationContent,
  pfmCorrelation,
  type ExplainedSequence,
} from '../../src/explain/motifs.js';
import { Random } from '../../src/seq/random.js';

const SYMBOLS = ['A', 'C', 'G', 'T'];

/** Random sequences with `motif` at a random place in each, importance 1 on the motif and small noise elsewhere. */
function synthetic(count: number, motif: string, seed: number, length = 30): ExplainedSequence[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const at = random.int(length - motif.length + 1);
    let sequence = Array.from({ length }, () => SYMBOLS[random.int(4)]).join('');
    sequence = sequence.slice(0, at) + motif + sequence.slice(at + motif.length);
    const importance = Float32Array.from({ length }, (_, i) => (i >= at && i < at + motif.length ? 0.2 : 0.002));
    return { sequence, importance };
  });
}

test('seqlets are the best non-overlapping windows, strongest first, above the score floor', () => {
  const importance = Float32Array.from([0, 0, 0.5, 0.5, 0, 0, 0, 0.1, 0.1, 0]);
  const seqlets = findSeqlets([{ sequence: 'ACGTACGTAC', importance }], { ...DEFAULT_MOTIF_OPTIONS, width: 2, minScore: 0.15 });
  assert.deepEqual(
    seqlets.map((s) => [s.start, Number(s.score.toFixed(3))]),
    [
      [2, 1],
      [7, 0.2],
    ],
  );
});

test('two planted motifs come back as two clusters, trimmed to the motif, ranked by importance', () => {
  const explained = [...synthetic(40, 'TGACGTCA', 1), ...synthetic(20, 'CCAAT', 2)];
  const motifs = discoverMotifs(explained, SYMBOLS, DEFAULT_MOTIF_OPTIONS);
  assert.equal(motifs.length, 2, motifs.map((m) => m.consensus).join(' '));
  assert.equal(motifs[0]!.consensus, 'TGACGTCA');
  assert.equal(motifs[0]!.sites, 40);
  assert.equal(motifs[1]!.consensus, 'CCAAT');
  assert.equal(motifs[1]!.sites, 20);
  assert.deepEqual(motifs[1]!.counts[0], [0, 20, 0, 0]);
});

test('PFM correlation aligns the shorter matrix inside the longer one', () => {
  const acg = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ];
  const flanked = [[3, 3, 3, 3], ...acg.map((c) => c.map((v) => v * 12)), [3, 3, 3, 3]];
  assert.ok(Math.abs(pfmCorrelation(acg, flanked) - 1) < 1e-9);
  assert.ok(
    pfmCorrelation(
      [
        [0, 0, 0, 1],
        [0, 0, 1, 0],
        [0, 1, 0, 0],
      ],
      acg,
    ) < 0.2,
  );
  assert.equal(informationContent([5, 0, 0, 0]), 2);
  assert.equal(informationContent([1, 1, 1, 1]), 0);
});

test('motifs are written in MEME (frequencies, nsites) and JASPAR (counts) text formats', () => {
  const motif = {
    counts: [
      [9, 1, 0, 0],
      [0, 0, 10, 0],
    ],
    sites: 10,
    score: 3,
    consensus: 'AG',
  };
  const meme = formatMeme([motif], SYMBOLS);
  assert.match(meme, /^MEME version 4\n\nALPHABET= ACGT\n/);
  assert.match(
    meme,
    /\nMOTIF rnnseq_1 AG\nletter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0\n0\.900000 0\.100000 0\.000000 0\.000000\n0\.000000 0\.000000 1\.000000 0\.000000\n/,
  );
  assert.equal(
    formatJaspar([motif], SYMBOLS),
    '>rnnseq_1\tAG sites=10\nA [    9    0 ]\nC [    1    0 ]\nG [    0   10 ]\nT [    0    0 ]\n',
  );
});
