/**
 * How `rnnseq scan` slides a model along a genome, for both kinds of model: a window scanner (calls merged windows,
 * src/scan/scanner.ts) or a tagger (a per-base track, src/scan/track.ts). Each plan is settled from the options,
 * else the model's own settings, else the defaults, and checked before the genome is read; run.ts runs either.
 */
import type { ModelSpec } from '../../engine/checkpoint.js';
import type { SequenceModel } from '../../engine/sequence-model.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { formatBedLine } from '../../io/bed.js';
import { formatBedGraphLine } from '../../io/bedgraph.js';
import type { FastaChunk } from '../../io/fasta.js';
import type { Output } from '../../io/output.js';
import type { Logger } from '../../log.js';
import type { ScanSummary } from '../../report/scan-summary.js';
import { type ScanEvent, type ScanSettings, emptyStats, scanChunks } from '../../scan/scanner.js';
import { type TrackEvent, type TrackSettings, emptyTrackStats, scanTrack } from '../../scan/track.js';
import { type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import type { Batch } from '../../seq/batch.js';
import type { OwnedStarts } from '../../seq/regions.js';
import type { WindowGrid } from '../../seq/windows.js';
import { defaultTrackStride } from '../../seq/tag-windows.js';
import { byteEncodingTable } from '../../seq/windows.js';
import {
  type CallFormatter,
  type CallingRule,
  CandidateWriter,
  callFormatter,
  chooseCallingRule,
  fdrSummary,
  gatherToOutput,
  noCallsHint,
  openSpool,
  thresholdCallP,
} from './calling.js';
import type { ScanOptions } from './options.js';
import { firstGiven } from '../shared/parse.js';

/** bedGraph bin width when --bin is not given: a 150 kbp chloroplast gives at most 15,000 lines. */
export const DEFAULT_TRACK_BIN_BP = 10;

/** What scanning one genome needs from the plan; the statistics fill in as it goes. */
export interface ScanPlan {
  windowBp: number;
  maxN: number;
  positiveClass: string;
  calibrated: boolean;
  /** the warning when no threshold was calibrated or given */
  uncalibrated: string;
  /** the start-up log line */
  describe(input: string): string;
  /** how the scan reads the genome: what a random-access genome needs to fetch only the bases it uses */
  chunking: { grid: WindowGrid; batchWindows: number; circular: boolean };
  /** what the summary figure draws: calls or bases */
  summaryNoun: string;
  /** scans the chunks, writing each event's lines; yields bases done for progress */
  scan(
    chunks: AsyncIterable<FastaChunk>,
    owned: OwnedStarts | undefined,
    model: SequenceModel,
    outputs: PlanOutputs,
  ): AsyncGenerator<number>;
  stats: {
    basesRead: number;
    basesScanned: number;
    windowsScored: number;
    windowsSkippedN: number;
    seen: Set<string>;
    circularSequences: number;
    shortSequences: string[];
  };
  /** the 'done' record's numbers and the part of its message after the windows */
  done(): { fields: Record<string, number>; calls: string };
}

export interface PlanOutputs {
  source: string;
  /** the job's stop signal (the --fdr gather at the end of a whole run reads its candidates again) */
  signal: AbortSignal;
  calls: Output;
  bedgraph: Output | undefined;
  summary: ScanSummary | undefined;
}

/**
 * The plan for a window scanner (any fixed-length classifier with --class) or, for a tagger, its track. `log`
 * takes the warning when a window scanner's model stores no null distribution (calls without p-values).
 */
export function planScan(options: ScanOptions, spec: ModelSpec, tagger: boolean, log: Logger): ScanPlan {
  return tagger ? planTrack(options, spec) : planWindows(options, spec, log);
}

function windowsEvery(settings: ScanSettings | TrackSettings): string {
  return `${settings.grid.windowBp} bp windows every ${settings.grid.strideBp} bp, strand ${settings.strand}`;
}

/** What both kinds of plan take from their settings as they are. */
function common(settings: ScanSettings | TrackSettings, settled: { positiveClass: string; calibrated: boolean }) {
  return {
    windowBp: settings.grid.windowBp,
    maxN: settings.maxN,
    positiveClass: settled.positiveClass,
    calibrated: settled.calibrated,
    chunking: { grid: settings.grid, batchWindows: settings.batchWindows, circular: settings.circular === true },
  };
}

/** The strand column of a BED line: '.' when both strands are combined. */
function strandColumn(settings: ScanSettings | TrackSettings): '.' | '+' | '-' {
  return settings.strand === 'both' ? '.' : settings.strand;
}

function planWindows(options: ScanOptions, spec: ModelSpec, log: Logger): ScanPlan {
  const settled = windowSettings(options, spec, options.model);
  const { settings, positiveIndex, positiveClass } = settled;
  const stats = emptyStats();
  const rule = chooseCallingRule(spec, positiveClass, settled.strandKey, options, settings.threshold, options.model, log);
  const format = callFormatter(options.format);
  // --fdr: the scanner calls nothing itself; every owned window with p <= fdr becomes a candidate, and the calls
  // come from the candidates (here for a whole run; a part writes them for scan --gather).
  const part = options.shard !== undefined || options.regions.length > 0;
  const candidates =
    rule.kind === 'fdr'
      ? new CandidateWriter(rule, { name: positiveClass, strand: strandColumn(settings), fdr: rule.fdr, reachBp: reachOf(settings) })
      : undefined;
  if (candidates) Object.assign(settings, { threshold: Number.POSITIVE_INFINITY }, candidates.hooks());
  return {
    ...common(settings, settled),
    // Only the old rule (no null) calls at a threshold that may be uncalibrated.
    calibrated: settled.calibrated || rule.kind === 'fdr' || rule.null !== undefined,
    uncalibrated: `${options.model} has no calibrated threshold; calling windows with probability >= 0.5 (set --threshold)`,
    describe: (input) =>
      `scanning ${input}: ${windowsEvery(settings)}` +
      `${settings.strand === 'both' ? ` (${settings.rcCombine})` : ''}, calling ${positiveClass} ` +
      (rule.kind === 'fdr'
        ? `at FDR ${rule.fdr} (Benjamini-Hochberg over all windows${part ? ': this part writes candidate windows for scan --gather' : ''})`
        : `at prob >= ${rule.threshold}`) +
      `${settings.extent === 'core' ? ' (window cores)' : ''}` +
      (options.shard ? `, shard ${options.shard.index}/${options.shard.count}` : '') +
      (options.regions.length > 0 ? `, ${options.regions.length} region(s)` : ''),
    summaryNoun: 'calls',
    stats,
    async *scan(chunks, owned, model, outputs) {
      const classes = model.info.classes.length;
      const score = (batch: Batch) => {
        const probs = model.predict(batch);
        const out = new Float32Array(batch.batch);
        for (let r = 0; r < batch.batch; r++) out[r] = probs[r * classes + positiveIndex]!;
        return out;
      };
      const spool = candidates && !part ? await openSpool() : undefined;
      const candidateOut = spool ?? (candidates ? outputs.calls : undefined);
      try {
        for await (const event of scanChunks(chunks, owned, settings, score, stats, outputs.source)) {
          if (candidates) await candidateOut!.write(candidates.take());
          await writeWindowEvent(event, outputs.calls, outputs.bedgraph, positiveClass, strandColumn(settings), rule, format);
          outputs.summary?.add(event);
          yield event.basesDone;
        }
        if (candidates) await candidateOut!.write(candidates.finish(stats.windowsScored));
        if (spool) {
          await spool.close();
          const gathered = await gatherToOutput([spool.path], outputs.calls, outputs.signal, format, (chrom, regions) =>
            outputs.summary?.add({ chrom, regions, bins: [], basesDone: 0 }),
          );
          stats.regions = gathered.calls;
          log.info(fdrSummary(gathered));
          const hint = noCallsHint(gathered);
          if (hint) log.info(hint);
        }
      } finally {
        spool?.release();
      }
    },
    done: () => ({
      fields: {
        basesRead: stats.basesRead,
        basesScanned: stats.basesScanned,
        windows: stats.windowsScored,
        windowsSkippedN: stats.windowsSkippedN,
        regions: stats.regions,
      },
      calls: `${stats.regions} regions`,
    }),
  };
}

function planTrack(options: ScanOptions, spec: ModelSpec): ScanPlan {
  const settled = trackSettings(options, spec, options.model);
  const { settings, positiveIndex, positiveClass } = settled;
  const stats = emptyTrackStats();
  return {
    ...common(settings, settled),
    uncalibrated: `${options.model} has no calibrated threshold for ${positiveClass}; calling bases with probability >= 0.5 (set --threshold)`,
    describe: (input) =>
      `scanning ${input} with a tagger: ${windowsEvery(settings)}` +
      `${settings.strand === 'both' ? ` (${settings.rcCombine} per base)` : ''}, calling ${positiveClass} bases at p >= ${settings.threshold}` +
      (settings.mergeGapBp > 0 ? `, runs joined across gaps <= ${settings.mergeGapBp} bp` : '') +
      (settings.minRunBp > 1 ? `, runs >= ${settings.minRunBp} bp` : '') +
      (settings.binBp > 0 ? `, bedGraph in ${settings.binBp} bp bins` : '') +
      (options.regions.length > 0 ? `, ${options.regions.length} region(s)` : ''),
    summaryNoun: 'bases',
    stats,
    async *scan(chunks, owned, model, outputs) {
      const classes = model.info.classes.length;
      const score = (batch: Batch) => {
        const probs = model.predictPositions(batch);
        const out = new Float32Array(batch.batch * batch.steps);
        for (let i = 0; i < out.length; i++) out[i] = probs[i * classes + positiveIndex]!;
        return out;
      };
      for await (const event of scanTrack(chunks, owned, settings, score, stats, outputs.source)) {
        await writeTrackEvent(event, outputs.calls, outputs.bedgraph, positiveClass, strandColumn(settings));
        const regions = event.runs.map((r) => ({
          start: r.start,
          end: r.end,
          anchor: r.start,
          maxProb: r.maxProb,
          sumProb: r.sumProb,
          windows: r.bases,
        }));
        outputs.summary?.add({ chrom: event.chrom, regions, bins: [], basesDone: event.basesDone });
        yield event.basesDone;
      }
    },
    done: () => ({
      fields: {
        basesRead: stats.basesRead,
        basesScanned: stats.basesScanned,
        basesScored: stats.basesScored,
        windows: stats.windowsScored,
        windowsSkippedN: stats.windowsSkippedN,
        runs: stats.runs,
      },
      calls: `${stats.basesScored} bases scored, ${stats.runs} runs`,
    }),
  };
}

function windowSettings(
  options: ScanOptions,
  spec: ModelSpec,
  model: string,
): { settings: ScanSettings; positiveIndex: number; positiveClass: string; calibrated: boolean; strandKey: string } {
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const window = spec.window;
  const taggerOnly = firstGiven([
    ['--bin', options.binBp !== undefined],
    ['--merge-gap', options.mergeGapBp !== undefined],
    ['--min-run', options.minRunBp !== undefined],
  ]);
  if (taggerOnly)
    throw new RnnseqError(
      `${taggerOnly} is for taggers (train --task tag), whose calls are runs of bases; ${model} calls windows`,
      EXIT_USAGE,
    );
  const windowBp = window?.lengthBp ?? spec.inputLength;
  if (windowBp === null || windowBp === undefined) {
    throw new RnnseqError(
      `${model}: the model reads variable-length input; scan needs a fixed window (train with --window or --length)`,
      EXIT_USAGE,
    );
  }
  const positiveClass = options.positiveClass ?? window?.positiveClass;
  if (positiveClass === undefined) {
    throw new RnnseqError(
      `${model} is a classifier, not a scanner: say which class to call with --class (one of ${spec.classes.join(', ')})`,
      EXIT_USAGE,
    );
  }
  const positiveIndex = spec.classes.indexOf(positiveClass);
  if (positiveIndex < 0) throw new RnnseqError(`--class ${positiveClass}: the model's classes are ${spec.classes.join(', ')}`, EXIT_USAGE);
  const nucleotides = alphabet.name !== 'protein';
  const strand = options.strand ?? window?.strand ?? (nucleotides ? 'both' : '+');
  if (!nucleotides && strand !== '+')
    throw new RnnseqError(`--strand ${strand}: a protein model has no reverse strand; use --strand +`, EXIT_USAGE);
  const rcCombine = options.rcCombine ?? window?.rcCombine ?? 'max';
  const strideBp = options.strideBp ?? Math.max(1, Math.floor(windowBp / 4));
  if (strideBp > windowBp)
    throw new RnnseqError(`--stride ${strideBp} is longer than the ${windowBp} bp window: windows would leave gaps`, EXIT_USAGE);
  const key = strand === 'both' ? `both-${rcCombine}` : strand;
  const calibratedThreshold = window?.calibration ? (window.thresholds?.[key] ?? window.threshold) : undefined;
  return {
    settings: {
      grid: { windowBp, strideBp },
      batchWindows: options.batchSize,
      circular: options.circular === true,
      maxN: options.maxN ?? Math.floor(windowBp / 10),
      strand,
      rcCombine,
      threshold: options.threshold ?? calibratedThreshold ?? 0.5,
      extent: options.extent ?? window?.extent ?? 'window',
      windowScores: options.bedgraph !== undefined || options.bigwig !== undefined,
      channels: alphabet.size,
      encoding: byteEncodingTable(alphabet),
    },
    positiveIndex,
    positiveClass,
    calibrated: options.threshold !== undefined || calibratedThreshold !== undefined,
    strandKey: key,
  };
}

/** How far past a window's start its called extent can reach: what a candidate file tells the gather. */
function reachOf(settings: ScanSettings): number {
  const { windowBp, strideBp } = settings.grid;
  return settings.extent === 'core' ? Math.floor((windowBp - Math.min(strideBp, windowBp)) / 2) : windowBp - 1;
}

function trackSettings(
  options: ScanOptions,
  spec: ModelSpec,
  model: string,
): { settings: TrackSettings; positiveIndex: number; positiveClass: string; calibrated: boolean } {
  if (options.shard) {
    throw new RnnseqError(
      `${model} is a tagger: its runs and bedGraph lines are cut at a part's edges, so --shard parts would not add up to the whole scan; scan with --region CHROM per job instead`,
      EXIT_USAGE,
    );
  }
  if (options.fdr !== undefined)
    throw new RnnseqError(
      `--fdr is for window scanners and classifiers; ${model} is a tagger, whose per-base calls use --threshold`,
      EXIT_USAGE,
    );
  if (options.extent !== undefined)
    throw new RnnseqError(
      `--extent is for window scanners; ${model} is a tagger, whose calls are runs of bases at or above the threshold`,
      EXIT_USAGE,
    );
  if (options.binBp !== undefined && options.bedgraph === undefined && options.bigwig === undefined)
    throw new RnnseqError('--bin sets the bins of --bedgraph: give --bedgraph FILE (or --bigwig FILE) too', EXIT_USAGE);
  if (options.format === 'narrowpeak')
    throw new RnnseqError(
      `--format narrowpeak is for window scanners; ${model} is a tagger, whose calls are runs of bases (BED6 + max_prob, mean_prob)`,
      EXIT_USAGE,
    );
  const window = spec.window;
  const windowBp = window?.lengthBp ?? spec.inputLength;
  if (windowBp === null || windowBp === undefined)
    throw new RnnseqError(`${model}: a tagger without a fixed window cannot scan (retrain it with train --task tag)`, EXIT_USAGE);
  const positiveClass = options.positiveClass ?? window?.positiveClass ?? spec.classes[spec.classes.length - 1]!;
  const positiveIndex = spec.classes.indexOf(positiveClass);
  if (positiveIndex < 0) throw new RnnseqError(`--class ${positiveClass}: the model's classes are ${spec.classes.join(', ')}`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const nucleotides = alphabet.name !== 'protein';
  const strand = options.strand ?? window?.strand ?? (nucleotides ? 'both' : '+');
  if (!nucleotides && strand !== '+')
    throw new RnnseqError(`--strand ${strand}: a protein model has no reverse strand; use --strand +`, EXIT_USAGE);
  const rcCombine = options.rcCombine ?? window?.rcCombine ?? 'mean';
  const strideBp = options.strideBp ?? defaultTrackStride(windowBp);
  if (strideBp > windowBp)
    throw new RnnseqError(
      `--stride ${strideBp} is longer than the ${windowBp} bp window: bases between windows would get no probability`,
      EXIT_USAGE,
    );
  const key = strand === 'both' ? `both-${rcCombine}` : strand;
  // Calibrated thresholds are for the positive class the tagger was trained on.
  const calibratedThreshold =
    window?.calibration && positiveClass === window.positiveClass ? (window.thresholds?.[key] ?? window.threshold) : undefined;
  return {
    settings: {
      grid: { windowBp, strideBp },
      batchWindows: options.batchSize,
      maxN: options.maxN ?? Math.floor(windowBp / 10),
      strand,
      rcCombine,
      threshold: options.threshold ?? calibratedThreshold ?? 0.5,
      mergeGapBp: options.mergeGapBp ?? 0,
      minRunBp: options.minRunBp ?? 1,
      binBp: options.bedgraph !== undefined || options.bigwig !== undefined ? (options.binBp ?? DEFAULT_TRACK_BIN_BP) : 0,
      channels: alphabet.size,
      encoding: byteEncodingTable(alphabet),
      circular: options.circular === true,
    },
    positiveIndex,
    positiveClass,
    calibrated: options.threshold !== undefined || calibratedThreshold !== undefined,
  };
}

async function writeWindowEvent(
  event: ScanEvent,
  calls: Output,
  bedgraph: Output | undefined,
  name: string,
  strand: '.' | '+' | '-',
  rule: CallingRule,
  format: CallFormatter,
): Promise<void> {
  if (event.regions.length > 0) {
    let text = '';
    for (const region of event.regions) text += format(event.chrom, region, name, strand, thresholdCallP(rule, region.maxProb), -1);
    await calls.write(text);
  }
  if (bedgraph && event.bins.length > 0) {
    let text = '';
    for (const bin of event.bins) text += formatBedGraphLine(event.chrom, bin.start, bin.end, bin.prob);
    await bedgraph.write(text);
  }
}

/** BED6 + max_prob, mean_prob (over the run's called bases), as scan's window calls; bins as bedGraph. */
async function writeTrackEvent(
  event: TrackEvent,
  calls: Output,
  bedgraph: Output | undefined,
  name: string,
  strand: '.' | '+' | '-',
): Promise<void> {
  if (event.runs.length > 0) {
    let text = '';
    for (const run of event.runs) {
      const score = Math.min(1000, Math.max(0, Math.round(run.maxProb * 1000)));
      text += formatBedLine({ chrom: event.chrom, start: run.start, end: run.end, name, score, strand }, [
        run.maxProb.toFixed(4),
        (run.sumProb / run.bases).toFixed(4),
      ]);
    }
    await calls.write(text);
  }
  if (bedgraph && event.bins.length > 0) {
    let text = '';
    for (const bin of event.bins) text += formatBedGraphLine(event.chrom, bin.start, bin.end, bin.value);
    await bedgraph.write(text);
  }
}
