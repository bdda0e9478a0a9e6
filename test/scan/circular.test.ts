import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowScorer } from '../../src/scan/scanner.js';
import { normaliseIntervals, parseRegion, shardIntervals } from '../../src/seq/regions.js';
import { tempDir } from '../helpers.js';
import { hashScorer, motifScorer, randomBases, scanText, settings, writeFasta } from './scan-helpers.js';

const MOTIF = 'GATTACAG';
const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
const reverseComplement = (s: string) =>
  [...s]
    .reverse()
    .map((c) => COMPLEMENT[c]!)
    .join('');
const withoutMotif = (s: string) => s.replaceAll(new RegExp(`${MOTIF}|${reverseComplement(MOTIF)}`, 'g'), 'AAAAAAAA');

/** A 300 bp sequence whose only motif copy has its first 3 bases at the end and its last 5 at the start. */
function acrossOrigin(seed: number): string {
  const seq = MOTIF.slice(3) + withoutMotif(randomBases(292, seed)) + MOTIF.slice(0, 3);
  assert.equal(seq.length, 300);
  assert.equal((seq + seq).indexOf(MOTIF), 297, 'the motif occupies unrolled [297, 305)');
  assert.equal(seq.indexOf(MOTIF), -1);
  return seq;
}

const grid = { windowBp: 20, strideBp: 5 };

test('a motif planted across the origin is called only on a circular sequence, as two lines that share the call', async (t) => {
  const dir = tempDir(t);
  const seq = acrossOrigin(3);
  const linear = writeFasta(dir, 'linear.fa', [['chr', seq]]);
  assert.equal((await scanText(linear, settings({ grid }), motifScorer(MOTIF))).bed, '', 'no window of a linear sequence holds the motif');

  // Windows 285, 290 and 295 hold the whole motif: unrolled [285, 315), folded into [285, 300) and [0, 15).
  const expected = 'chr\t0\t15\thit\t990\t.\t0.9900\t0.9900\t3\nchr\t285\t300\thit\t990\t.\t0.9900\t0.9900\t3\n';
  assert.equal((await scanText(linear, settings({ grid, circular: true }), motifScorer(MOTIF))).bed, expected, '--circular');
  for (const header of ['chr topology=circular', 'chr [topology=Circular] [organism=Yersinia pestis]', 'chr circular=true']) {
    const tagged = writeFasta(dir, 'tagged.fa', [[header, seq]]);
    assert.equal((await scanText(tagged, settings({ grid }), motifScorer(MOTIF))).bed, expected, header);
  }
  const minus = writeFasta(dir, 'minus.fa', [['chr topology=circular', reverseComplement(seq)]]);
  assert.equal(
    (await scanText(minus, settings({ grid }), motifScorer(MOTIF))).bed,
    'chr\t0\t15\thit\t990\t.\t0.9900\t0.9900\t3\nchr\t285\t300\thit\t990\t.\t0.9900\t0.9900\t3\n',
    'the reverse complement of the plasmid holds the site across the origin too, at the mirrored place',
  );
  const core = await scanText(linear, settings({ grid, circular: true, extent: 'core' }), motifScorer(MOTIF));
  assert.equal(
    core.bed,
    'chr\t0\t7\thit\t990\t.\t0.9900\t0.9900\t3\nchr\t292\t300\thit\t990\t.\t0.9900\t0.9900\t3\n',
    'window cores 292-297, 297-302, 302-307',
  );
});

test('windows near the end of a circular sequence run on into its first bases', async (t) => {
  const dir = tempDir(t);
  const seq = randomBases(47, 5);
  const file = writeFasta(
    dir,
    'g.fa',
    [
      ['c topology=circular', seq],
      ['short topology=circular', 'ACGTACG'],
    ],
    7,
  );
  const seen: string[] = [];
  const { stats } = await scanText(file, settings({ strand: '+', threshold: 2 }), hashScorer(seen), { chunkBp: 5 });
  // A window every 4 bp from 0 to 44; none ends exactly at the end (no tail window on a circle).
  assert.deepEqual(
    seen,
    Array.from({ length: 12 }, (_, i) => (seq + seq).slice(4 * i, 4 * i + 10)),
  );
  assert.deepEqual(stats.shortSequences, ['short'], 'a circular sequence shorter than a window has no windows');
  assert.equal(stats.circularSequences, 2);
});

test('a call crossing the origin joins the first call when they touch, and a call around the whole circle is one line', async (t) => {
  const dir = tempDir(t);
  // Second motif at [8, 16): windows 0 and 5 hold it, unrolled calls [285, 315) and [300, 325) overlap.
  const seq = acrossOrigin(4);
  const joined = seq.slice(0, 8) + MOTIF + seq.slice(16);
  const file = writeFasta(dir, 'g.fa', [
    ['p topology=circular', joined],
    ['q topology=circular', randomBases(103, 6)],
  ]);
  const always: WindowScorer = (batch) => new Float32Array(batch.batch).fill(0.7);
  const { bed } = await scanText(file, settings({ grid, batchWindows: 7 }), motifScorer(MOTIF));
  assert.equal(bed, 'p\t0\t25\thit\t990\t.\t0.9900\t0.9900\t5\np\t285\t300\thit\t990\t.\t0.9900\t0.9900\t5\n');
  const whole = await scanText(file, settings(), always);
  assert.equal(
    whole.bed,
    'p\t0\t300\thit\t700\t.\t0.7000\t0.7000\t75\nq\t0\t103\thit\t700\t.\t0.7000\t0.7000\t26\n',
    'every window called',
  );
});

test('bedGraph bins of a circular sequence tile it exactly once, sorted, the last bin folded over the origin', async (t) => {
  const dir = tempDir(t);
  for (const g of [
    { windowBp: 10, strideBp: 4 },
    { windowBp: 9, strideBp: 2 },
    { windowBp: 5, strideBp: 5 },
    { windowBp: 20, strideBp: 3 },
  ]) {
    for (const length of [g.windowBp, g.windowBp + 1, 37, 40, 41]) {
      const file = writeFasta(dir, 'g.fa', [['c topology=circular', randomBases(length, length)]]);
      const { bedgraph, stats } = await scanText(file, settings({ grid: g, threshold: 2 }), hashScorer());
      const bins = bedgraph
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(1, 3).map(Number) as [number, number]);
      let at = 0;
      for (const [start, end] of bins) {
        assert.equal(start, at, `grid ${g.windowBp}/${g.strideBp}, length ${length}: bins touch, from 0`);
        assert.ok(end > start);
        at = end;
      }
      assert.equal(at, length, `grid ${g.windowBp}/${g.strideBp}, length ${length}: bins end at the end`);
      assert.equal(stats.windowsScored, Math.ceil(length / g.strideBp));
    }
  }
});

test('the chunk size of the FASTA stream does not change a circular scan', async (t) => {
  const dir = tempDir(t);
  const file = writeFasta(
    dir,
    'g.fa',
    [
      ['a topology=circular', randomBases(503, 11)],
      ['b', randomBases(77, 12)],
      ['c topology=circular', acrossOrigin(13)],
    ],
    13,
  );
  const whole = await scanText(file, settings({ threshold: 0.3 }), hashScorer());
  assert.match(whole.bed, /^a\t0\t/m, 'a call crosses the origin of a');
  for (const chunkBp of [1, 9, 64]) {
    const chunked = await scanText(file, settings({ threshold: 0.3 }), hashScorer(), { chunkBp });
    assert.equal(chunked.bed, whole.bed, `chunkBp ${chunkBp}`);
    assert.equal(chunked.bedgraph, whole.bedgraph, `chunkBp ${chunkBp}`);
  }
});

test('shards and regions of circular sequences concatenate to exactly the whole-genome output', async (t) => {
  const dir = tempDir(t);
  const records: Array<[string, string]> = [
    ['a topology=circular', randomBases(611, 21)],
    ['b', randomBases(9, 22)],
    ['c [topology=circular]', randomBases(403, 23)],
    ['d', randomBases(57, 24)],
    ['e circular=true', acrossOrigin(25)],
  ];
  const file = writeFasta(dir, 'g.fa', records);
  const lengths = records.map(([header, seq]) => ({ name: header.split(' ')[0]!, length: seq.length }));
  const motifOrHash: WindowScorer = (batch) => {
    const hashed = hashScorer()(batch);
    const motif = motifScorer(MOTIF)(batch);
    return hashed.map((p, r) => Math.max(p * 0.6, motif[r]!));
  };
  const variants: Array<[string, ReturnType<typeof settings>, WindowScorer]> = [
    ['window', settings({ threshold: 0.2 }), hashScorer()],
    ['sparse', settings({ threshold: 0.5 }), motifOrHash],
    ['stride = window', settings({ grid: { windowBp: 12, strideBp: 12 }, batchWindows: 3, threshold: 0.3 }), hashScorer()],
    ['core', settings({ extent: 'core', threshold: 0.3 }), hashScorer()],
    ['motif grid', settings({ grid, batchWindows: 5 }), motifOrHash],
    ['everything called', settings({ threshold: 0 }), hashScorer()],
  ];
  let crossings = 0;
  for (const [label, scan, scorer] of variants) {
    const whole = await scanText(file, scan, scorer, { chunkBp: 50 });
    assert.ok(whole.bed.length > 0, label);
    crossings += (whole.bed.match(/^[ace]\t0\t/gm) ?? []).length;
    for (const count of [2, 3, 5, 40]) {
      let bed = '';
      let bedgraph = '';
      for (let index = 1; index <= count; index++) {
        const part = await scanText(file, scan, scorer, { chunkBp: 50, owned: shardIntervals(lengths, undefined, { index, count }) });
        bed += part.bed;
        bedgraph += part.bedgraph;
      }
      assert.equal(bed, whole.bed, `${label}: ${count} shards`);
      assert.equal(bedgraph, whole.bedgraph, `${label}: ${count} shards`);
    }
    let bed = '';
    let bedgraph = '';
    for (const region of ['a:1-3', 'a:4-100', 'a:101-590', 'a:591-', 'b', 'c:1-17', 'c:18-', 'd', 'e:1-280', 'e:281-']) {
      const part = await scanText(file, scan, scorer, { owned: normaliseIntervals([parseRegion(region)]) });
      bed += part.bed;
      bedgraph += part.bedgraph;
    }
    assert.equal(bed, whole.bed, `${label}: regions`);
    assert.equal(bedgraph, whole.bedgraph, `${label}: regions`);
  }
  assert.ok(crossings >= 6, `calls cross the origin in these runs (${crossings})`);
});
