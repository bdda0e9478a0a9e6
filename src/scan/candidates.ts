/**
 * Candidate windows: the intermediate text between scoring and calling at a false-discovery rate. A scan at
 * --fdr ALPHA writes every window with p <= ALPHA (no window above it can pass the Benjamini-Hochberg cut),
 * the number of windows scored, and the length of each circular sequence; `scan --gather` reads one or more
 * such files (the parts of a sharded scan, in order) and makes the calls (src/scan/gather.ts). A whole-genome
 * scan writes the same lines to a temp file and gathers them itself, so parts and whole agree byte for byte.
 *
 *   #rnnseq-candidates	name=hit	strand=.	fdr=0.05	reach=199
 *   chrom	extent_start	extent_end	window_start	prob	p
 *   #circular	chrom	length
 *   #windows	N
 *
 * Positions are 0-based; on a circular sequence the extent may run past its length (the unrolled line of
 * src/scan/origin.ts). prob is written with 9 significant digits, which round-trips a float32.
 */
export interface CandidateHeader {
  name: string;
  strand: '.' | '+' | '-';
  fdr: number;
  /** how far past the origin a call can reach on a circular sequence (src/scan/scanner.ts reachBp) */
  reachBp: number;
}

export interface CandidateWindow {
  chrom: string;
  start: number;
  end: number;
  anchor: number;
  prob: number;
  p: number;
}

export type CandidateLine =
  | { kind: 'header'; header: CandidateHeader }
  | { kind: 'window'; window: CandidateWindow }
  | { kind: 'circular'; chrom: string; lengthBp: number }
  | { kind: 'windows'; count: number };

export const CANDIDATES_MAGIC = '#rnnseq-candidates';

export function formatHeader(h: CandidateHeader): string {
  return `${CANDIDATES_MAGIC}\tname=${h.name}\tstrand=${h.strand}\tfdr=${h.fdr}\treach=${h.reachBp}\n`;
}

export function formatWindow(w: CandidateWindow): string {
  return `${w.chrom}\t${w.start}\t${w.end}\t${w.anchor}\t${w.prob.toPrecision(9)}\t${w.p.toPrecision(6)}\n`;
}

export function formatCircular(chrom: string, lengthBp: number): string {
  return `#circular\t${chrom}\t${lengthBp}\n`;
}

export function formatWindowCount(count: number): string {
  return `#windows\t${count}\n`;
}

/** One line of a candidates file; a message (for the caller to place) when it is not one. */
export function parseCandidateLine(text: string): CandidateLine | string {
  const f = text.split('\t');
  if (f[0] === CANDIDATES_MAGIC) {
    const fields = new Map(f.slice(1).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const strand = fields.get('strand');
    const fdr = Number(fields.get('fdr'));
    const reachBp = Number(fields.get('reach'));
    const name = fields.get('name');
    if (!name || (strand !== '.' && strand !== '+' && strand !== '-') || !(fdr > 0 && fdr <= 1) || !Number.isInteger(reachBp))
      return 'a malformed #rnnseq-candidates header';
    return { kind: 'header', header: { name, strand, fdr, reachBp } };
  }
  if (f[0] === '#circular') {
    const lengthBp = Number(f[2]);
    return f.length === 3 && Number.isInteger(lengthBp) && lengthBp > 0
      ? { kind: 'circular', chrom: f[1]!, lengthBp }
      : 'a malformed #circular line';
  }
  if (f[0] === '#windows') {
    const count = Number(f[1]);
    return f.length === 2 && Number.isInteger(count) && count >= 0 ? { kind: 'windows', count } : 'a malformed #windows line';
  }
  if (f.length !== 6)
    return `expected 6 tab-separated candidate fields, got ${f.length} (is this the output of scan --fdr with --shard or --region?)`;
  const [chrom, start, end, anchor, prob, p] = [f[0]!, Number(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])];
  if (![start, end, anchor].every(Number.isInteger) || !(end > start) || !(prob >= 0 && prob <= 1) || !(p > 0 && p <= 1))
    return 'a malformed candidate window';
  return { kind: 'window', window: { chrom, start, end, anchor, prob, p } };
}
