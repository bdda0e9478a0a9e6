/**
 * Calls at a false-discovery rate from candidate windows (src/scan/candidates.ts): pass 1 counts the windows
 * scanned (m) and keeps the candidates' p-values, and Benjamini-Hochberg over all m windows gives the p-value
 * cut; pass 2 merges the windows at or under the cut (and at or above MIN_CALL_PROB) into regions exactly as the scanner merges called windows
 * (src/scan/merge.ts, and src/scan/origin.ts across the origin of a circular sequence). Each region carries
 * the best (smallest) p of its windows and that p's BH q-value.
 *
 * Memory: 16 bytes per candidate (p <= alpha: about alpha of the background windows, plus the sites), and a
 * circular sequence's called windows until it ends; linear sequences stream.
 */
import { type BhResult, benjaminiHochberg } from './fdr.js';
import type { CandidateHeader, CandidateLine, CandidateWindow } from './candidates.js';
import { type CalledRegion, RegionMerger } from './merge.js';
import { foldCalls } from './origin.js';

/**
 * A window is called only where the model itself gives the class at least this probability, beside its p-value
 * passing the BH cut. The null (shuffles of background) can score real background lower than it is: a classifier
 * of 300 bp repeat copies in 400 bp windows (scripts/dev-repeat-calling.sh with its copies aligned, human DNA)
 * called its 12 copies at FDR 0.05 beside 16, 46, 19 and 10 false regions (4 runs) whose windows scored 0.03-0.11
 * with p 1e-4 - 6e-4. Floors measured on those 4 runs and 7 runs of the script as it is (copies found + false
 * calls summed): none 147+96, 0.1 147+8, 0.2 147+4, 0.3 144+2, 0.5 138+0. Not 0.5, the model's own decision: a
 * decoy-trained model puts diverged copies under it (README, decoys) though their p-values stand out. Genome
 * scanners' calls (the CRP case, auto background) all scored above 0.5 anyway.
 */
export const MIN_CALL_PROB = 0.2;

export interface CalledWithP extends CalledRegion {
  /** the smallest window p-value in the region, and its BH q-value */
  bestP: number;
  q: number;
}

export interface GatherPlan {
  header: CandidateHeader;
  /** windows scanned, over every part */
  windows: number;
  bh: BhResult;
  /** the smallest window p-value among the candidates (Infinity: none was at or below --fdr) */
  smallestP: number;
  circular: Map<string, number>;
}

/** Lines of the candidates, in order, each read as often as asked (the gather reads its input twice). */
export type CandidateSource = () => AsyncIterable<CandidateLine>;

export class GatherError extends Error {}

/** Pass 1: the BH cut over every window scanned. */
export async function planGather(source: CandidateSource): Promise<GatherPlan> {
  let header: CandidateHeader | undefined;
  let windows = 0;
  let p = new Float64Array(1024);
  let count = 0;
  const circular = new Map<string, number>();
  for await (const line of source()) {
    if (line.kind === 'header') {
      if (
        header &&
        (header.name !== line.header.name ||
          header.strand !== line.header.strand ||
          header.fdr !== line.header.fdr ||
          header.reachBp !== line.header.reachBp)
      ) {
        throw new GatherError('the parts were scanned with different settings (class, strand, --fdr or window); scan every part alike');
      }
      header = line.header;
    } else if (line.kind === 'windows') windows += line.count;
    else if (line.kind === 'circular') circular.set(line.chrom, line.lengthBp);
    else {
      if (count === p.length) {
        const bigger = new Float64Array(p.length * 2);
        bigger.set(p);
        p = bigger;
      }
      p[count++] = line.window.p;
    }
  }
  if (!header) throw new GatherError('no #rnnseq-candidates header: not the output of scan --fdr with --shard or --region');
  const candidates = p.subarray(0, count);
  const smallestP = candidates.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  return { header, windows, bh: benjaminiHochberg(candidates, Math.max(windows, count), header.fdr), smallestP, circular };
}

/** Pass 2: the calls, in input order, one sequence's at a time. */
export async function* gatherCalls(source: CandidateSource, plan: GatherPlan): AsyncGenerator<{ chrom: string; regions: CalledWithP[] }> {
  const { bh } = plan;
  let chrom: string | undefined;
  let merger = new RegionMerger();
  let closed: CalledRegion[] = [];
  let pOfProb = new Map<number, number>();
  const withP = (region: CalledRegion): CalledWithP => {
    const bestP = pOfProb.get(region.maxProb)!;
    return { ...region, bestP, q: bh.qValue(bestP) };
  };
  const finish = (): { chrom: string; regions: CalledWithP[] } | undefined => {
    if (chrom === undefined) return undefined;
    const lengthBp = plan.circular.get(chrom);
    let regions: CalledRegion[];
    if (lengthBp === undefined) {
      const open = merger.close();
      regions = open ? [...closed, open] : closed;
    } else {
      const open = merger.close();
      const first = closed.length > 0 ? closed[0] : open;
      const joinable = first && first.start <= plan.header.reachBp ? first : undefined;
      regions = foldCalls(closed, open, joinable, lengthBp)
        .map(({ piece }) => piece)
        .sort((a, b) => a.start - b.start);
    }
    const out = { chrom, regions: regions.map(withP) };
    closed = [];
    merger = new RegionMerger();
    pOfProb = new Map();
    return out;
  };
  for await (const line of source()) {
    if (line.kind !== 'window') continue;
    const w: CandidateWindow = line.window;
    if (w.chrom !== chrom) {
      const done = finish();
      if (done && done.regions.length > 0) yield done;
      chrom = w.chrom;
    }
    if (!(w.p <= bh.cutoff) || w.prob < MIN_CALL_PROB) continue;
    const known = pOfProb.get(w.prob);
    if (known === undefined || w.p < known) pOfProb.set(w.prob, w.p);
    const region = merger.add(w.start, w.end, w.prob, w.anchor);
    if (!region) continue;
    if (plan.circular.has(chrom)) closed.push(region);
    else yield { chrom, regions: [withP(region)] };
  }
  const done = finish();
  if (done && done.regions.length > 0) yield done;
}
