/**
 * Training windows for a scanner, cut from a genome with a BED of positive regions (`rnnseq train --genome`).
 *
 * - Positives: one window centred on each region ('centre'; on its summit for narrowPeak, start + column 10), or
 *   windows tiled across regions longer than a window ('tile', every tileStrideBp, the last one flush with the
 *   region's end).
 * - Negatives: windows cut the same way from a negatives BED, or sampled from the genome: random windows that
 *   overlap no positive region, drawn so that their GC content (5% bins, over A/C/G/T) and N fraction (bins 0,
 *   <= 1%, <= 10%, <= 50%) follow the positives' (per split), so the model cannot separate the classes by
 *   composition alone. Windows more than half N are never used.
 * - Splits: windows on --valid-chroms, or wholly inside a --valid-region, validate; windows that straddle a
 *   valid region's edge or touch an --exclude-region or --exclude BED interval (a test hold-out, a blacklist)
 *   are dropped, so no base is shared
 *   between training and evaluation. Without either, a stratified random fraction validates (windows that
 *   overlap each other then leak between the sets: the log says so).
 * - Reverse complement: each window is also shown reverse-complemented (training and validation), on by default
 *   for DNA, as regulatory elements and genes work on either strand.
 *
 * Three streaming passes over the genome (lengths; positives and candidate negatives' composition; chosen
 * negatives), so no chromosome is ever held whole.
 */
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import { Random } from './random.js';
import type { LabelledSet } from './training-set.js';
import type { BedInput, BedRecord } from '../io/bed.js';
import type { RegionRecord } from '../io/bed-regions.js';
import type { GenomeSource } from '../io/genome-source.js';
import { type GenomeInterval, type SequenceLength, formatRegion, normaliseIntervals } from './regions.js';
import type { Alphabet } from './alphabet.js';
import type { EncodedSequence } from './batch.js';
import { stratifiedSplit } from './dataset.js';
import { sequenceLengths, visitWindows } from './genome.js';
import { baseComposition, byteEncodingTable, encodeBytes, reverseComplementEncoded } from './windows.js';
import { autoNegativesPerPositive } from './negative-budget.js';

/** How positive regions become windows: one centred on each, or tiled across long ones. */
export const POSITIVE_WINDOWS = ['centre', 'tile'] as const;
export type PositiveWindows = (typeof POSITIVE_WINDOWS)[number];

/** Which genome windows validate rather than train, and which take part in neither. */
export interface GenomeSplit {
  validChroms: string[];
  validRegions: GenomeInterval[];
  excludeRegions: GenomeInterval[];
  /** used only when neither validChroms nor validRegions is given */
  validFraction: number;
}

/** How windows are cut and labelled; the genome and BED files come separately (GenomeTrainingInputs). */
export interface GenomeTrainingPlan extends GenomeSplit {
  windowBp: number;
  positiveWindows: PositiveWindows;
  tileStrideBp: number;
  /** sampled negatives per positive window (when no negatives BED is given); auto: negative-budget.ts */
  negativesPerPositive: number | 'auto';
  reverseComplement: boolean;
  seed: number;
  /**
   * Centred positive windows move by up to this many bases either way (seeded, one shift per window), so a
   * pooling front-end does not learn one fixed phase: scan's windows meet elements at every offset. 0: exactly
   * centred (--plain).
   */
  positiveJitterBp?: number;
}

/**
 * The genome and the BED files of positive (and optionally negative) regions, opened by the caller. Records
 * carrying a narrowPeak summit (src/io/bed-regions.ts) get their centred window on the summit.
 */
export interface GenomeTrainingInputs {
  genome: GenomeSource;
  positives: BedInput<RegionRecord>;
  negatives?: BedInput<RegionRecord>;
}

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export interface GenomeTrainingSets {
  train: LabelledSet;
  valid?: LabelledSet;
  /** reverse-complement augmentation on: items come in (forward, reverse complement) pairs */
  strandPairs: boolean;
  validDescription: string;
  summary: Record<string, unknown>;
  /** share of the validation territory (the genome, without one) that positive regions cover */
  positiveRate: number;
  /** the negative windows the model trains on (sampled or cut from the negatives BED), which its null avoids */
  trainedNegatives: GenomeInterval[];
  /** sampled negatives per positive window (auto resolved); undefined where a negatives BED gave them */
  negativesPerPositive?: number;
}

export const NEGATIVE_LABEL = 0;
export const POSITIVE_LABEL = 1;

export type Split = 'train' | 'valid' | 'drop';

interface WindowRef {
  chrom: string;
  start: number;
  split: Split;
}

const GC_BINS = 20;
const N_BIN_LIMITS = [0, 0.01, 0.1, 0.5];
/** Candidate negatives examined per negative needed: enough that every GC bin of the positives finds matches. */
const CANDIDATES_PER_NEGATIVE = 20;

/**
 * Each sequence's length, in file order and by name, after checking that every sequence the split options name
 * (--valid-chroms, --valid-region, --exclude-region) is in the genome: a typo there would silently leave no
 * validation data.
 */
export function measureGenome(
  plan: Pick<GenomeTrainingPlan, 'validChroms' | 'validRegions' | 'excludeRegions'>,
  genome: GenomeSource,
): { lengths: SequenceLength[]; lengthOf: Map<string, number> } {
  const lengths = sequenceLengths(genome);
  const lengthOf = new Map(lengths.map((l) => [l.name, l.length]));
  for (const chrom of plan.validChroms) {
    if (!lengthOf.has(chrom)) throw new RnnseqError(`--valid-chroms ${chrom}: ${genome.path} has no sequence of that name`, EXIT_USAGE);
  }
  for (const [flag, list] of [
    ['--valid-region', plan.validRegions],
    ['--exclude-region', plan.excludeRegions],
  ] as const) {
    for (const r of list) {
      if (!lengthOf.has(r.chrom))
        throw new RnnseqError(`${flag} ${formatRegion(r.chrom, r.start, r.end)}: ${genome.path} has no sequence of that name`, EXIT_USAGE);
    }
  }
  return { lengths, lengthOf };
}

export async function buildGenomeSets(
  plan: GenomeTrainingPlan,
  inputs: GenomeTrainingInputs,
  alphabet: Alphabet,
  report: Reporter,
): Promise<GenomeTrainingSets> {
  const W = plan.windowBp;
  const { genome } = inputs;
  const { lengths, lengthOf } = measureGenome(plan, genome);
  const splitOf = splitter(plan, W);

  const positiveRecords = await regionsOnGenome(inputs.positives, genome, report);
  if (positiveRecords.length === 0)
    throw new RnnseqError(`${inputs.positives.name}: no positive regions on the sequences of ${genome.path}`, EXIT_DATA);
  const positives = cutWindows(positiveRecords, plan, lengthOf, splitOf);
  const perPositive = plan.negativesPerPositive === 'auto' ? autoNegativesPerPositive(positives.length, W) : plan.negativesPerPositive;
  const negativesFromBed = inputs.negatives
    ? cutWindows(await regionsOnGenome(inputs.negatives, genome, report), plan, lengthOf, splitOf)
    : undefined;

  const encoding = byteEncodingTable(alphabet);
  const encode = (bases: Uint8Array): EncodedSequence => {
    const encoded = new Float32Array(W * alphabet.size);
    encodeBytes(bases, 0, W, encoding, alphabet.size, encoded);
    return { encoded, length: W };
  };

  // Pass 2: positive windows (and user negatives) encoded; candidate negatives' composition measured.
  const random = new Random(plan.seed * 7919 + 17);
  const candidates = negativesFromBed ? [] : sampleCandidates(W, perPositive, lengths, positiveRecords, splitOf, positives.length, random);
  type Kept = { ref: WindowRef; item: EncodedSequence; gc: number; nBin: number };
  const kept = { positive: [] as Kept[], negative: [] as Kept[] };
  const candidateKeys = new Map<string, number[]>(); // key -> candidate indices
  const candidateComposition = new Map<number, { gc: number; nBin: number }>();
  const roles = new Map<string, Map<number, Array<{ kind: 'positive' | 'negative' | 'candidate'; index: number }>>>();
  const addRole = (chrom: string, start: number, role: { kind: 'positive' | 'negative' | 'candidate'; index: number }) => {
    let byStart = roles.get(chrom);
    if (!byStart) roles.set(chrom, (byStart = new Map()));
    const list = byStart.get(start);
    if (list) list.push(role);
    else byStart.set(start, [role]);
  };
  positives.forEach((w, index) => addRole(w.chrom, w.start, { kind: 'positive', index }));
  negativesFromBed?.forEach((w, index) => addRole(w.chrom, w.start, { kind: 'negative', index }));
  candidates.forEach((w, index) => addRole(w.chrom, w.start, { kind: 'candidate', index }));
  let tooManyN = 0;
  await visitWindows(genome, sortedStarts(roles), W, (chrom, start, bases) => {
    const composition = baseComposition(bases);
    const nBin = nBinOf(composition.n / W);
    const gc = composition.acgt > 0 ? composition.gc / composition.acgt : 0.5;
    for (const role of roles.get(chrom)!.get(start)!) {
      if (role.kind === 'candidate') {
        if (nBin < 0) continue;
        candidateComposition.set(role.index, { gc, nBin });
        const key = compositionKey(candidates[role.index]!.split, gc, nBin);
        const list = candidateKeys.get(key);
        if (list) list.push(role.index);
        else candidateKeys.set(key, [role.index]);
        continue;
      }
      if (nBin < 0) {
        tooManyN++;
        continue;
      }
      const ref = role.kind === 'positive' ? positives[role.index]! : negativesFromBed![role.index]!;
      kept[role.kind].push({ ref, item: encode(bases), gc, nBin });
    }
  });
  if (tooManyN > 0) report.warn(`${tooManyN} window(s) more than half N were left out`);

  // Negatives: GC- and N-matched to the positives, split by split.
  if (!negativesFromBed) {
    const chosen = matchNegatives(
      kept.positive.map((p) => compositionKey(p.ref.split, p.gc, p.nBin)),
      perPositive,
      candidateKeys,
      random,
    );
    const byIndex = new Map<string, Map<number, number>>();
    for (const index of chosen) {
      const c = candidates[index]!;
      let m = byIndex.get(c.chrom);
      if (!m) byIndex.set(c.chrom, (m = new Map()));
      m.set(c.start, index);
    }
    const requests = new Map([...byIndex].map(([chrom, m]) => [chrom, [...m.keys()].sort((a, b) => a - b)]));
    await visitWindows(genome, requests, W, (chrom, start, bases) => {
      const index = byIndex.get(chrom)!.get(start)!;
      kept.negative.push({ ref: candidates[index]!, item: encode(bases), ...candidateComposition.get(index)! });
    });
    const wanted = Math.round(kept.positive.length * perPositive);
    // Under auto the amount is ours to choose, and a small genome simply holds less background.
    if (kept.negative.length < wanted && plan.negativesPerPositive !== 'auto') {
      report.warn(
        `only ${kept.negative.length} of ${wanted} negatives could be sampled away from the positives; the genome is small or mostly positive`,
      );
    }
  }

  const meanGc = (list: Array<{ gc: number }>) => (list.length === 0 ? NaN : list.reduce((s, w) => s + w.gc, 0) / list.length);
  const counts = (split: Split) => ({
    positive: kept.positive.filter((w) => w.ref.split === split).length,
    negative: kept.negative.filter((w) => w.ref.split === split).length,
  });
  const heldOutBy = plan.validChroms.length > 0 || plan.validRegions.length > 0;
  const territory = heldOutBy
    ? [...plan.validChroms.map((chrom) => ({ chrom, start: 0, end: lengthOf.get(chrom)! })), ...plan.validRegions]
    : lengths.map((l) => ({ chrom: l.name, start: 0, end: l.length }));
  const positiveRate = coveredShare(positiveRecords, territory, lengthOf);
  const summary = {
    genome: genome.path,
    positives: inputs.positives.name,
    negatives:
      inputs.negatives?.name ??
      `sampled: ${perPositive} per positive${plan.negativesPerPositive === 'auto' ? ' (auto)' : ''}, GC- and N-matched, away from positives (seed ${plan.seed})`,
    windowBp: W,
    positiveWindows: plan.positiveWindows === 'tile' ? `tiled every ${plan.tileStrideBp} bp` : 'centred',
    reverseComplement: plan.reverseComplement,
    windows: { train: counts('train'), valid: counts('valid') },
    meanGc: { positive: round(meanGc(kept.positive)), negative: round(meanGc(kept.negative)) },
    positiveRate: round(positiveRate),
  };
  report.info(
    `genome windows of ${W} bp: ${kept.positive.length} positive, ${kept.negative.length} negative (mean GC ${summary.meanGc.positive} vs ${summary.meanGc.negative})` +
      (plan.reverseComplement ? ', each also reverse-complemented' : ''),
  );

  const toSet = (windows: Array<{ item: EncodedSequence; label: number }>): LabelledSet => {
    const items: EncodedSequence[] = [];
    const labels: number[] = [];
    for (const w of windows) {
      items.push(w.item);
      labels.push(w.label);
      if (plan.reverseComplement) {
        items.push({ encoded: reverseComplementEncoded(w.item.encoded), length: w.item.length });
        labels.push(w.label);
      }
    }
    return { items, labels: Int32Array.from(labels) };
  };
  const sampled = negativesFromBed ? {} : { negativesPerPositive: perPositive };
  // With a random validation fraction the two splits' windows interleave: every negative counts as trained on.
  const trainedNegatives = kept.negative
    .filter((w) => !heldOutBy || w.ref.split === 'train')
    .map((w) => ({ chrom: w.ref.chrom, start: w.ref.start, end: w.ref.start + W }));
  const labelled = [
    ...kept.positive.map((w) => ({ ...w, label: POSITIVE_LABEL })),
    ...kept.negative.map((w) => ({ ...w, label: NEGATIVE_LABEL })),
  ];
  if (heldOutBy) {
    const train = labelled.filter((w) => w.ref.split === 'train');
    const valid = labelled.filter((w) => w.ref.split === 'valid');
    if (train.length === 0) throw new RnnseqError('no training windows are left outside the validation and excluded regions', EXIT_DATA);
    if (!valid.some((w) => w.label === POSITIVE_LABEL)) {
      throw new RnnseqError('no positive windows fall on the validation chromosomes or regions; choose others', EXIT_DATA);
    }
    const where = [...plan.validChroms, ...plan.validRegions.map((r) => formatRegion(r.chrom, r.start, r.end))].join(', ');
    return {
      train: toSet(train),
      valid: toSet(valid),
      strandPairs: plan.reverseComplement,
      validDescription: `held out: ${where}`,
      summary,
      positiveRate,
      trainedNegatives,
      ...sampled,
    };
  }
  if (plan.validFraction === 0)
    return {
      train: toSet(labelled),
      strandPairs: plan.reverseComplement,
      validDescription: 'none',
      summary,
      positiveRate,
      trainedNegatives,
      ...sampled,
    };
  report.warn(
    'no --valid-chroms or --valid-region: validating on a random fraction of windows, which overlap the training windows; the threshold will be optimistic',
  );
  const split = stratifiedSplit(
    Int32Array.from(labelled, (w) => w.label),
    plan.validFraction,
    new Random(plan.seed),
  );
  return {
    train: toSet(split.train.map((i) => labelled[i]!)),
    valid: toSet(split.valid.map((i) => labelled[i]!)),
    strandPairs: plan.reverseComplement,
    validDescription: `random ${plan.validFraction} of the windows, seed ${plan.seed}`,
    summary,
    positiveRate,
    trainedNegatives,
    ...sampled,
  };
}

/** Share of the territory's bases that the regions cover. */
function coveredShare(regions: readonly BedRecord[], territory: readonly GenomeInterval[], lengthOf: Map<string, number>): number {
  const covered = normaliseIntervals(regions.map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })));
  const area = normaliseIntervals(territory.map((t) => ({ ...t, end: Math.min(t.end, lengthOf.get(t.chrom) ?? 0) })));
  let total = 0;
  let inside = 0;
  for (const [chrom, intervals] of area) {
    const list = covered.get(chrom) ?? [];
    for (const [start, end] of intervals) {
      total += end - start;
      for (const [a, b] of list) inside += Math.max(0, Math.min(b, end) - Math.max(a, start));
    }
  }
  return total > 0 ? inside / total : 0;
}

/** BED regions on sequences of the genome, checked against their lengths. */
export async function regionsOnGenome<T extends BedRecord>(
  bed: { name: string; read(): Promise<T[]> },
  genome: GenomeSource,
  report: Reporter,
): Promise<T[]> {
  const records = await bed.read();
  const kept: T[] = [];
  const elsewhere = new Set<string>();
  for (const r of records) {
    if (!genome.has(r.chrom)) {
      elsewhere.add(r.chrom);
      continue;
    }
    const length = genome.length(r.chrom);
    if (r.end > length) {
      throw dataError(
        { file: bed.name, line: r.line },
        `region ends at ${r.end}, past the end of ${r.chrom} (${length} bp in ${genome.path}): is the BED for another assembly?`,
      );
    }
    kept.push(r);
  }
  if (elsewhere.size > 0) {
    const skipped = records.length - kept.length;
    report.warn(
      `${bed.name}: ${skipped} region(s) on ${elsewhere.size} sequence(s) not in ${genome.path} were skipped (e.g. ${[...elsewhere][0]})`,
    );
  }
  return kept;
}

function cutWindows(
  records: readonly RegionRecord[],
  plan: GenomeTrainingPlan,
  lengthOf: Map<string, number>,
  splitOf: (chrom: string, start: number) => Split,
): WindowRef[] {
  const W = plan.windowBp;
  const seen = new Set<string>();
  const windows: WindowRef[] = [];
  // Up to the jitter either way, whatever the region's length: scan's windows (every quarter window) meet an
  // element up to an eighth of a window off centre, and a region about as long as the window meets them cut at one
  // end. Kept inside such a region (before 2026-12-07), a scanner of 300 bp repeat copies in 300 bp windows saw
  // only exactly centred copies and scored fresh copies 40 bp off centre at 0.02-0.3.
  const jitter = plan.positiveJitterBp ?? 0;
  const random = new Random(plan.seed * 6007 + 29);
  const shift = () => (jitter > 0 ? random.int(2 * jitter + 1) - jitter : 0);
  const add = (chrom: string, start: number) => {
    const length = lengthOf.get(chrom)!;
    if (length < W) return;
    const clamped = Math.min(Math.max(0, start), length - W);
    const key = `${chrom}\t${clamped}`;
    if (seen.has(key)) return; // overlapping regions (exons of one gene in two records) give one window
    seen.add(key);
    const split = splitOf(chrom, clamped);
    if (split !== 'drop') windows.push({ chrom, start: clamped, split });
  };
  for (const r of records) {
    const size = r.end - r.start;
    if (plan.positiveWindows === 'tile' && size > W) {
      for (let start = r.start; start + W <= r.end; start += plan.tileStrideBp) add(r.chrom, start);
      if ((size - W) % plan.tileStrideBp !== 0) add(r.chrom, r.end - W);
    } else if (r.summit !== undefined) {
      add(r.chrom, r.summit - Math.floor(W / 2) + shift()); // narrowPeak: centred on the summit, where the signal peaks
    } else {
      add(r.chrom, Math.floor((r.start + r.end - W) / 2) + shift());
    }
  }
  return windows;
}

export function splitter(
  plan: Pick<GenomeTrainingPlan, 'validChroms' | 'validRegions' | 'excludeRegions'>,
  W: number,
): (chrom: string, start: number) => Split {
  const validChroms = new Set(plan.validChroms);
  // Sorted and joined once: an --exclude BED (an ENCODE blacklist) lists hundreds of intervals, and every
  // candidate window is checked against them.
  const excluded = normaliseIntervals(plan.excludeRegions);
  return (chrom, start) => {
    const end = start + W;
    const overlaps = (r: GenomeInterval) => r.chrom === chrom && start < r.end && end > r.start;
    if (overlapsAny(excluded.get(chrom) ?? [], start, end)) return 'drop';
    if (validChroms.has(chrom)) return 'valid';
    const valid = plan.validRegions.filter(overlaps);
    if (valid.length === 0) return 'train';
    return valid.some((r) => start >= r.start && end <= r.end) ? 'valid' : 'drop';
  };
}

/** Random window starts spread over the genome in proportion to length, away from every positive region. */
function sampleCandidates(
  W: number,
  perPositive: number,
  lengths: ReadonlyArray<{ name: string; length: number }>,
  positives: readonly BedRecord[],
  splitOf: (chrom: string, start: number) => Split,
  positiveWindows: number,
  random: Random,
): WindowRef[] {
  const blocked = normaliseIntervals(positives.map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })));
  const startsOn = lengths.map((l) => Math.max(0, l.length - W + 1));
  const totalStarts = startsOn.reduce((a, b) => a + b, 0);
  const wanted = Math.min(totalStarts, Math.max(2000, Math.ceil(positiveWindows * perPositive * CANDIDATES_PER_NEGATIVE)));
  const candidates: WindowRef[] = [];
  lengths.forEach(({ name }, i) => {
    const count = Math.round((wanted * startsOn[i]!) / Math.max(1, totalStarts));
    if (count === 0) return;
    const starts = new Set<number>();
    for (let k = 0; k < count; k++) starts.add(random.int(startsOn[i]!));
    const list = blocked.get(name) ?? [];
    for (const start of [...starts].sort((a, b) => a - b)) {
      if (overlapsAny(list, start, start + W)) continue;
      const split = splitOf(name, start);
      if (split !== 'drop') candidates.push({ chrom: name, start, split });
    }
  });
  return candidates;
}

/** Whether [start, end) overlaps one of the sorted, disjoint intervals. */
function overlapsAny(intervals: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid]![0] < end) lo = mid + 1;
    else hi = mid;
  }
  // intervals[lo - 1] is the last one starting before `end`; being disjoint and sorted, it ends last of those.
  return lo > 0 && intervals[lo - 1]![1] > start;
}

function nBinOf(nFraction: number): number {
  for (let b = 0; b < N_BIN_LIMITS.length; b++) if (nFraction <= N_BIN_LIMITS[b]!) return b;
  return -1;
}

function compositionKey(split: Split, gc: number, nBin: number): string {
  return `${split}/${nBin}/${Math.min(GC_BINS - 1, Math.floor(gc * GC_BINS))}`;
}

/**
 * For each positive's composition key, `perPositive` candidates of the same key; where a key runs short, the
 * nearest GC bins of the same split and N bin, then any of the same split.
 */
function matchNegatives(
  positiveKeys: readonly string[],
  perPositive: number,
  candidateKeys: Map<string, number[]>,
  random: Random,
): number[] {
  const wanted = new Map<string, number>();
  positiveKeys.forEach((key, i) => {
    // Fractional ratios: spread the remainder evenly over the positives.
    const share = Math.floor((i + 1) * perPositive) - Math.floor(i * perPositive);
    wanted.set(key, (wanted.get(key) ?? 0) + share);
  });
  const pools = new Map([...candidateKeys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, list]) => [key, random.shuffle(list.slice())]));
  const take = (key: string, count: number): number[] => {
    const pool = pools.get(key);
    return pool ? pool.splice(0, count) : [];
  };
  const chosen: number[] = [];
  for (const [key, count] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let got = take(key, count);
    const [split, nBin, gcBin] = key.split('/') as [string, string, string];
    for (let d = 1; got.length < count && d < GC_BINS; d++) {
      for (const neighbour of [Number(gcBin) - d, Number(gcBin) + d]) {
        if (neighbour >= 0 && neighbour < GC_BINS) got = got.concat(take(`${split}/${nBin}/${neighbour}`, count - got.length));
      }
    }
    for (const other of [...pools.keys()]) {
      if (got.length >= count) break;
      if (other.startsWith(`${split}/`)) got = got.concat(take(other, count - got.length));
    }
    chosen.push(...got);
  }
  return chosen;
}

function sortedStarts(roles: Map<string, Map<number, unknown>>): Map<string, number[]> {
  return new Map([...roles].map(([chrom, byStart]) => [chrom, [...byStart.keys()].sort((a, b) => a - b)]));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
