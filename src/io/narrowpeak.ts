/**
 * ENCODE narrowPeak (BED6+4): chrom, start, end, name, score (0-1000), strand, signalValue, pValue, qValue, peak.
 * pValue and qValue are -log10 values, -1 when not computed (the format's own "missing"); peak is the summit as
 * an offset from start, -1 when unknown.
 */
import type { Strand } from './bed.js';

export interface NarrowPeak {
  chrom: string;
  start: number;
  end: number;
  name: string;
  /** 0-1000 */
  score: number;
  strand: Strand;
  signalValue: number;
  /** raw p and q values (not -log10), when the caller has them */
  pValue?: number;
  qValue?: number;
  /** summit position on the chromosome (0-based), inside [start, end) */
  summit?: number;
}

/** -log10 of a probability, -1 when absent; a p of 0 is capped rather than written as Infinity. */
export function minusLog10(p: number | undefined): string {
  if (p === undefined || Number.isNaN(p)) return '-1';
  return Math.min(-Math.log10(Math.max(p, 0)), 9999)
    .toFixed(4)
    .replace(/^-0\.0000$/, '0.0000');
}

export function formatNarrowPeakLine(peak: NarrowPeak): string {
  const offset = peak.summit === undefined ? -1 : peak.summit - peak.start;
  if (peak.summit !== undefined && (offset < 0 || peak.summit >= peak.end)) {
    throw new RangeError(`narrowPeak summit ${peak.summit} is outside [${peak.start}, ${peak.end})`);
  }
  return `${[
    peak.chrom,
    peak.start,
    peak.end,
    peak.name,
    peak.score,
    peak.strand,
    peak.signalValue.toFixed(4),
    minusLog10(peak.pValue),
    minusLog10(peak.qValue),
    offset,
  ].join('\t')}\n`;
}

/** Whether a BED line's columns look like narrowPeak: 10 columns, the 10th an integer offset or -1. */
export function narrowPeakSummit(fields: readonly string[], start: number, end: number): number | undefined {
  if (fields.length !== 10 || !/^-?\d+$/.test(fields[9]!)) return undefined;
  const offset = Number(fields[9]);
  if (offset < 0 || start + offset >= end) return start + Math.floor((end - start) / 2);
  return start + offset;
}
