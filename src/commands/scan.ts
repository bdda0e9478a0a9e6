import { basename } from 'node:path';
import { taskOf } from '../engine/architecture.js';
import type { ModelSpec } from '../engine/checkpoint.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../errors.js';
import { formatBedGraphLine } from '../io/bedgraph.js';
import { readFastaChunks } from '../io/fasta.js';
import type { Output } from '../io/output.js';
import { type AlphabetName, getAlphabet } from '../seq/alphabet.js';
import { sequenceLengths } from '../seq/genome.js';
import { byteEncodingTable } from '../seq/windows.js';
import { type GenomeInterval, type OwnedStarts, type SequenceLength, type Shard, formatRegion, normaliseIntervals, parseRegion, parseShard, shardIntervals } from '../seq/regions.js';
import { type CallExtent, type RcCombine, type ScanEvent, type ScanSettings, type StrandMode, emptyStats, scanChunks } from '../scan/scanner.js';
import { densityFigure } from '../report/density-svg.js';
import { ScanSummary } from '../report/scan-summary.js';
import { runScanJob } from './scan-job.js';
import { type CallingRule, CandidateWriter, chooseCallingRule, formatCall, gatherToOutput, openSpool, thresholdCallP } from './scan-calling.js';
import { loadModel, readSpec } from './checkpoints.js';
import { type RawRuntimeFlags, type RuntimeOptions, createLogger, parseCommon, parseNumber, startRuntime } from './runtime.js';

export interface ScanOptions extends RuntimeOptions {
  model: string;
  input: string;
  out?: string;
  bedgraph?: string;
  /** SVG of call density along each sequence */
  summary?: string;
  /** defaults come from the model: a quarter window, its strand / rcCombine / threshold, 10% N */
  strideBp?: number;
  strand?: StrandMode;
  rcCombine?: RcCombine;
  extent?: CallExtent;
  maxN?: number;
  threshold?: number;
  /** call at this false-discovery rate (default 0.05 when the model stores a null and no --threshold is given) */
  fdr?: number;
  /** scan --gather: make --fdr calls from these candidate files (the parts' outputs) instead of scanning */
  gather?: string[];
  positiveClass?: string;
  regions: GenomeInterval[];
  shard?: Shard;
  batchSize: number;
  /** every sequence circular (else those tagged topology=circular) */
  circular?: boolean;
  /** taggers: bedGraph bin width; runs joined across gaps this short; runs shorter than this dropped */
  binBp?: number;
  mergeGapBp?: number;
  minRunBp?: number;
}

export interface RawScanFlags extends RawRuntimeFlags {
  model?: string;
  fdr?: string;
  gather?: string[];
  out?: string;
  bedgraph?: string;
  summary?: string;
  stride?: string;
  strand?: StrandMode;
  rcCombine?: RcCombine;
  /** the spelling classify and embed use: average|max = both strands combined by mean|max, none = + only */
  rc?: 'average' | 'max' | 'none';
  extent?: CallExtent;
  maxN?: string;
  threshold?: string;
  class?: string;
  region: string[];
  shard?: string;
  batchSize: string;
  circular?: boolean;
  bin?: string;
  mergeGap?: string;
  minRun?: string;
}

export function parseScanOptions(input: string, raw: RawScanFlags): ScanOptions {
  if (raw.gather !== undefined) return parseGatherOptions(input, raw);
  if (raw.model === undefined) throw new RnnseqError("required option '-m, --model <path>' not specified", EXIT_USAGE);
  if (raw.out !== undefined && raw.out !== '-' && raw.out === raw.bedgraph) throw new RnnseqError('-o and --bedgraph name the same file', EXIT_USAGE);
  if ((raw.out === undefined || raw.out === '-') && raw.bedgraph === '-') throw new RnnseqError('--bedgraph - needs -o FILE for the calls: both cannot go to stdout', EXIT_USAGE);
  if (raw.summary !== undefined && (raw.summary === '-' || raw.summary === raw.out || raw.summary === raw.bedgraph)) throw new RnnseqError('--summary needs a file of its own (an SVG), not stdout or another output', EXIT_USAGE);
  if (raw.rc !== undefined && (raw.strand !== undefined || raw.rcCombine !== undefined)) throw new RnnseqError('give --rc, or --strand / --rc-combine, not both', EXIT_USAGE);
  const rc = raw.rc === undefined ? {} : raw.rc === 'none' ? { strand: '+' as const } : { strand: 'both' as const, rcCombine: raw.rc === 'average' ? ('mean' as const) : ('max' as const) };
  return {
    ...parseCommon(raw),
    model: raw.model,
    input,
    ...rc,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.bedgraph !== undefined ? { bedgraph: raw.bedgraph } : {}),
    ...(raw.summary !== undefined ? { summary: raw.summary } : {}),
    ...(raw.stride !== undefined ? { strideBp: parseNumber('--stride', raw.stride, { min: 1, integer: true }) } : {}),
    ...(raw.strand !== undefined ? { strand: raw.strand } : {}),
    ...(raw.rcCombine !== undefined ? { rcCombine: raw.rcCombine } : {}),
    ...(raw.extent !== undefined ? { extent: raw.extent } : {}),
    ...(raw.maxN !== undefined ? { maxN: parseNumber('--max-n', raw.maxN, { min: 0, integer: true }) } : {}),
    ...(raw.threshold !== undefined ? { threshold: parseNumber('--threshold', raw.threshold, { min: 0, max: 1 }) } : {}),
    ...(raw.fdr !== undefined ? { fdr: parseNumber('--fdr', raw.fdr, { min: 1e-12, max: 1 }) } : {}),
    ...(raw.class !== undefined ? { positiveClass: raw.class } : {}),
    regions: raw.region.map((r) => parseRegion(r)),
    ...(raw.shard !== undefined ? { shard: parseShard(raw.shard) } : {}),
    batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, max: 65536, integer: true }),
    ...(raw.circular ? { circular: true } : {}),
    ...(raw.bin !== undefined ? { binBp: parseNumber('--bin', raw.bin, { min: 1, integer: true }) } : {}),
    ...(raw.mergeGap !== undefined ? { mergeGapBp: parseNumber('--merge-gap', raw.mergeGap, { min: 0, integer: true }) } : {}),
    ...(raw.minRun !== undefined ? { minRunBp: parseNumber('--min-run', raw.minRun, { min: 1, integer: true }) } : {}),
  };
}

/** How the model will be slid and called: the options, else the model's own settings, else the defaults. */
interface ScanPlan {
  settings: ScanSettings;
  positiveIndex: number;
  positiveClass: string;
  calibrated: boolean;
  /** how the scan decides what to call: see scan-calling.ts */
  strandKey: string;
}

function planScan(options: ScanOptions, spec: ModelSpec, model: string): ScanPlan {
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const window = spec.window;
  const taggerOnly = options.binBp !== undefined ? '--bin' : options.mergeGapBp !== undefined ? '--merge-gap' : options.minRunBp !== undefined ? '--min-run' : undefined;
  if (taggerOnly) throw new RnnseqError(`${taggerOnly} is for taggers (train --task tag), whose calls are runs of bases; ${model} calls windows`, EXIT_USAGE);
  const windowBp = window?.lengthBp ?? spec.inputLength;
  if (windowBp === null || windowBp === undefined) {
    throw new RnnseqError(`${model}: the model reads variable-length input; scan needs a fixed window (train with --window or --length)`, EXIT_USAGE);
  }
  const positiveClass = options.positiveClass ?? window?.positiveClass;
  if (positiveClass === undefined) {
    throw new RnnseqError(`${model} is a classifier, not a scanner: say which class to call with --class (one of ${spec.classes.join(', ')})`, EXIT_USAGE);
  }
  const positiveIndex = spec.classes.indexOf(positiveClass);
  if (positiveIndex < 0) throw new RnnseqError(`--class ${positiveClass}: the model's classes are ${spec.classes.join(', ')}`, EXIT_USAGE);
  const nucleotides = alphabet.name !== 'protein';
  const strand = options.strand ?? window?.strand ?? (nucleotides ? 'both' : '+');
  if (!nucleotides && strand !== '+') throw new RnnseqError(`--strand ${strand}: a protein model has no reverse strand; use --strand +`, EXIT_USAGE);
  const rcCombine = options.rcCombine ?? window?.rcCombine ?? 'max';
  const strideBp = options.strideBp ?? Math.max(1, Math.floor(windowBp / 4));
  if (strideBp > windowBp) throw new RnnseqError(`--stride ${strideBp} is longer than the ${windowBp} bp window: windows would leave gaps`, EXIT_USAGE);
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
      windowScores: options.bedgraph !== undefined,
      channels: alphabet.size,
      encoding: byteEncodingTable(alphabet),
    },
    positiveIndex,
    positiveClass,
    calibrated: options.threshold !== undefined || calibratedThreshold !== undefined,
    strandKey: key,
  };
}

/**
 * rnnseq scan: slides a window model along every sequence of a genome and writes the merged calls as BED6 plus
 * max_prob, mean_prob, windows; optionally every window's score as bedGraph.
 */
export async function run(options: ScanOptions): Promise<void> {
  const log = await createLogger(options);
  if (options.gather) return runGather(options, log);
  const { spec } = await readSpec(options.model); // validate the model before reading the genome
  if (taskOf(spec.architecture) === 'tag') {
    if (options.fdr !== undefined) throw new RnnseqError(`--fdr is for window scanners and classifiers; ${options.model} is a tagger, whose per-base calls use --threshold`, EXIT_USAGE);
    return (await import('./scan-track.js')).run(options, spec, log); // a per-base track
  }
  const plan = planScan(options, spec, options.model);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const { settings } = plan;
  const rule = chooseCallingRule(spec, plan.positiveClass, plan.strandKey, options, settings.threshold, options.model, log);
  if (rule.kind === 'threshold' && rule.null === undefined && !plan.calibrated) log.warn(`${options.model} has no calibrated threshold; calling windows with probability >= 0.5 (set --threshold)`);
  const strandChar = settings.strand === 'both' ? '.' : settings.strand;
  // --fdr: the scanner calls nothing itself; every owned window with p <= fdr becomes a candidate, and the calls
  // come from the candidates (here for a whole run; a part writes them for scan --gather).
  const part = options.shard !== undefined || options.regions.length > 0;
  const candidates =
    rule.kind === 'fdr' ? new CandidateWriter(rule, { name: plan.positiveClass, strand: strandChar, fdr: rule.fdr, reachBp: reachOf(settings) }) : undefined;
  if (candidates) Object.assign(settings, { threshold: Infinity }, candidates.hooks());

  await runScanJob(options, log, async (job) => {
    const showProgress = Boolean(process.stderr.isTTY) && !options.quiet && !options.json && process.env.CI !== 'true' && options.input !== '-';
    // --summary draws sequences to scale: measure a genome file first (cheap next to scoring it); stdin cannot be.
    const measure = options.shard || showProgress || (options.summary !== undefined && options.input !== '-');
    const lengths = measure ? await lengthsOf(options, alphabet, job.signal) : undefined;
    const owned = ownedStarts(options, lengths);

    const { calls, bedgraph, summary: summaryOutput } = await job.open();
    const summary = summaryOutput ? new ScanSummary() : undefined;

    const runtime = await startRuntime(options, log);
    const { model } = await loadModel(options.model, runtime.engine.core);
    const classes = model.info.classes.length;
    const score = (batch: Parameters<typeof model.predict>[0]) => {
      const probs = model.predict(batch);
      const out = new Float32Array(batch.batch);
      for (let r = 0; r < batch.batch; r++) out[r] = probs[r * classes + plan.positiveIndex]!;
      return out;
    };
    const spool = candidates && !part ? await openSpool() : undefined;
    const candidateOut = spool ?? (candidates ? calls : undefined);
    log.info(
      `scanning ${options.input === '-' ? 'stdin' : options.input}: ${settings.grid.windowBp} bp windows every ${settings.grid.strideBp} bp, strand ${settings.strand}` +
        `${settings.strand === 'both' ? ` (${settings.rcCombine})` : ''}, calling ${plan.positiveClass} ` +
        (rule.kind === 'fdr' ? `at FDR ${rule.fdr} (Benjamini-Hochberg over all windows${part ? ': this part writes candidate windows for scan --gather' : ''})` : `at prob >= ${rule.threshold}`) +
        `${settings.extent === 'core' ? ' (window cores)' : ''}` +
        (options.shard ? `, shard ${options.shard.index}/${options.shard.count}` : '') +
        (options.regions.length > 0 ? `, ${options.regions.length} region(s)` : ''),
    );

    const totalBp = lengths ? progressTotal(lengths, owned) : 0;
    const progress = totalBp > 0 ? await log.progress(totalBp, 'bp') : { update() {}, stop() {} };
    const started = performance.now();
    const stats = emptyStats();
    const chunks = readFastaChunks(options.input, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, signal: job.signal });
    try {
      for await (const event of scanChunks(chunks, owned, settings, score, stats, options.input)) {
        if (candidates) await candidateOut!.write(candidates.take());
        await writeEvent(event, calls, bedgraph, plan.positiveClass, strandChar, rule);
        summary?.add(event);
        const seconds = (performance.now() - started) / 1000;
        progress.update(Math.min(event.basesDone, totalBp), { status: `${formatBp(event.basesDone / Math.max(seconds, 1e-9))}/s` });
      }
      if (candidates) await candidateOut!.write(candidates.finish(stats.windowsScored));
      if (spool) {
        await spool.close();
        const gathered = await gatherToOutput([spool.path], calls, job.signal, (chrom, regions) => summary?.add({ chrom, regions, bins: [], basesDone: 0 }));
        stats.regions = gathered.calls;
        log.info(`FDR ${gathered.fdr}: ${gathered.calls} calls; windows with p <= ${gathered.cutoff < 0 ? '(none)' : gathered.cutoff.toPrecision(3)} called (Benjamini-Hochberg over ${gathered.windows} windows)`);
      }
    } finally {
      spool?.release();
      progress.stop();
      model.dispose();
    }
    if (!lengths) checkRegionsSeen(options, stats.seen); // else checked before the scan
    if (summary) await summaryOutput!.write(densityFigure(summary.chromosomes(lengths), { title: `${plan.positiveClass} calls along ${options.input === '-' ? 'stdin' : basename(options.input)}` }).svg + '\n');
    await job.commit();
    const seconds = (performance.now() - started) / 1000;
    if (stats.circularSequences > 0) log.info(`${stats.circularSequences} sequence(s) scanned as circular: windows run across the origin`);
    if (stats.shortSequences.length > 0) {
      log.info(`${stats.shortSequences.length} sequence(s) shorter than the ${settings.grid.windowBp} bp window have no windows (e.g. ${stats.shortSequences[0]})`);
    }
    log.record(
      'done',
      { basesRead: stats.basesRead, windows: stats.windowsScored, windowsSkippedN: stats.windowsSkippedN, regions: stats.regions, seconds, bpPerSecond: stats.basesRead / seconds },
      `rnnseq: scanned ${formatBp(stats.basesRead)} in ${seconds.toFixed(1)} s (${formatBp(stats.basesRead / seconds)}/s): ${stats.windowsScored} windows` +
        `${stats.windowsSkippedN > 0 ? `, ${stats.windowsSkippedN} skipped for > ${settings.maxN} N` : ''}, ${stats.regions} regions` +
        (options.out ? ` in ${options.out}` : ''),
    );
  });
}

export async function lengthsOf(options: ScanOptions, alphabet: ReturnType<typeof getAlphabet>, signal: AbortSignal): Promise<SequenceLength[]> {
  if (options.input === '-') {
    throw new RnnseqError('--shard needs the genome as a file: it is read once to measure it, then scanned (stdin can be read only once)', EXIT_USAGE);
  }
  return sequenceLengths(options.input, alphabet, signal);
}

function ownedStarts(options: ScanOptions, lengths: SequenceLength[] | undefined): OwnedStarts | undefined {
  const selection = options.regions.length > 0 ? normaliseIntervals(options.regions) : undefined;
  if (lengths && selection) checkRegionsSeen(options, new Set(lengths.map((l) => l.name)));
  if (!options.shard) return selection;
  return shardIntervals(lengths!, selection, options.shard);
}

export function checkRegionsSeen(options: ScanOptions, seen: Set<string>): void {
  const missing = options.regions.find((r) => !seen.has(r.chrom));
  if (missing) {
    const names = [...seen].slice(0, 5).join(', ') + (seen.size > 5 ? ', ...' : '');
    throw new RnnseqError(`--region ${formatRegion(missing.chrom, missing.start, missing.end)}: ${options.input === '-' ? 'stdin' : options.input} has no sequence named '${missing.chrom}' (it has ${names || 'none'})`, EXIT_DATA);
  }
}

/** Bases read until the last owned sequence ends: the scan stops reading there. */
export function progressTotal(lengths: SequenceLength[], owned: OwnedStarts | undefined): number {
  let total = 0;
  let upTo = 0;
  for (const { name, length } of lengths) {
    total += length;
    if (!owned || owned.has(name)) upTo = total;
  }
  return upTo;
}

async function writeEvent(event: ScanEvent, calls: Output, bedgraph: Output | undefined, name: string, strand: '.' | '+' | '-', rule: CallingRule): Promise<void> {
  if (event.regions.length > 0) {
    let text = '';
    for (const region of event.regions) text += formatCall(event.chrom, region, name, strand, thresholdCallP(rule, region.maxProb), -1);
    await calls.write(text);
  }
  if (bedgraph && event.bins.length > 0) {
    let text = '';
    for (const bin of event.bins) text += formatBedGraphLine(event.chrom, bin.start, bin.end, bin.prob);
    await bedgraph.write(text);
  }
}

/** How far past the origin a call can reach on a circular sequence (as src/scan/scanner.ts reachBp). */
function reachOf(settings: ScanSettings): number {
  const { windowBp, strideBp } = settings.grid;
  return settings.extent === 'core' ? Math.floor((windowBp - Math.min(strideBp, windowBp)) / 2) : windowBp - 1;
}

function parseGatherOptions(input: string, raw: RawScanFlags): ScanOptions {
  if (input !== '-') throw new RnnseqError(`--gather takes the candidate files as its arguments; '${input}' is left over (give it after --gather)`, EXIT_USAGE);
  const files = raw.gather!;
  if (files.length === 0 || files.includes('-')) throw new RnnseqError('--gather needs candidate files (the --fdr outputs of scan --shard / --region parts, in order); stdin cannot be read twice', EXIT_USAGE);
  const scanOnly = raw.model !== undefined ? '-m' : raw.threshold !== undefined ? '--threshold' : raw.fdr !== undefined ? '--fdr' : raw.shard !== undefined ? '--shard' : raw.region.length > 0 ? '--region' : raw.bedgraph !== undefined ? '--bedgraph' : undefined;
  if (scanOnly) throw new RnnseqError(`--gather reads what the parts decided (model, --fdr, windows); ${scanOnly} is for the scan itself`, EXIT_USAGE);
  return { ...parseCommon(raw), model: '', input, gather: files, regions: [], batchSize: 1, ...(raw.out !== undefined ? { out: raw.out } : {}) };
}

/** scan --gather: the --fdr calls of a sharded scan, from its parts' candidate files. */
async function runGather(options: ScanOptions, log: Awaited<ReturnType<typeof createLogger>>): Promise<void> {
  await runScanJob(options, log, async (job) => {
    const { calls } = await job.open();
    const gathered = await gatherToOutput(options.gather!, calls, job.signal);
    await job.commit();
    log.record(
      'done',
      { calls: gathered.calls, windows: gathered.windows, fdr: gathered.fdr, pCutoff: gathered.cutoff },
      `rnnseq: ${gathered.calls} calls at FDR ${gathered.fdr} (p <= ${gathered.cutoff < 0 ? '(none)' : gathered.cutoff.toPrecision(3)}, Benjamini-Hochberg over ${gathered.windows} windows)` + (options.out ? ` in ${options.out}` : ''),
    );
  });
}

export function formatBp(bp: number): string {
  if (bp >= 1e9) return `${(bp / 1e9).toFixed(2)} Gbp`;
  if (bp >= 1e6) return `${(bp / 1e6).toFixed(2)} Mbp`;
  if (bp >= 1e3) return `${(bp / 1e3).toFixed(1)} kbp`;
  return `${Math.round(bp)} bp`;
}
