import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { RnnseqError } from '../../src/errors.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { bedInput } from '../../src/io/bed.js';
import { loadFastaGenome } from '../../src/io/genome-source.js';
import { type GenomeTrainingPlan, type Reporter, buildGenomeSets, POSITIVE_LABEL } from '../../src/seq/genome-training.js';
import { AUTO_NEGATIVE_BASES, autoNegativesPerPositive } from '../../src/seq/negative-budget.js';
import { reverseComplementEncoded } from '../../src/seq/windows.js';
import { tempDir } from '../helpers.js';
import { writeFasta } from '../scan/scan-helpers.js';

const dna = getAlphabet('dna');
const quiet = { info() {}, warn() {} };

/** Background of varied GC (so matching has something to choose from), with GC-rich positive regions. */
function makeGenome(dir: string): { genome: string; positives: string; regions: Array<[string, number, number]> } {
  const random = new Random(5);
  const bases = (length: number, gc: number) => Array.from({ length }, () => (random.next() < gc ? 'GC' : 'AT')[random.int(2)]).join('');
  const regions: Array<[string, number, number]> = [];
  const records: Array<[string, string]> = [];
  for (const [name, length] of [
    ['chr1', 30000],
    ['chr2', 8000],
  ] as const) {
    let seq = '';
    while (seq.length < length) seq += bases(500, 0.2 + 0.6 * random.next());
    seq = seq.slice(0, length);
    for (let at = 300; at + 400 < length; at += 1500) {
      seq = seq.slice(0, at) + bases(120, 0.62) + seq.slice(at + 120);
      regions.push([name, at, at + 120]);
    }
    records.push([name, seq]);
  }
  const genome = writeFasta(dir, 'g.fa', records);
  const positives = join(dir, 'pos.bed');
  writeFileSync(positives, `${regions.map((r) => r.join('\t')).join('\n')}\n`);
  return { genome, positives, regions };
}

function plan(extra: Partial<GenomeTrainingPlan>): GenomeTrainingPlan {
  return {
    windowBp: 60,
    positiveWindows: 'centre',
    tileStrideBp: 30,
    negativesPerPositive: 1,
    validChroms: [],
    validRegions: [],
    excludeRegions: [],
    validFraction: 0.1,
    reverseComplement: true,
    seed: 1,
    ...extra,
  };
}

/** The genome and positives files opened as train --genome opens them, then the windows built. */
async function build(files: { genome: string; positives: string }, extra: Partial<GenomeTrainingPlan>, report: Reporter = quiet) {
  const genome = await loadFastaGenome(files.genome, { allowed: dna.allowed, alphabetLabel: dna.label });
  return buildGenomeSets(plan(extra), { genome, positives: bedInput(files.positives) }, dna, report);
}

const gcOf = (encoded: Float32Array) => {
  let gc = 0;
  for (let i = 0; i < encoded.length; i += 4) gc += encoded[i + 1]! + encoded[i + 2]!;
  return gc / (encoded.length / 4);
};

test("sampled negatives match the positives' GC, avoid positive regions, and come in strand pairs", async (t) => {
  const dir = tempDir(t);
  const { genome, positives } = makeGenome(dir);
  const sets = await build({ genome, positives }, { validChroms: ['chr2'] });
  const summary = sets.summary as {
    windows: { train: { positive: number; negative: number }; valid: { positive: number; negative: number } };
    meanGc: { positive: number; negative: number };
  };
  assert.deepEqual(summary.windows, { train: { positive: 20, negative: 20 }, valid: { positive: 5, negative: 5 } });
  assert.ok(Math.abs(summary.meanGc.positive - summary.meanGc.negative) < 0.03, `GC ${JSON.stringify(summary.meanGc)}`);
  const train = sets.train;
  assert.equal(train.items.length, 80);
  for (let i = 0; i < train.items.length; i += 2) {
    assert.deepEqual(train.items[i + 1]!.encoded, reverseComplementEncoded(train.items[i]!.encoded), 'pairs: forward, reverse complement');
    assert.equal(train.labels[i], train.labels[i + 1]);
  }
  const negatives = train.items.filter((_, i) => train.labels[i] !== POSITIVE_LABEL);
  const meanNegativeGc = negatives.reduce((s, item) => s + gcOf(item.encoded), 0) / negatives.length;
  assert.ok(meanNegativeGc > 0.5, `unmatched negatives would average ~0.5 GC at most; got ${meanNegativeGc}`);
  assert.equal(sets.validDescription, 'held out: chr2');
});

test('auto samples 2 Mbp of background, between 1 and 64 per positive, and says so; a small genome gives what it holds, without a warning', async (t) => {
  assert.equal(autoNegativesPerPositive(600, 100), 33.33);
  assert.equal(autoNegativesPerPositive(50_000, 200), 1, 'a large peak set keeps one per positive');
  assert.equal(autoNegativesPerPositive(5, 100), 64, 'a handful of positives gets at most 64 each');
  assert.equal(autoNegativesPerPositive(400, 250), AUTO_NEGATIVE_BASES / (400 * 250), '20 per positive at 250 bp');
  const dir = tempDir(t);
  const { genome, positives } = makeGenome(dir);
  const warnings = [] as string[];
  const sets = await build(
    { genome, positives },
    { validChroms: ['chr2'], negativesPerPositive: 'auto' },
    { info() {}, warn: (m) => warnings.push(m) },
  );
  const summary = sets.summary as { negatives: string; windows: Record<string, { positive: number; negative: number }> };
  // 25 positive windows of 60 bp: 2 Mbp would be 33,333 each, so the cap, 64 each.
  assert.match(summary.negatives, /^sampled: 64 per positive \(auto\), GC- and N-matched/);
  assert.equal(summary.windows.train!.negative + summary.windows.valid!.negative, 1600);
  assert.equal(warnings.length, 0, warnings.join('\n'));
  // A genome too small for what the user asked warns; under auto the amount was ours and it does not.
  await build({ genome, positives }, { validChroms: ['chr2'], negativesPerPositive: 2000 }, { info() {}, warn: (m) => warnings.push(m) });
  assert.match(warnings.join('\n'), /only \d+ of 50000 negatives could be sampled away from the positives/);
  // 1 kb windows: positives every 1.5 kb leave little background, and auto takes what there is, quietly.
  const quietly = [] as string[];
  const wide = await build(
    { genome, positives },
    { validChroms: ['chr2'], negativesPerPositive: 'auto', windowBp: 1000 },
    { info() {}, warn: (m) => quietly.push(m) },
  );
  const wideNegatives = wide.train.labels.filter((l) => l !== POSITIVE_LABEL).length;
  assert.ok(wideNegatives < 2 * 25 * 64, `${wideNegatives} negatives`);
  assert.equal(quietly.length, 0, quietly.join('\n'));
});

test('windows straddling a validation region or touching an excluded region are dropped; tiling covers long regions', async (t) => {
  const dir = tempDir(t);
  const { genome } = makeGenome(dir);
  const positives = join(dir, 'p.bed');
  writeFileSync(positives, 'chr1\t1000\t1100\nchr1\t5000\t5100\nchr1\t9000\t9100\nchr2\t100\t220\n');
  const sets = await build(
    { genome, positives },
    {
      windowBp: 40,
      positiveWindows: 'tile',
      tileStrideBp: 20,
      reverseComplement: false,
      validRegions: [{ chrom: 'chr1', start: 4990, end: 5080 }],
      excludeRegions: [{ chrom: 'chr1', start: 9050, end: 9051 }],
    },
  );
  const summary = sets.summary as { windows: Record<string, { positive: number }> };
  // chr1:1000-1100 tiles at 1000, 1020, 1040, 1060 (train); 5000-5100: 5000, 5020, 5040 inside the validation region,
  // 5060 straddles its end; 9000-9100: 9020 and 9040 touch the excluded base, 9000 and 9060 train;
  // chr2: 100, 120, 140, 160, 180 (train).
  assert.equal(summary.windows.train!.positive, 11);
  assert.equal(summary.windows.valid!.positive, 3);
});

test('a positive region past the end of its sequence is an error naming the line; unknown sequences are skipped', async (t) => {
  const dir = tempDir(t);
  const { genome } = makeGenome(dir);
  const positives = join(dir, 'p.bed');
  writeFileSync(positives, 'chrUn\t0\t10\nchr1\t100\t200\nchr2\t1000\t1100\n');
  const warnings = [] as string[];
  await build({ genome, positives }, { validFraction: 0 }, { info() {}, warn: (m) => warnings.push(m) });
  assert.match(warnings.join('\n'), /1 region\(s\) on 1 sequence\(s\) not in .* skipped \(e\.g\. chrUn\)/);
  writeFileSync(positives, 'chr1\t100\t200\n\nchr2\t7990\t8010\n');
  await assert.rejects(
    build({ genome, positives }, {}),
    (e: unknown) => e instanceof RnnseqError && /p\.bed:3: region ends at 8010, past the end of chr2 \(8000 bp/.test(e.message),
  );
  await assert.rejects(build({ genome, positives }, { validChroms: ['chrX'] }), /--valid-chroms chrX: .* has no sequence/);
});
