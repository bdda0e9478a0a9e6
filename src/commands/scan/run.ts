/**
 * rnnseq scan: slides a window model along every sequence of a genome and writes the merged calls as BED6 plus
 * max_prob, mean_prob, windows, or with a tagger runs of called bases; optionally scores as bedGraph (plan.ts).
 */
import { basename } from 'node:path';
import { taskOf } from '../../engine/architecture.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../../errors.js';
import { readFastaChunks } from '../../io/fasta.js';
import { type GenomeSource, fastaLengths } from '../../io/genome-source.js';
import { openGenomeSource } from '../../io/open-genome.js';
import { checkWritablePath } from '../../io/writable.js';
import type { Logger } from '../../log.js';
import { densityFigure } from '../../report/density-svg.js';
import { ScanSummary } from '../../report/scan-summary.js';
import { type Alphabet, type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import { genomeChunks } from '../../seq/genome-chunks.js';
import { type OwnedStarts, type SequenceLength, formatRegion, normaliseIntervals, shardIntervals } from '../../seq/regions.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import { createLogger, startRuntime } from '../shared/runtime.js';
import { callFormatter, formatCutoff, gatherToOutput, noCallsHint } from './calling.js';
import { type ScanJob, runScanJob } from './job.js';
import type { ScanOptions } from './options.js';
import { planScan } from './plan.js';

export async function run(options: ScanOptions): Promise<void> {
  const log = await createLogger(options);
  if (options.gather) return runGather(options, log);
  const { spec } = await readSpec(options.model); // validate the model before reading the genome
  const plan = planScan(options, spec, taskOf(spec.architecture) === 'tag', log); // a tagger writes a per-base track
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  if (!plan.calibrated) log.warn(plan.uncalibrated);
  const input = options.input === '-' ? 'stdin' : options.input;
  if (options.bigwig !== undefined) await checkWritablePath(options.bigwig, '--bigwig'); // not only after the scan

  await runScanJob(options, log, async (job) => {
    const showProgress =
      Boolean(process.stderr.isTTY) && !options.quiet && !options.json && process.env.CI !== 'true' && options.input !== '-';
    // --summary draws sequences to scale: measure a genome file first (cheap next to scoring it); stdin cannot be.
    // A .2bit or indexed FASTA knows its lengths and is read only where this run owns windows (src/seq/genome-chunks.ts).
    const source = await openScanGenome(options, job);
    const measure =
      options.shard || showProgress || options.bigwig !== undefined || (options.summary !== undefined && options.input !== '-');
    const lengths = source ? sourceLengths(source) : measure ? await lengthsOf(options, alphabet, job.signal) : undefined;
    const owned = ownedStarts(options, lengths);

    const { calls, bedgraph, summary: summaryOutput } = await job.open();
    const summary = summaryOutput ? new ScanSummary() : undefined;

    const runtime = await startRuntime(options, log);
    const { model } = await loadModel(options.model, runtime.engine.core);
    log.info(plan.describe(input));

    const totalBp = lengths ? progressTotal(lengths, owned) : 0;
    const progress = totalBp > 0 ? await log.progress(totalBp, 'bp') : { update() {}, stop() {} };
    const started = performance.now();
    const chunks = source
      ? genomeChunks(source, owned, { ...plan.chunking, alphabet, signal: job.signal })
      : readFastaChunks(options.input, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, signal: job.signal });
    try {
      for await (const basesDone of plan.scan(chunks, owned, model, {
        source: options.input,
        signal: job.signal,
        calls,
        bedgraph,
        summary,
      })) {
        const seconds = (performance.now() - started) / 1000;
        progress.update(Math.min(basesDone, totalBp), { status: `${formatBp(basesDone / Math.max(seconds, 1e-9))}/s` });
      }
    } finally {
      progress.stop();
      model.dispose();
    }
    const { stats } = plan;
    if (!lengths) checkRegionsSeen(options, stats.seen); // else checked before the scan
    if (source) log.record('genome', { bytesRead: source.bytesRead }, `rnnseq: read ${source.bytesRead} bytes of ${options.input}`);
    if (summary) {
      const title = `${plan.positiveClass} ${plan.summaryNoun} along ${options.input === '-' ? 'stdin' : basename(options.input)}`;
      await summaryOutput!.write(`${densityFigure(summary.chromosomes(lengths), { title }).svg}\n`);
    }
    await job.commit(lengths);
    const seconds = (performance.now() - started) / 1000;
    if (stats.circularSequences > 0) log.info(`${stats.circularSequences} sequence(s) scanned as circular: windows run across the origin`);
    if (stats.shortSequences.length > 0) {
      log.info(
        `${stats.shortSequences.length} sequence(s) shorter than the ${plan.windowBp} bp window have no windows (e.g. ${stats.shortSequences[0]})`,
      );
    }
    const done = plan.done();
    log.record(
      'done',
      { ...done.fields, seconds, bpPerSecond: stats.basesScanned / seconds },
      `rnnseq: scanned ${formatBp(stats.basesScanned)}` +
        (stats.basesRead > stats.basesScanned ? ` (${formatBp(stats.basesRead)} read)` : '') +
        ` in ${seconds.toFixed(1)} s (${formatBp(stats.basesScanned / seconds)}/s): ${stats.windowsScored} windows` +
        `${stats.windowsSkippedN > 0 ? `, ${stats.windowsSkippedN} skipped for > ${plan.maxN} N` : ''}, ${done.calls}` +
        (options.out ? ` in ${options.out}` : ''),
    );
  });
}

/** The genome as random access when it is a .2bit or has a .fai; closed when the scan job ends. */
async function openScanGenome(options: ScanOptions, job: ScanJob): Promise<GenomeSource | undefined> {
  if (options.input === '-') return undefined;
  const source = await openGenomeSource(options.input);
  if (source) job.onEnd(() => source.close());
  return source;
}

function sourceLengths(source: GenomeSource): SequenceLength[] {
  return source.names().map((name) => ({ name, length: source.length(name) }));
}

/** scan --gather: the --fdr calls of a sharded scan, from its parts' candidate files. */
async function runGather(options: ScanOptions, log: Logger): Promise<void> {
  await runScanJob(options, log, async (job) => {
    const { calls } = await job.open();
    const gathered = await gatherToOutput(options.gather!, calls, job.signal, callFormatter(options.format));
    await job.commit();
    log.record(
      'done',
      { calls: gathered.calls, windows: gathered.windows, fdr: gathered.fdr, pCutoff: gathered.cutoff },
      `rnnseq: ${gathered.calls} calls at FDR ${gathered.fdr} (p <= ${formatCutoff(gathered)}, Benjamini-Hochberg over ${gathered.windows} windows)` +
        (options.out ? ` in ${options.out}` : ''),
    );
    const hint = noCallsHint(gathered);
    if (hint) log.info(hint);
  });
}

async function lengthsOf(options: ScanOptions, alphabet: Alphabet, signal: AbortSignal): Promise<SequenceLength[]> {
  if (options.input === '-') {
    const why = options.shard ? '--shard' : '--bigwig';
    throw new RnnseqError(
      `${why} needs the genome as a file: it is read once to measure it, then scanned (stdin can be read only once)`,
      EXIT_USAGE,
    );
  }
  return fastaLengths(options.input, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, signal });
}

function ownedStarts(options: ScanOptions, lengths: SequenceLength[] | undefined): OwnedStarts | undefined {
  const selection = options.regions.length > 0 ? normaliseIntervals(options.regions) : undefined;
  if (lengths && selection) checkRegionsSeen(options, new Set(lengths.map((l) => l.name)));
  if (!options.shard) return selection;
  return shardIntervals(lengths!, selection, options.shard);
}

function checkRegionsSeen(options: ScanOptions, seen: Set<string>): void {
  const missing = options.regions.find((r) => !seen.has(r.chrom));
  if (missing) {
    const names = [...seen].slice(0, 5).join(', ') + (seen.size > 5 ? ', ...' : '');
    throw new RnnseqError(
      `--region ${formatRegion(missing.chrom, missing.start, missing.end)}: ${options.input === '-' ? 'stdin' : options.input} has no sequence named '${missing.chrom}' (it has ${names || 'none'})`,
      EXIT_DATA,
    );
  }
}

/** Bases read until the last owned sequence ends: the scan stops reading there. */
function progressTotal(lengths: SequenceLength[], owned: OwnedStarts | undefined): number {
  let total = 0;
  let upTo = 0;
  for (const { name, length } of lengths) {
    total += length;
    if (!owned || owned.has(name)) upTo = total;
  }
  return upTo;
}

export function formatBp(bp: number): string {
  if (bp >= 1e9) return `${(bp / 1e9).toFixed(2)} Gbp`;
  if (bp >= 1e6) return `${(bp / 1e6).toFixed(2)} Mbp`;
  if (bp >= 1e3) return `${(bp / 1e3).toFixed(1)} kbp`;
  return `${Math.round(bp)} bp`;
}
