import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { regionInput } from '../../src/io/bed-regions.js';
import { loadFastaGenome } from '../../src/io/genome-source.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import type { EncodedSequence } from '../../src/seq/batch.js';
import { type GenomeTrainingPlan, POSITIVE_LABEL, buildGenomeSets, splitter } from '../../src/seq/genome-training.js';
import type { GenomeInterval } from '../../src/seq/regions.js';
import { Random } from '../../src/seq/random.js';
import { tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const dna = getAlphabet('dna');
const quiet = { info() {}, warn() {} };

function plan(extra: Partial<GenomeTrainingPlan>): GenomeTrainingPlan {
  return {
    windowBp: 40,
    positiveWindows: 'centre',
    tileStrideBp: 20,
    negativesPerPositive: 1,
    validChroms: [],
    validRegions: [],
    excludeRegions: [],
    validFraction: 0,
    reverseComplement: false,
    seed: 3,
    ...extra,
  };
}

const decode = (item: EncodedSequence) =>
  Array.from({ length: item.length }, (_, t) => 'ACGT'[[0, 1, 2, 3].find((k) => item.encoded[t * 4 + k] === 1)!]).join('');

test('narrowPeak positives are centred on the summit (start + column 10), on the middle where it is -1, clamped at a sequence end', async (t) => {
  const dir = tempDir(t);
  const chr1 = randomBases(6000, 11);
  const chr2 = randomBases(2000, 12);
  const genomeFile = writeFasta(dir, 'g.fa', [
    ['chr1', chr1],
    ['chr2', chr2],
  ]);
  const peaks = join(dir, 'p.narrowPeak');
  writeFileSync(
    peaks,
    [
      'chr1\t1000\t1400\tp1\t900\t.\t7.5\t12.0\t10.0\t50',
      'chr1\t3000\t3100\tp2\t900\t.\t7.5\t-1\t-1\t-1',
      'chr2\t10\t400\tp3\t900\t.\t7.5\t-1\t-1\t5',
      '',
    ].join('\n'),
  );
  const genome = await loadFastaGenome(genomeFile, { allowed: dna.allowed, alphabetLabel: dna.label });
  const sets = await buildGenomeSets(plan({}), { genome, positives: regionInput(peaks) }, dna, quiet);
  const positives = sets.train.items.filter((_, i) => sets.train.labels[i] === POSITIVE_LABEL).map(decode);
  // Summit 1050 -> window [1030, 1070); no summit -> the middle window [3030, 3070); summit 15 -> [-5, 35), clamped to [0, 40).
  assert.deepEqual(positives.sort(), [chr1.slice(1030, 1070), chr1.slice(3030, 3070), chr2.slice(0, 40)].sort());
  // A plain BED of the same intervals centres on their middles.
  writeFileSync(join(dir, 'p.bed'), 'chr1\t1000\t1400\nchr1\t3000\t3100\nchr2\t10\t400\n');
  const plain = await buildGenomeSets(plan({}), { genome, positives: regionInput(join(dir, 'p.bed')) }, dna, quiet);
  assert.deepEqual(
    plain.train.items
      .filter((_, i) => plain.train.labels[i] === POSITIVE_LABEL)
      .map(decode)
      .sort(),
    [chr1.slice(1180, 1220), chr1.slice(3030, 3070), chr2.slice(185, 225)].sort(),
  );
});

test('excluded intervals (a blacklist of hundreds) keep out every window touching them, positives and sampled negatives alike', async (t) => {
  const dir = tempDir(t);
  const chr1 = randomBases(40000, 21);
  const genomeFile = writeFasta(dir, 'g.fa', [['chr1', chr1]]);
  const random = new Random(9);
  const excluded: GenomeInterval[] = Array.from({ length: 400 }, () => {
    const start = random.int(39900);
    return { chrom: 'chr1', start, end: start + 1 + random.int(60) };
  });
  const peaks: Array<[number, number]> = [];
  for (let at = 100; at + 200 < chr1.length; at += 250) peaks.push([at, at + 100]);
  writeFileSync(join(dir, 'p.bed'), `${peaks.map(([s, e]) => `chr1\t${s}\t${e}`).join('\n')}\n`);
  const genome = await loadFastaGenome(genomeFile, { allowed: dna.allowed, alphabetLabel: dna.label });
  const sets = await buildGenomeSets(
    plan({ excludeRegions: excluded }),
    { genome, positives: regionInput(join(dir, 'p.bed')) },
    dna,
    quiet,
  );

  const touches = (start: number) => excluded.some((r) => start < r.end && start + 40 > r.start);
  const expectedPositives = peaks.map(([s, e]) => Math.floor((s + e - 40) / 2)).filter((start) => !touches(start));
  assert.ok(expectedPositives.length > 20 && expectedPositives.length < peaks.length, 'some positives are excluded, not all');
  const windows = sets.train.items.map((item, i) => ({
    start: chr1.indexOf(decode(item)),
    positive: sets.train.labels[i] === POSITIVE_LABEL,
  }));
  assert.ok(windows.every((w) => w.start >= 0));
  assert.deepEqual(
    windows
      .filter((w) => w.positive)
      .map((w) => w.start)
      .sort((a, b) => a - b),
    expectedPositives,
  );
  const negatives = windows.filter((w) => !w.positive);
  assert.ok(negatives.length > 20);
  assert.deepEqual(
    negatives.filter((w) => touches(w.start)),
    [],
    'no sampled negative touches an excluded interval',
  );

  // The sorted-interval splitter agrees with the plain rule on every start, and 'touching' is sharing a base.
  const split = splitter(plan({ excludeRegions: excluded }), 40);
  for (let start = 0; start + 40 <= chr1.length; start += 7)
    assert.equal(split('chr1', start) === 'drop', touches(start), `start ${start}`);
  const one = splitter(plan({ excludeRegions: [{ chrom: 'chr1', start: 100, end: 110 }] }), 40);
  assert.deepEqual(
    [one('chr1', 60), one('chr1', 61), one('chr1', 109), one('chr1', 110), one('chr2', 100)],
    ['train', 'drop', 'drop', 'train', 'train'],
  );
});

test('jittered positives (the recipe): each centred window moves by up to the jitter, for regions as long as the window too, same seed same windows', async (t) => {
  const dir = tempDir(t);
  const chr1 = randomBases(60000, 31);
  const genomeFile = writeFasta(dir, 'g.fa', [['chr1', chr1]]);
  // 10 bp sites every 500 bp; windows of 40 bp, jitter up to 5 bp.
  const sites = Array.from({ length: 100 }, (_, i) => [500 + 500 * i, 510 + 500 * i] as const);
  writeFileSync(join(dir, 's.bed'), sites.map(([s, e]) => `chr1\t${s}\t${e}\n`).join(''));
  const genome = await loadFastaGenome(genomeFile, { allowed: dna.allowed, alphabetLabel: dna.label });
  const offsets = async (jitter: number) => {
    const sets = await buildGenomeSets(
      plan({ positiveJitterBp: jitter }),
      { genome, positives: regionInput(join(dir, 's.bed')) },
      dna,
      quiet,
    );
    const windows = sets.train.items.filter((_, i) => sets.train.labels[i] === POSITIVE_LABEL).map(decode);
    // Where each site sits in its window (the windows come in site order).
    return windows.map((w, i) => chr1.indexOf(w) - (sites[i]![0] - 15));
  };
  assert.deepEqual(new Set(await offsets(0)), new Set([0]), 'no jitter: exactly centred');
  const jittered = await offsets(5);
  assert.ok(
    jittered.every((o) => Math.abs(o) <= 5),
    `offsets ${jittered}`,
  );
  assert.ok(new Set(jittered).size >= 8, `offsets vary: ${[...new Set(jittered)]}`);
  assert.ok(jittered.some((o) => o % 2 !== 0) && jittered.some((o) => o % 2 === 0), 'both phases of a pool of 2');
  assert.deepEqual(await offsets(5), jittered, 'same seed, same windows');
  // Regions as long as the window move too (scan meets them off centre, one end cut), by no more than the jitter.
  const starts = Array.from({ length: 30 }, (_, i) => 1000 + 1000 * i);
  writeFileSync(join(dir, 'l.bed'), starts.map((s) => `chr1\t${s}\t${s + 40}\n`).join(''));
  const long = await buildGenomeSets(plan({ positiveJitterBp: 5 }), { genome, positives: regionInput(join(dir, 'l.bed')) }, dna, quiet);
  const moved = long.train.items
    .filter((_, i) => long.train.labels[i] === POSITIVE_LABEL)
    .map((w, i) => chr1.indexOf(decode(w)) - starts[i]!);
  assert.equal(moved.length, 30);
  assert.ok(moved.every((o) => Math.abs(o) <= 5) && new Set(moved).size >= 6, `offsets ${moved}`);
});
