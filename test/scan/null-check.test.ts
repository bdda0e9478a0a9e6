import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNull, reportClassNullChecks, reportNullCheck } from '../../src/commands/train/null-check.js';
import { nullAvoids, windowScores } from '../../src/commands/train/scanner-calibration.js';
import { Logger } from '../../src/log.js';
import { buildNullDistribution } from '../../src/scan/null-model.js';
import { Random } from '../../src/seq/random.js';

// Background probabilities of the class: logistic scores around -3, as a scanner gives most background windows.
const random = new Random(5);
const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const background = Float32Array.from({ length: 20000 }, () => logistic(-3 + 1.2 * Math.log(random.next() / (1 - random.next() + 1e-12))));
const dist = buildNullDistribution(background);

/** Validation windows: `positives` scores then `negatives` scores, two classes per item (background, positive). */
function windows(positives: number[], negatives: number[]) {
  const scores = [...positives, ...negatives];
  const probs = new Float32Array(scores.length * 2);
  scores.forEach((p, i) => {
    probs[2 * i] = 1 - p;
    probs[2 * i + 1] = p;
  });
  return { probs, labels: Int32Array.from(scores, (_, i) => (i < positives.length ? 1 : 0)) };
}

/** The check as train runs it: the windows' scores combined as scan combines them, then the positives' p-values. */
function check(probs: Float32Array, labels: Int32Array, strandPairs: boolean) {
  const windows = windowScores(probs, labels, strandPairs);
  return checkNull(windows.scores[windows.main]!, windows.isPositive, dist);
}

function captured(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s.trim()) } as unknown as NodeJS.WriteStream;
  return { logger: new Logger({}, stream), lines };
}

test('the null check counts validation positives beyond background, ignores negatives, and advises only when few stand out', () => {
  // Sites far above anything in the background: every one at p <= 1e-4.
  const strong = windows(Array(40).fill(logistic(12)), Array(400).fill(logistic(14)));
  const high = check(strong.probs, strong.labels, false)!;
  assert.equal(high.positives, 40, 'negatives are not counted, however high they score');
  assert.deepEqual(high.shares, [1, 1, 1]);
  const quiet = captured();
  reportNullCheck(high, 1, quiet.logger);
  assert.equal(quiet.lines.length, 1);
  assert.match(quiet.lines[0]!, /100% at p <= 0.001, 100% at p <= 0.0001, 100% at p <= 0.00001/);

  // Sites that score like the background's upper half: none reaches 1e-3, and the user hears what to do.
  const weak = windows(
    Array.from({ length: 50 }, (_, i) => logistic(-3 + i / 25)),
    [],
  );
  const low = check(weak.probs, weak.labels, false)!;
  assert.deepEqual(low.shares, [0, 0, 0]);
  assert.ok(low.medianP > 0.05 && low.medianP < 0.6, `median p ${low.medianP}`);
  const sampled = captured();
  reportNullCheck(low, 33.33, sampled.logger);
  assert.match(
    sampled.lines.join('\n'),
    /few validation positives stand out .*more sampled background than 33\.33 per positive \(--negatives-per-positive, up to 100\)/,
  );
  const fromBed = captured();
  reportNullCheck(low, undefined, fromBed.logger);
  assert.match(fromBed.lines.join('\n'), /more background in --negatives/);
  assert.doesNotMatch(fromBed.lines.join('\n'), /--negatives-per-positive/);
});

test('with strand pairs a window counts by the higher of its two strands, as scan combines them', () => {
  // Items alternate forward / reverse complement; the site is seen on the reverse strand only.
  const probs = Float32Array.from([0.99, 0.01, 1 - logistic(12), logistic(12), 0.99, 0.01, 0.99, 0.01]);
  const labels = Int32Array.from([1, 1, 0, 0]);
  const paired = check(probs, labels, true)!;
  assert.equal(paired.positives, 1);
  assert.deepEqual(paired.shares, [1, 1, 1]);
  assert.equal(check(probs, Int32Array.from([0, 0, 0, 0]), true), undefined, 'no positives, no check');
});

test('a classifier reports every class against its own null and warns, by name, about each class with enough validation sequences that does not stand out', () => {
  const classCheck = (scores: number[]) =>
    checkNull(
      Float32Array.from(scores),
      scores.map(() => true),
      dist,
    )!;
  const site = classCheck(Array(20).fill(logistic(12)));
  const other = classCheck(Array.from({ length: 30 }, (_, i) => logistic(-3 + i / 30)));
  const both = captured();
  reportClassNullChecks(
    [
      { name: 'site', check: site },
      { name: 'other', check: other },
    ],
    both.logger,
  );
  assert.match(both.lines[0]!, /site 100% at p <= 1e-4 .*, 20\); other 0\.0% at p <= 1e-4/);
  assert.equal(both.lines.length, 2);
  assert.match(both.lines[1]!, /warning: few validation sequences of other \(0\.0% at p <= 1e-4\) stand out .*scan --class other --fdr/);

  const strong = captured();
  reportClassNullChecks([{ name: 'site', check: site }], strong.logger);
  assert.equal(strong.lines.length, 1, 'a class that stands out gets no warning');

  const few = captured();
  reportClassNullChecks([{ name: 'other', check: classCheck([0.1, 0.2, 0.3]) }], few.logger);
  assert.equal(few.lines.length, 1, 'three validation sequences are too few to warn about');

  // 100 background windows beside 20 sites: the background not standing out is expected, the sites' is not.
  const background = classCheck(Array.from({ length: 100 }, (_, i) => logistic(-3 + i / 100)));
  const weakSite = classCheck(Array(20).fill(logistic(-2)));
  const family = captured();
  reportClassNullChecks(
    [
      { name: 'te', check: site },
      { name: 'bg', check: background },
    ],
    family.logger,
  );
  assert.equal(family.lines.length, 1, 'the class with 5x the others is the background: no warning for it');
  const weakFamily = captured();
  reportClassNullChecks(
    [
      { name: 'te', check: weakSite },
      { name: 'bg', check: background },
    ],
    weakFamily.logger,
  );
  assert.equal(weakFamily.lines.length, 2);
  assert.match(weakFamily.lines[1]!, /few validation sequences of te \(0\.0% at p <= 1e-4\)/);
  assert.doesNotMatch(weakFamily.lines[1]!, /bg \(/);
});

test("the scanner null leaves out the windows trained on as negatives, unless that leaves under 5% of the genome's windows", () => {
  const lengths = [{ name: 'chr', length: 10_000 }];
  const positive = [{ chrom: 'chr', start: 0, end: 100 }];
  const some = [{ chrom: 'chr', start: 1000, end: 3000 }];
  const ample = captured();
  assert.deepEqual(nullAvoids(positive, some, lengths, 100, true, ample.logger), {
    regions: [...positive, ...some],
    trainedNegatives: true,
  });
  assert.equal(ample.lines.length, 0);
  // Negatives tiling all but 300 bp: 2% of the starts are left, so the null takes them and says so.
  const most = [{ chrom: 'chr', start: 100, end: 9700 }];
  const sampled = captured();
  assert.deepEqual(nullAvoids(positive, most, lengths, 100, true, sampled.logger), { regions: positive, trainedNegatives: false });
  assert.match(
    sampled.lines.join('\n'),
    /leave 2\.\d% of the genome's windows: the null includes windows the model trained on.*a smaller --negatives-per-positive/,
  );
  const fromBed = captured();
  nullAvoids(positive, most, lengths, 100, false, fromBed.logger);
  assert.match(fromBed.lines.join('\n'), /fewer regions in --negatives\)$/);
});
