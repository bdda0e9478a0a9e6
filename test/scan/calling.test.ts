import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { benjaminiHochberg } from '../../src/scan/fdr.js';
import { buildNullDistribution, nullPValue, probabilityAtP } from '../../src/scan/null-model.js';
import { fitGpd, gpdLogSurvival } from '../../src/scan/tail-fit.js';
import { dinucleotideShuffle } from '../../src/seq/shuffle.js';
import {
  type CandidateLine,
  formatCircular,
  formatHeader,
  formatWindow,
  formatWindowCount,
  parseCandidateLine,
} from '../../src/scan/candidates.js';
import { MIN_CALL_PROB, gatherCalls, planGather } from '../../src/scan/gather.js';
import { fdrSummary, noCallsHint } from '../../src/commands/scan/calling.js';
import { emptyStats, scanChunks } from '../../src/scan/scanner.js';
import { readFastaChunks } from '../../src/io/fasta.js';
import { tempDir } from '../helpers.js';
import { hashScorer, randomBases, settings, writeFasta } from './scan-helpers.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('the GPD fit recovers a known shape and scale, and a bounded tail becomes the exponential', () => {
  const random = new Random(5);
  // Inverse CDF of the GPD: x = sigma / xi * ((1 - u)^-xi - 1).
  const draw = (xi: number, sigma: number) => Array.from({ length: 3000 }, () => (sigma / xi) * ((1 - random.next()) ** -xi - 1));
  const heavy = fitGpd(draw(0.3, 2));
  assert.ok(Math.abs(heavy.shape - 0.3) < 0.08 && Math.abs(heavy.scale - 2) < 0.25, JSON.stringify(heavy));
  const exponential = fitGpd(Array.from({ length: 3000 }, () => -Math.log(1 - random.next()) * 1.5));
  assert.ok(Math.abs(exponential.shape) < 0.06 && Math.abs(exponential.scale - 1.5) < 0.15, JSON.stringify(exponential));
  const bounded = fitGpd(Array.from({ length: 3000 }, () => random.next())); // uniform: xi = -1
  assert.equal(bounded.shape, 0);
  assert.ok(Math.abs(bounded.scale - 0.5) < 0.03, 'mean excess');
  assert.ok(gpdLogSurvival(10, bounded) < 0 && Number.isFinite(gpdLogSurvival(1e6, bounded)));
});

test('null p-values are calibrated on fresh null draws, far into the tail, and never rise with the score', () => {
  // Logistic-distributed logits (a heavier-than-Gaussian, exponential tail): P(logit > s) = sigmoid(-s).
  const random = new Random(7);
  const logistic = () => {
    const u = random.next();
    return Math.log(u) - Math.log1p(-u);
  };
  const dist = buildNullDistribution(Array.from({ length: 20000 }, () => sigmoid(logistic())));
  for (const s of [-1, 0, 2, 4, 7, 10, 14]) {
    const truth = sigmoid(-s);
    const p = nullPValue(dist, sigmoid(s));
    assert.ok(p / truth > 0.6 && p / truth < 1.7, `score ${s}: p ${p} vs true ${truth}`);
  }
  // Far beyond the largest of 20,000 null scores (p < 5e-5), the tail still answers near the truth.
  assert.ok(nullPValue(dist, sigmoid(14)) < 1e-5);
  let previous = 1;
  for (let prob = 0.001; prob < 1; prob += 0.001) {
    const p = nullPValue(dist, prob);
    assert.ok(p <= previous + 1e-15, `p rises at ${prob}`);
    previous = p;
  }
  // Fresh draws: the share with p <= alpha is alpha.
  const fresh = Array.from({ length: 50000 }, () => nullPValue(dist, sigmoid(logistic())));
  for (const alpha of [0.05, 0.01, 0.001]) {
    const share = fresh.filter((p) => p <= alpha).length / fresh.length;
    assert.ok(share > alpha * 0.7 && share < alpha * 1.35, `alpha ${alpha}: ${share}`);
  }
  const cut = probabilityAtP(dist, 0.01);
  assert.ok(nullPValue(dist, cut) <= 0.01 && nullPValue(dist, cut * 0.999) > 0.0099);
});

test('Benjamini-Hochberg matches the textbook step-up on a worked example', () => {
  // m = 10 tests, the 6 smallest given as candidates (the rest are above alpha and never kept).
  const p = Float64Array.from([0.001, 0.008, 0.039, 0.041, 0.042, 0.06]);
  const bh = benjaminiHochberg(p, 10, 0.05);
  // p_(k) <= 0.05 k / 10: k = 1 (0.005), 2 (0.01); k = 3 needs 0.015 < 0.039; so the cut is 0.008.
  assert.equal(bh.cutoff, 0.008);
  assert.ok(Math.abs(bh.qValue(0.001) - 0.01) < 1e-12);
  assert.ok(Math.abs(bh.qValue(0.008) - 0.04) < 1e-12);
  assert.ok(Math.abs(bh.qValue(0.039) - 0.084) < 1e-12, 'min over later ranks: 0.042 * 10 / 5');
  assert.equal(benjaminiHochberg(Float64Array.from([0.04]), 1000, 0.05).cutoff, -1);
});

test('a window under MIN_CALL_PROB is not called however small its p: the model itself says background', async () => {
  const lines = [
    formatHeader({ name: 'te', strand: '.', fdr: 0.05, reachBp: 0 }),
    formatWindow({ chrom: 'c', start: 0, end: 100, anchor: 0, prob: 0.99, p: 1e-6 }),
    formatWindow({ chrom: 'c', start: 500, end: 600, anchor: 500, prob: 0.04, p: 2e-6 }),
    formatWindow({ chrom: 'c', start: 900, end: 1000, anchor: 900, prob: MIN_CALL_PROB, p: 3e-6 }),
    formatWindowCount(1000),
  ].map((l) => parseCandidateLine(l.trimEnd()) as CandidateLine);
  const source = async function* () {
    yield* lines;
  };
  const plan = await planGather(source);
  assert.ok(plan.bh.cutoff >= 3e-6, 'all three pass the BH cut');
  const called: Array<[number, number]> = [];
  for await (const { regions } of gatherCalls(source, plan)) for (const r of regions) called.push([r.start, r.bestP]);
  assert.deepEqual(called, [
    [0, 1e-6],
    [900, 3e-6],
  ]);
});

test('a dinucleotide shuffle keeps every adjacent pair count and the ends, and is seeded', () => {
  const bases = randomBases(500, 3);
  const codes = Uint8Array.from(bases, (c) => 'ACGT'.indexOf(c));
  const pairs = (s: ArrayLike<number>) => {
    const counts = new Map<number, number>();
    for (let i = 0; i + 1 < s.length; i++) counts.set(s[i]! * 4 + s[i + 1]!, (counts.get(s[i]! * 4 + s[i + 1]!) ?? 0) + 1);
    return [...counts].sort((a, b) => a[0] - b[0]);
  };
  const shuffled = dinucleotideShuffle(codes, new Random(1));
  assert.deepEqual(pairs(shuffled), pairs(codes));
  assert.equal(shuffled[0], codes[0]);
  assert.equal(shuffled[499], codes[499]);
  assert.notDeepEqual(Array.from(shuffled), Array.from(codes));
  assert.deepEqual(dinucleotideShuffle(codes, new Random(1)), shuffled);
});

test('candidate lines round-trip', () => {
  const lines = [
    formatHeader({ name: 'hit', strand: '.', fdr: 0.05, reachBp: 9 }),
    formatWindow({ chrom: 'c', start: 5, end: 15, anchor: 5, prob: Math.fround(0.123456789), p: 0.0123456 }),
    formatCircular('c', 100),
    formatWindowCount(42),
  ];
  const parsed = lines.map((l) => parseCandidateLine(l.trimEnd()) as CandidateLine);
  assert.deepEqual(
    parsed.map((l) => l.kind),
    ['header', 'window', 'circular', 'windows'],
  );
  const window = parsed[1] as Extract<CandidateLine, { kind: 'window' }>;
  assert.equal(Math.fround(window.window.prob), Math.fround(0.123456789), 'a float32 survives');
  assert.match(parseCandidateLine('a\tb') as string, /expected 6/);
});

test('--fdr calling: planted sites are found, background makes about no calls, and the whole equals the gathered parts', async (t) => {
  const dir = tempDir(t);
  const motif = 'GATTACAGGC';
  const background = hashScorer();
  // Background windows score like the hash (about uniform); windows holding the motif score near 1.
  const scorer = (batch: Parameters<typeof background>[0]) => {
    const base = background(batch);
    const rows = Array.from({ length: batch.batch }, (_, r) => {
      let text = '';
      for (let s = 0; s < batch.steps; s++) {
        const at = (r * batch.steps + s) * 4;
        text += 'ACGTN'[[0, 1, 2, 3].find((c) => batch.x[at + c] === 1) ?? 4];
      }
      return text;
    });
    return base.map((p, r) => (rows[r]!.includes(motif) ? 0.9999999 : p * 0.999));
  };
  // The null: the same scorer on background windows from elsewhere.
  const nullFile = writeFasta(dir, 'null.fa', [['n', randomBases(40000, 99).replaceAll(motif, 'AAAAAAAAAA')]]);
  const nullProbs: number[] = [];
  const s = settings({ grid: { windowBp: 20, strideBp: 5 }, strand: '+', threshold: Infinity, windowScores: false, batchWindows: 8 });
  for await (const _ of scanChunks(
    readFastaChunks(nullFile),
    undefined,
    { ...s, onWindow: (_c, _s, _e, _a, prob) => nullProbs.push(prob) },
    scorer,
    emptyStats(),
    nullFile,
  ))
    void _;
  const dist = buildNullDistribution(nullProbs);

  const sites: number[] = [];
  let planted = randomBases(60000, 5).replaceAll(motif, 'AAAAAAAAAA');
  for (let at = 1000; at < 30000; at += 3000) {
    planted = planted.slice(0, at) + motif + planted.slice(at + motif.length);
    sites.push(at);
  }
  const file = writeFasta(dir, 'g.fa', [
    ['planted', planted.slice(0, 30000)],
    ['empty', planted.slice(30000)],
  ]);
  const candidatesOf = async (owned?: Map<string, Array<[number, number]>>) => {
    let text = formatHeader({ name: 'hit', strand: '+', fdr: 0.05, reachBp: 19 });
    const stats = emptyStats();
    const hooks = {
      onWindow: (chrom: string, start: number, end: number, anchor: number, prob: number) => {
        const p = nullPValue(dist, prob);
        if (p <= 0.05) text += formatWindow({ chrom, start, end, anchor, prob, p });
      },
    };
    for await (const _ of scanChunks(readFastaChunks(file, { chunkBp: 777 }), owned, { ...s, ...hooks }, scorer, stats, file)) void _;
    return { text: text + formatWindowCount(stats.windowsScored), windows: stats.windowsScored };
  };
  const gather = async (text: string) => {
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => parseCandidateLine(l) as CandidateLine);
    const source = async function* () {
      yield* lines;
    };
    const plan = await planGather(source);
    const ps = lines.flatMap((l) => (l.kind === 'window' ? [l.window.p] : []));
    assert.equal(plan.smallestP, Math.min(...ps), 'the plan keeps the smallest candidate p');
    const out: string[] = [];
    for await (const { chrom, regions } of gatherCalls(source, plan))
      for (const r of regions) out.push(`${chrom}\t${r.start}\t${r.end}\t${r.bestP.toPrecision(3)}\t${r.q.toPrecision(3)}`);
    return out;
  };
  const whole = await candidatesOf();
  const share = (whole.text.split('\n').length - 3) / whole.windows;
  assert.ok(share > 0.03 && share < 0.075, `about 5% of the windows have p <= 0.05: ${share}`);
  const calls = await gather(whole.text);
  const onSite = (line: string) =>
    sites.some(
      (at) => line.startsWith('planted\t') && Number(line.split('\t')[1]) <= at && Number(line.split('\t')[2]) >= at + motif.length,
    );
  assert.equal(
    sites.filter((at) =>
      calls.some((c) => c.startsWith('planted\t') && Number(c.split('\t')[1]) <= at && Number(c.split('\t')[2]) >= at + 10),
    ).length,
    sites.length,
    calls.join('\n'),
  );
  assert.ok(calls.filter((c) => !onSite(c)).length <= 1, `false calls: ${calls.filter((c) => !onSite(c)).join('; ')}`);
  assert.ok(calls.every((c) => Number(c.split('\t')[4]) <= 0.05));

  // Two parts, split inside the planted sequence: their candidates concatenated give exactly the whole's calls.
  const first = await candidatesOf(new Map([['planted', [[0, 12345]]]]));
  const second = await candidatesOf(
    new Map<string, Array<[number, number]>>([
      ['planted', [[12345, Infinity]]],
      ['empty', [[0, Infinity]]],
    ]),
  );
  assert.deepEqual(await gather(first.text + second.text), calls);
});

test('with no call, the FDR scan says how far its best window was from one', () => {
  const base = { calls: 0, windows: 8000, cutoff: -1, fdr: 0.05 };
  assert.equal(noCallsHint({ ...base, calls: 3, cutoff: 1e-5, smallestP: 1e-6 }), undefined, 'calls made: nothing to explain');
  assert.equal(noCallsHint({ ...base, windows: 0, smallestP: Number.POSITIVE_INFINITY }), undefined, 'nothing scanned');
  assert.match(
    noCallsHint({ ...base, smallestP: 1.2e-4 })!,
    /no call at FDR 0\.05: the smallest window p-value was 0\.00012, and one call needs p <= 0\.0000063 over 8000 windows/,
  );
  assert.match(noCallsHint({ ...base, smallestP: Number.POSITIVE_INFINITY })!, /no window reached p <= 0\.05/);
  assert.match(
    fdrSummary({ ...base, smallestP: 1.2e-4 }),
    /^FDR 0\.05: 0 calls; windows with p <= \(none\) called \(Benjamini-Hochberg over 8000 windows\)$/,
  );
});
