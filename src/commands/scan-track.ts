/**
 * `rnnseq scan` with a tagger (a model trained with `train --task tag`): a per-base probability track of its
 * positive class, written as a BED of runs of called bases (-o / stdout) and, with --bedgraph, as binned
 * bedGraph. scan.ts hands over here once it has read the model; the scan itself is src/scan/track.ts.
 */
import { basename } from 'node:path';
import type { ModelSpec } from '../engine/checkpoint.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { formatBedLine } from '../io/bed.js';
import { formatBedGraphLine } from '../io/bedgraph.js';
import { readFastaChunks } from '../io/fasta.js';
import type { Output } from '../io/output.js';
import type { Logger } from '../log.js';
import { densityFigure } from '../report/density-svg.js';
import { ScanSummary } from '../report/scan-summary.js';
import type { Batch } from '../seq/batch.js';
import { type AlphabetName, getAlphabet } from '../seq/alphabet.js';
import { normaliseIntervals } from '../seq/regions.js';
import { byteEncodingTable } from '../seq/windows.js';
import { type TrackEvent, type TrackSettings, emptyTrackStats, scanTrack } from '../scan/track.js';
import { defaultTrackStride } from '../scan/track-combine.js';
import { runScanJob } from './scan-job.js';
import { loadModel } from './checkpoints.js';
import { startRuntime } from './runtime.js';
import { type ScanOptions, checkRegionsSeen, formatBp, lengthsOf, openScanGenome, progressTotal, sourceLengths } from './scan.js';
import { genomeChunks } from '../seq/genome-chunks.js';

/** bedGraph bin width when --bin is not given: a 150 kbp chloroplast gives at most 15,000 lines. */
export const DEFAULT_TRACK_BIN_BP = 10;

interface TrackPlan {
  settings: TrackSettings;
  positiveIndex: number;
  positiveClass: string;
  calibrated: boolean;
}

function planTrack(options: ScanOptions, spec: ModelSpec, model: string): TrackPlan {
  if (options.shard) {
    throw new RnnseqError(`${model} is a tagger: its runs and bedGraph lines are cut at a part's edges, so --shard parts would not add up to the whole scan; scan with --region CHROM per job instead`, EXIT_USAGE);
  }
  if (options.extent !== undefined) throw new RnnseqError(`--extent is for window scanners; ${model} is a tagger, whose calls are runs of bases at or above the threshold`, EXIT_USAGE);
  if (options.binBp !== undefined && options.bedgraph === undefined && options.bigwig === undefined) throw new RnnseqError('--bin sets the bins of --bedgraph: give --bedgraph FILE (or --bigwig FILE) too', EXIT_USAGE);
  if (options.format === 'narrowpeak') throw new RnnseqError(`--format narrowpeak is for window scanners; ${model} is a tagger, whose calls are runs of bases (BED6 + max_prob, mean_prob)`, EXIT_USAGE);
  const window = spec.window;
  const windowBp = window?.lengthBp ?? spec.inputLength;
  if (windowBp === null || windowBp === undefined) throw new RnnseqError(`${model}: a tagger without a fixed window cannot scan (retrain it with train --task tag)`, EXIT_USAGE);
  const positiveClass = options.positiveClass ?? window?.positiveClass ?? spec.classes[spec.classes.length - 1]!;
  const positiveIndex = spec.classes.indexOf(positiveClass);
  if (positiveIndex < 0) throw new RnnseqError(`--class ${positiveClass}: the model's classes are ${spec.classes.join(', ')}`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const nucleotides = alphabet.name !== 'protein';
  const strand = options.strand ?? window?.strand ?? (nucleotides ? 'both' : '+');
  if (!nucleotides && strand !== '+') throw new RnnseqError(`--strand ${strand}: a protein model has no reverse strand; use --strand +`, EXIT_USAGE);
  const rcCombine = options.rcCombine ?? window?.rcCombine ?? 'mean';
  const strideBp = options.strideBp ?? defaultTrackStride(windowBp);
  if (strideBp > windowBp) throw new RnnseqError(`--stride ${strideBp} is longer than the ${windowBp} bp window: bases between windows would get no probability`, EXIT_USAGE);
  const key = strand === 'both' ? `both-${rcCombine}` : strand;
  // Calibrated thresholds are for the positive class the tagger was trained on.
  const calibratedThreshold = window?.calibration && positiveClass === window.positiveClass ? (window.thresholds?.[key] ?? window.threshold) : undefined;
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

export async function run(options: ScanOptions, spec: ModelSpec, log: Logger): Promise<void> {
  const plan = planTrack(options, spec, options.model);
  const { settings } = plan;
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  if (!plan.calibrated) log.warn(`${options.model} has no calibrated threshold for ${plan.positiveClass}; calling bases with probability >= 0.5 (set --threshold)`);

  await runScanJob(options, log, async (job) => {
    const showProgress = Boolean(process.stderr.isTTY) && !options.quiet && !options.json && process.env.CI !== 'true' && options.input !== '-';
    const source = await openScanGenome(options, job);
    const measure = showProgress || options.bigwig !== undefined || (options.summary !== undefined && options.input !== '-');
    const lengths = source ? sourceLengths(source) : measure ? await lengthsOf(options, alphabet, job.signal) : undefined;
    const owned = options.regions.length > 0 ? normaliseIntervals(options.regions) : undefined;
    if (lengths && owned) checkRegionsSeen(options, new Set(lengths.map((l) => l.name)));

    const { calls, bedgraph, summary: summaryOutput } = await job.open();
    const summary = summaryOutput ? new ScanSummary() : undefined;

    const runtime = await startRuntime(options, log);
    const { model } = await loadModel(options.model, runtime.engine.core);
    const classes = model.info.classes.length;
    const score = (batch: Batch) => {
      const probs = model.predictPositions(batch);
      const out = new Float32Array(batch.batch * batch.steps);
      for (let i = 0; i < out.length; i++) out[i] = probs[i * classes + plan.positiveIndex]!;
      return out;
    };
    log.info(
      `scanning ${options.input === '-' ? 'stdin' : options.input} with a tagger: ${settings.grid.windowBp} bp windows every ${settings.grid.strideBp} bp, strand ${settings.strand}` +
        `${settings.strand === 'both' ? ` (${settings.rcCombine} per base)` : ''}, calling ${plan.positiveClass} bases at p >= ${settings.threshold}` +
        (settings.mergeGapBp > 0 ? `, runs joined across gaps <= ${settings.mergeGapBp} bp` : '') +
        (settings.minRunBp > 1 ? `, runs >= ${settings.minRunBp} bp` : '') +
        (settings.binBp > 0 ? `, bedGraph in ${settings.binBp} bp bins` : '') +
        (options.regions.length > 0 ? `, ${options.regions.length} region(s)` : ''),
    );

    const totalBp = lengths ? progressTotal(lengths, owned) : 0;
    const progress = totalBp > 0 ? await log.progress(totalBp, 'bp') : { update() {}, stop() {} };
    const started = performance.now();
    const stats = emptyTrackStats();
    const strandColumn = settings.strand === 'both' ? '.' : settings.strand;
    const chunks = source
      ? genomeChunks(source, owned, { grid: settings.grid, batchWindows: settings.batchWindows, alphabet, circular: settings.circular === true, signal: job.signal })
      : readFastaChunks(options.input, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, signal: job.signal });
    try {
      for await (const event of scanTrack(chunks, owned, settings, score, stats, options.input)) {
        await writeEvent(event, calls, bedgraph, plan.positiveClass, strandColumn);
        summary?.add({ chrom: event.chrom, regions: event.runs.map((r) => ({ start: r.start, end: r.end, anchor: r.start, maxProb: r.maxProb, sumProb: r.sumProb, windows: r.bases })), bins: [], basesDone: event.basesDone });
        const seconds = (performance.now() - started) / 1000;
        progress.update(Math.min(event.basesDone, totalBp), { status: `${formatBp(event.basesDone / Math.max(seconds, 1e-9))}/s` });
      }
    } finally {
      progress.stop();
      model.dispose();
    }
    if (!lengths && owned) checkRegionsSeen(options, stats.seen);
    if (summary) await summaryOutput!.write(densityFigure(summary.chromosomes(lengths), { title: `${plan.positiveClass} bases along ${options.input === '-' ? 'stdin' : basename(options.input)}` }).svg + '\n');
    await job.commit(lengths);
    const seconds = (performance.now() - started) / 1000;
    if (stats.circularSequences > 0) log.info(`${stats.circularSequences} sequence(s) scanned as circular: windows run across the origin`);
    if (stats.shortSequences.length > 0) {
      log.info(`${stats.shortSequences.length} sequence(s) shorter than the ${settings.grid.windowBp} bp window have no windows (e.g. ${stats.shortSequences[0]})`);
    }
    log.record(
      'done',
      { basesRead: stats.basesRead, basesScored: stats.basesScored, windows: stats.windowsScored, windowsSkippedN: stats.windowsSkippedN, runs: stats.runs, seconds, bpPerSecond: stats.basesRead / seconds },
      `rnnseq: scanned ${formatBp(stats.basesRead)} in ${seconds.toFixed(1)} s (${formatBp(stats.basesRead / seconds)}/s): ${stats.windowsScored} windows` +
        `${stats.windowsSkippedN > 0 ? `, ${stats.windowsSkippedN} skipped for > ${settings.maxN} N` : ''}, ${stats.basesScored} bases scored, ${stats.runs} runs` +
        (options.out ? ` in ${options.out}` : ''),
    );
  });
}

/** BED6 + max_prob, mean_prob (over the run's called bases), as scan's window calls; bins as bedGraph. */
async function writeEvent(event: TrackEvent, calls: Output, bedgraph: Output | undefined, name: string, strand: '.' | '+' | '-'): Promise<void> {
  if (event.runs.length > 0) {
    let text = '';
    for (const run of event.runs) {
      const score = Math.min(1000, Math.max(0, Math.round(run.maxProb * 1000)));
      text += formatBedLine({ chrom: event.chrom, start: run.start, end: run.end, name, score, strand }, [run.maxProb.toFixed(4), (run.sumProb / run.bases).toFixed(4)]);
    }
    await calls.write(text);
  }
  if (bedgraph && event.bins.length > 0) {
    let text = '';
    for (const bin of event.bins) text += formatBedGraphLine(event.chrom, bin.start, bin.end, bin.value);
    await bedgraph.write(text);
  }
}
