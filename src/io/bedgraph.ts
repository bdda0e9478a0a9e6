/**
 * bedGraph: chrom, start, end (0-based, half-open), value. rnnseq writes no `track` line, so the outputs of
 * sharded runs concatenate into exactly the unsharded file; genome browsers and bedGraphToBigWig accept that.
 * Intervals written by one run never overlap (bedGraphToBigWig refuses overlaps).
 */
export function formatBedGraphLine(chrom: string, start: number, end: number, value: number): string {
  return `${chrom}\t${start}\t${end}\t${value.toFixed(4)}\n`;
}
