/**
 * A tagger's decision threshold, chosen on validation windows after training. The windows' per-base
 * probabilities are combined exactly as `rnnseq scan` combines them (strands per base, overlapping windows by
 * the tent average of track-combine.ts), so the threshold is tuned on the track scan will threshold, and the F1
 * is counted over bases, at the share of labelled bases the validation sequence really has.
 */
import { auroc } from '../engine/metrics.js';
import { UNLABELLED } from '../seq/tag-windows.js';
import { type ThresholdChoice, bestF1Threshold } from './calibrate.js';
import type { RcCombine, StrandMode } from '../seq/strands.js';
import { TrackAccumulator, windowTrack } from './track-combine.js';

export interface ScoredTagWindow {
  chrom: string;
  start: number;
  /** per-base targets (src/seq/tag-windows.ts) */
  tags: Int8Array;
  /** the tagged class's probability per position, as the model read the window */
  forward?: Float32Array;
  /** ... and its reverse complement (position t is base W - 1 - t) */
  reverse?: Float32Array;
}

export interface TrackCalibration {
  choice: ThresholdChoice;
  /** base-level AUROC of the track */
  auroc: number;
  /** labelled bases with a probability */
  bases: number;
  labelledShare: number;
}

/** Past this many bases, every k-th base is used (sorting them all would cost more than it tells). */
const MAX_BASES = 2_000_000;

/** The calibration for one way of scoring strands: 'both' with rcCombine, '+' or '-'. */
export function calibrateTrack(
  windows: readonly ScoredTagWindow[],
  windowBp: number,
  strand: StrandMode,
  rcCombine: RcCombine,
): TrackCalibration {
  const scores: number[] = [];
  const truth: boolean[] = [];
  for (const [, list] of byChrom(windows)) {
    const from = list[0]!.start;
    const to = list.reduce((end, w) => Math.max(end, w.start + windowBp), 0);
    const accumulator = new TrackAccumulator(windowBp);
    accumulator.dropBefore(from);
    const tags = new Int8Array(to - from).fill(UNLABELLED);
    for (const w of list) {
      accumulator.add(w.start, windowTrack(strand !== '-' ? w.forward : undefined, strand !== '+' ? w.reverse : undefined, rcCombine));
      tags.set(w.tags, w.start - from);
    }
    const values = accumulator.values(from, to);
    for (let i = 0; i < values.length; i++) {
      if (tags[i]! === UNLABELLED || Number.isNaN(values[i]!)) continue;
      scores.push(values[i]!);
      truth.push(tags[i]! > 0);
    }
  }
  const step = Math.max(1, Math.ceil(scores.length / MAX_BASES));
  const sampledScores = step === 1 ? scores : scores.filter((_, i) => i % step === 0);
  const sampledTruth = step === 1 ? truth : truth.filter((_, i) => i % step === 0);
  const labelled = sampledTruth.filter(Boolean).length;
  return {
    choice: bestF1Threshold(sampledScores, sampledTruth),
    auroc: auroc(sampledScores, sampledTruth),
    bases: sampledScores.length,
    labelledShare: sampledScores.length > 0 ? labelled / sampledScores.length : 0,
  };
}

/** Windows grouped by sequence, each group sorted by start. */
function byChrom(windows: readonly ScoredTagWindow[]): Map<string, ScoredTagWindow[]> {
  const groups = new Map<string, ScoredTagWindow[]>();
  for (const w of windows) {
    const list = groups.get(w.chrom);
    if (list) list.push(w);
    else groups.set(w.chrom, [w]);
  }
  for (const list of groups.values()) list.sort((a, b) => a.start - b.start);
  return groups;
}
