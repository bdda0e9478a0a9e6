import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFastaChunks } from '../../src/io/fasta.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import type { OwnedStarts } from '../../src/seq/regions.js';
import { byteEncodingTable, windowCount, windowStart } from '../../src/seq/windows.js';
import { type PositionScorer, type TrackSettings, emptyTrackStats, scanTrack } from '../../src/scan/track.js';
import { BinWriter } from '../../src/scan/track-bins.js';
import { TrackAccumulator } from '../../src/scan/track-combine.js';
import { type TrackRun, RunCaller, circularRunLines } from '../../src/scan/track-runs.js';
import { tempDir } from '../helpers.js';
import { randomBases, writeFasta } from './scan-helpers.js';

function trackSettings(overrides: Partial<TrackSettings> = {}): TrackSettings {
  return {
    grid: { windowBp: 40, strideBp: 20 },
    batchWindows: 3,
    maxN: 4,
    strand: '+',
    rcCombine: 'mean',
    threshold: 0.5,
    mergeGapBp: 0,
    minRunBp: 1,
    binBp: 1,
    channels: 4,
    encoding: byteEncodingTable(getAlphabet('dna')),
    ...overrides,
  };
}

/** Reads 0.9 at every A the model is shown and 0.1 elsewhere, so the true track of each strand mode is known. */
const markA: PositionScorer = (batch) => {
  const out = new Float32Array(batch.batch * batch.steps);
  for (let i = 0; i < out.length; i++) out[i] = batch.x[i * batch.channels] === 1 ? 0.9 : 0.1;
  return out;
};

async function scanToText(
  file: string,
  settings: TrackSettings,
  owned?: OwnedStarts,
  chunkBp = 37,
): Promise<{ runs: TrackRun[]; perBase: Map<number, number>; bins: Array<[number, number]>; windows: number }> {
  const stats = emptyTrackStats();
  const runs: TrackRun[] = [];
  const perBase = new Map<number, number>();
  const bins: Array<[number, number]> = [];
  for await (const event of scanTrack(readFastaChunks(file, { chunkBp }), owned, settings, markA, stats, file)) {
    runs.push(...event.runs);
    for (const bin of event.bins) {
      bins.push([bin.start, bin.end]);
      for (let p = bin.start; p < bin.end; p++) perBase.set(p, bin.value);
    }
  }
  return { runs, perBase, bins, windows: stats.windowsScored };
}

/** Bases inside a window with at most maxN N (the windows the scan keeps). */
function coveredBases(seq: string, settings: TrackSettings): Set<number> {
  const { windowBp: W } = settings.grid;
  const covered = new Set<number>();
  for (let i = 0; i < windowCount(seq.length, settings.grid); i++) {
    const start = windowStart(i, seq.length, settings.grid);
    if ([...seq.slice(start, start + W)].filter((c) => c === 'N').length > settings.maxN) continue;
    for (let p = start; p < start + W; p++) covered.add(p);
  }
  return covered;
}

test('a tagger track gives each base its own probability on the strand(s) asked for, whatever the batching and chunking', async (t) => {
  const dir = tempDir(t);
  // An N stretch longer than maxN leaves windows out: the bases only they covered get no value at all.
  const seq = randomBases(300, 5) + 'N'.repeat(45) + randomBases(257, 6);
  const file = writeFasta(dir, 'g.fa', [['chr', seq]]);
  const expected: Record<string, (base: string) => number> = {
    '+': (b) => (b === 'A' ? 0.9 : 0.1),
    '-': (b) => (b === 'T' ? 0.9 : 0.1), // an A read on the reverse strand is a T on the forward one
    both: (b) => (b === 'A' || b === 'T' ? 0.5 : 0.1),
  };
  for (const strand of ['+', '-', 'both'] as const) {
    for (const [batchWindows, chunkBp] of [
      [3, 37],
      [64, 1 << 20],
    ] as const) {
      const settings = trackSettings({ strand, batchWindows });
      const { perBase, runs } = await scanToText(file, settings, undefined, chunkBp);
      const covered = coveredBases(seq, settings);
      assert.deepEqual(
        [...perBase.keys()].sort((a, b) => a - b),
        [...covered].sort((a, b) => a - b),
        `${strand}: bases with a value`,
      );
      for (const [p, value] of perBase)
        assert.ok(Math.abs(value - expected[strand]!(seq[p]!)) < 1e-4, `${strand}: base ${p} (${seq[p]}) has ${value}`);
      if (strand === '+') {
        // Runs at threshold 0.5: exactly the maximal stretches of covered As.
        const stretches: Array<[number, number]> = [];
        for (let p = 0; p < seq.length; p++) {
          if (seq[p] !== 'A' || !covered.has(p)) continue;
          const last = stretches[stretches.length - 1];
          if (last && last[1] === p) last[1]++;
          else stretches.push([p, p + 1]);
        }
        assert.deepEqual(
          runs.map((r) => [r.start, r.end]),
          stretches,
        );
        assert.ok(
          runs.every((r) => Math.abs(r.maxProb - 0.9) < 1e-4 && Math.abs(r.sumProb / r.bases - 0.9) < 1e-4 && r.bases === r.end - r.start),
        );
      }
    }
  }
});

test('a --region track holds the whole scan values of its bases only, runs cut at its edges', async (t) => {
  const dir = tempDir(t);
  const seq = randomBases(900, 8);
  const file = writeFasta(dir, 'g.fa', [
    ['other', randomBases(100, 1)],
    ['chr', seq],
  ]);
  const settings = trackSettings({ strand: 'both', threshold: 0.3 });
  const whole = await scanToText(file, settings);
  const owned: OwnedStarts = new Map([
    [
      'chr',
      [
        [333, 401],
        [650, 700],
      ],
    ],
  ]);
  const part = await scanToText(file, settings, owned);
  const inside = (p: number) => (p >= 333 && p < 401) || (p >= 650 && p < 700);
  // 'other' has no owned bases, so nothing of it is written; positions >= 333 are all 'chr's.
  assert.equal(part.perBase.size, 68 + 50);
  for (const [p, value] of part.perBase) {
    assert.ok(inside(p), `base ${p} is outside the region`);
    assert.equal(value.toFixed(4), whole.perBase.get(p)!.toFixed(4), `base ${p}`); // as written: merged bins keep their first base's value
  }
  assert.ok(part.runs.every((r) => inside(r.start) && inside(r.end - 1)));
  assert.ok(part.windows < whole.windows / 2, `only windows over the region are scored: ${part.windows} of ${whole.windows}`);
});

test('a circular track runs across the origin: a run touching both ends is written as two lines sharing its statistics', async (t) => {
  const dir = tempDir(t);
  const middle = randomBases(200, 4).replaceAll('A', 'C');
  const seq = `AAAA${middle}AAAAAA`;
  const file = writeFasta(dir, 'g.fa', [['plasmid topology=circular', seq]]);
  const settings = trackSettings();
  const { runs, perBase } = await scanToText(file, settings);
  assert.equal(perBase.size, seq.length, 'every base of a circular sequence is covered');
  assert.deepEqual(
    runs.map((r) => [r.start, r.end, r.bases]),
    [
      [0, 4, 10],
      [204, 210, 10],
    ],
  );
  const linear = await scanToText(writeFasta(dir, 'l.fa', [['plasmid', seq]]), settings);
  assert.deepEqual(
    linear.runs.map((r) => [r.start, r.end, r.bases]),
    [
      [0, 4, 4],
      [204, 210, 6],
    ],
  );
});

test('runs, bins and the tent average', () => {
  const caller = new RunCaller(0.5);
  const closed = [0.6, 0.7, 0.2, 0.9, NaN, 0.8].map((p, i) => caller.add(i, p)).filter(Boolean);
  closed.push(caller.add(9, 0.9)); // a gap in the positions fed ends the run at 5
  assert.deepEqual(
    closed.map((r) => [r!.start, r!.end]),
    [
      [0, 2],
      [3, 4],
      [5, 6],
    ],
  );
  assert.deepEqual(caller.close(), { start: 9, end: 10, maxProb: 0.9, sumProb: 0.9, bases: 1 });

  const bins = new BinWriter(2);
  const lines = [0.2, 0.2, 0.2, 0.4, NaN, 0.4, 0.4, 0.4].flatMap((p, i) => bins.add(i, p));
  lines.push(...bins.close());
  assert.deepEqual(
    lines.map((b) => [b.start, b.end, b.value.toFixed(4)]),
    [
      [0, 2, '0.2000'],
      [2, 4, '0.3000'],
      [5, 8, '0.4000'],
    ],
  );

  // --merge-gap 2: a gap of 2 uncalled (or unscored) bases joins, a gap of 3 does not; statistics are over called bases.
  const merging = new RunCaller(0.5, 2);
  const merged = [0.6, 0.1, NaN, 0.8, 0.1, 0.1, 0.1, 0.7].map((p, i) => merging.add(i, p)).filter(Boolean);
  merged.push(merging.close());
  assert.deepEqual(merged, [
    { start: 0, end: 4, maxProb: 0.8, sumProb: 0.6 + 0.8, bases: 2 },
    { start: 7, end: 8, maxProb: 0.7, sumProb: 0.7, bases: 1 },
  ]);

  const runs = [
    { start: 1, end: 3, maxProb: 0.7, sumProb: 2, bases: 2 },
    { start: 5, end: 6, maxProb: 0.6, sumProb: 0.6, bases: 1 },
    { start: 8, end: 9, maxProb: 0.9, sumProb: 0.9, bases: 1 },
  ];
  assert.deepEqual(circularRunLines(runs, 10), runs, 'bases 0 and 9 are not called: nothing crosses the origin');
  const joined = circularRunLines(runs, 10, 2, 2);
  assert.deepEqual(
    joined.map((r) => [r.start, r.end, r.maxProb, r.bases]),
    [
      [0, 3, 0.9, 3],
      [8, 10, 0.9, 3],
    ],
    'joined across the origin (5 bp); the 1 bp run is too short',
  );

  // At a stride of half a window, two windows' tent weights sum to a constant: a linear cross-fade between them.
  const W = 10;
  const accumulator = new TrackAccumulator(W);
  accumulator.add(0, new Float32Array(W).fill(1));
  accumulator.add(5, new Float32Array(W).fill(0));
  const values = accumulator.values(0, 15);
  for (let p = 5; p < 10; p++) assert.ok(Math.abs(values[p]! - (W - p) / (W / 2 + 1)) < 1e-6, `base ${p}: ${values[p]}`);
  assert.deepEqual(Array.from(values.subarray(0, 5)), [1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(values.subarray(10, 15)), [0, 0, 0, 0, 0]);
});
