/**
 * How `rnnseq scan` decides what to call, and the --fdr path: p-values from the null stored in the model,
 * Benjamini-Hochberg over every window scanned, and the gather step that turns candidate windows (from one run,
 * or from the parts of a sharded one) into calls (src/scan/candidates.ts, src/scan/gather.ts).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '../../engine/checkpoint.js';
import { type NullDistribution, nullKey } from '../../engine/null-spec.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../../errors.js';
import { formatBedLine, readLines } from '../../io/bed.js';
import { formatNarrowPeakLine } from '../../io/narrowpeak.js';
import type { Output } from '../../io/output.js';
import type { Logger } from '../../log.js';
import {
  type CandidateHeader,
  type CandidateLine,
  formatCircular,
  formatHeader,
  formatWindow,
  formatWindowCount,
  parseCandidateLine,
} from '../../scan/candidates.js';
import { type CalledWithP, GatherError, gatherCalls, planGather } from '../../scan/gather.js';
import type { CalledRegion } from '../../scan/merge.js';
import { nullPValue } from '../../scan/null-model.js';
import type { ScanSettings } from '../../scan/scanner.js';

export const DEFAULT_FDR = 0.05;

export type CallingRule =
  | { kind: 'threshold'; threshold: number; null: NullDistribution | undefined }
  | { kind: 'fdr'; fdr: number; null: NullDistribution };

/**
 * --threshold wins; else --fdr (default 0.05) when the model stores a null for this class and strand mode; else
 * the old rule (the calibrated threshold, or 0.5), with one warning that says why.
 */
export function chooseCallingRule(
  spec: ModelSpec,
  positiveClass: string,
  strandKey: string,
  options: { threshold?: number; fdr?: number },
  fallbackThreshold: number,
  model: string,
  log: Logger,
): CallingRule {
  const stored = spec.nullScores?.distributions[nullKey(positiveClass, strandKey)];
  if (options.threshold !== undefined) {
    if (options.fdr !== undefined) throw new RnnseqError('give --threshold or --fdr, not both', EXIT_USAGE);
    return { kind: 'threshold', threshold: options.threshold, null: stored };
  }
  if (stored) return { kind: 'fdr', fdr: options.fdr ?? DEFAULT_FDR, null: stored };
  if (options.fdr !== undefined) {
    throw new RnnseqError(
      `--fdr: ${model} stores no null distribution for ${positiveClass} (strand ${strandKey}); retrain it with this rnnseq, or give --threshold`,
      EXIT_USAGE,
    );
  }
  log.warn(
    `${model} has no null distribution (trained before scan p-values): calling windows with probability >= ${fallbackThreshold}, with no p- or q-values; retrain for --fdr calls`,
  );
  return { kind: 'threshold', threshold: fallbackThreshold, null: undefined };
}

/** A call as BED6 + max_prob, mean_prob, windows, p, q (-1: not computed, as narrowPeak writes it). */
export function formatCall(chrom: string, region: CalledRegion, name: string, strand: '.' | '+' | '-', p: number, q: number): string {
  const score = Math.min(1000, Math.max(0, Math.round(region.maxProb * 1000)));
  return formatBedLine({ chrom, start: region.start, end: region.end, name, score, strand }, [
    region.maxProb.toFixed(4),
    (region.sumProb / region.windows).toFixed(4),
    String(region.windows),
    formatP(p),
    formatP(q),
  ]);
}

/**
 * A call as ENCODE narrowPeak (scan --format narrowpeak): signalValue max_prob, p and q as -log10 (-1: not
 * computed), the summit the centre of the best window. A call cut at a circular origin keeps its summit only in
 * the piece that holds it.
 */
export function formatPeak(chrom: string, region: CalledRegion, name: string, strand: '.' | '+' | '-', p: number, q: number): string {
  const score = Math.min(1000, Math.max(0, Math.round(region.maxProb * 1000)));
  const summit = Math.min(region.end - 1, Math.max(region.start, region.summit ?? Math.floor((region.start + region.end) / 2)));
  return formatNarrowPeakLine({
    chrom,
    start: region.start,
    end: region.end,
    name,
    score,
    strand,
    signalValue: region.maxProb,
    ...(p >= 0 ? { pValue: p } : {}),
    ...(q >= 0 ? { qValue: q } : {}),
    summit,
  });
}

/** The line writer of a scan's calls: BED6 + 5 (default) or narrowPeak. */
export type CallFormatter = typeof formatCall;

export function callFormatter(format: 'bed' | 'narrowpeak' | undefined): CallFormatter {
  return format === 'narrowpeak' ? formatPeak : formatCall;
}

function formatP(value: number): string {
  return value < 0 ? '-1' : value.toPrecision(3);
}

/** Threshold calls carry the best window's p when the model has a null; a q needs --fdr's count of all windows. */
export function thresholdCallP(rule: CallingRule, maxProb: number): number {
  return rule.null ? nullPValue(rule.null, maxProb) : -1;
}

/**
 * Candidate windows as the scan finds them. The scanner's callbacks are synchronous, so text gathers here
 * and the command writes it after each scan event.
 */
export class CandidateWriter {
  private text: string;
  constructor(
    private readonly rule: Extract<CallingRule, { kind: 'fdr' }>,
    header: CandidateHeader,
  ) {
    this.text = formatHeader(header);
  }
  /** The callbacks to put into the scan settings. */
  hooks(): Pick<ScanSettings, 'onWindow' | 'onCircularEnd'> {
    return {
      onWindow: (chrom, start, end, anchor, prob) => {
        const p = nullPValue(this.rule.null, prob);
        if (p <= this.rule.fdr) this.text += formatWindow({ chrom, start, end, anchor, prob, p });
      },
      onCircularEnd: (chrom, lengthBp) => {
        this.text += formatCircular(chrom, lengthBp);
      },
    };
  }
  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
  finish(windowsScored: number): string {
    return this.take() + formatWindowCount(windowsScored);
  }
}

/** A temp file for a whole run's candidates, removed by release(). */
export async function openSpool(): Promise<{ path: string; write(text: string): Promise<void>; close(): Promise<void>; release(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rnnseq-candidates-'));
  const path = join(dir, 'candidates.tsv');
  const stream = createWriteStream(path);
  return {
    path,
    async write(text) {
      if (text.length > 0 && !stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      await once(stream, 'finish');
    },
    release() {
      stream.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GatheredCalls {
  calls: number;
  windows: number;
  /** the largest p-value called (-1: none) */
  cutoff: number;
  fdr: number;
  /** the smallest window p-value scanned, where it was at most --fdr (Infinity: none was) */
  smallestP: number;
}

/** The largest p-value called, as the closing lines print it. */
export function formatCutoff(gathered: GatheredCalls): string {
  return gathered.cutoff < 0 ? '(none)' : gathered.cutoff.toPrecision(3);
}

/** An FDR scan's closing line: calls, the p-value cut, and over how many windows. */
export function fdrSummary(gathered: GatheredCalls): string {
  return `FDR ${gathered.fdr}: ${gathered.calls} calls; windows with p <= ${formatCutoff(gathered)} called (Benjamini-Hochberg over ${gathered.windows} windows)`;
}

/**
 * With no call: how far the best window was from one. An empty BED alone does not tell a region without sites from a
 * model whose null rates its best windows as background (README: the repeat family in human DNA).
 */
export function noCallsHint(gathered: GatheredCalls): string | undefined {
  if (gathered.calls > 0 || gathered.windows === 0) return undefined;
  const needed = (gathered.fdr / gathered.windows).toPrecision(2);
  const best = Number.isFinite(gathered.smallestP)
    ? `the smallest window p-value was ${gathered.smallestP.toPrecision(2)}`
    : `no window reached p <= ${gathered.fdr}`;
  return (
    `no call at FDR ${gathered.fdr}: ${best}, and one call needs p <= ${needed} over ${gathered.windows} windows. Either nothing here ` +
    "stands out, or the model does not rate its best windows as rare against its null (train's null check says how far its validation positives stand out); --threshold calls by probability, without FDR control"
  );
}

/**
 * Calls from candidate files, in the order given (`scan --gather`, and the end of a whole --fdr scan): returns
 * how many calls were written, over how many windows, and the p-value cut.
 */
export async function gatherToOutput(
  files: readonly string[],
  out: Output,
  signal: AbortSignal,
  format: CallFormatter = formatCall,
  onCalls?: (chrom: string, regions: CalledWithP[]) => void,
): Promise<GatheredCalls> {
  const source = () => candidateLines(files, signal);
  try {
    const plan = await planGather(source);
    let calls = 0;
    for await (const { chrom, regions } of gatherCalls(source, plan)) {
      let text = '';
      for (const region of regions) text += format(chrom, region, plan.header.name, plan.header.strand, region.bestP, region.q);
      await out.write(text);
      calls += regions.length;
      onCalls?.(chrom, regions);
    }
    return { calls, windows: plan.windows, cutoff: plan.bh.cutoff, fdr: plan.header.fdr, smallestP: plan.smallestP };
  } catch (error) {
    if (error instanceof GatherError) throw new RnnseqError(`--gather ${files.join(' ')}: ${error.message}`, EXIT_DATA);
    throw error;
  }
}

async function* candidateLines(files: readonly string[], signal: AbortSignal): AsyncGenerator<CandidateLine> {
  for (const file of files) {
    for await (const { text, line } of readLines(file, { signal })) {
      if (text === '') continue;
      const parsed = parseCandidateLine(text);
      if (typeof parsed === 'string') throw dataError({ file, line }, parsed);
      yield parsed;
    }
  }
}
