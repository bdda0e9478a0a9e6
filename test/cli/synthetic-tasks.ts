/**
 * Small synthetic data sets with a known answer, one per modelling option of issue #6, each generated from a
 * seed so a failing test can be rerun exactly. Sequences are short so a tiny model learns them in seconds.
 */
import { Random } from '../../src/seq/random.js';

export interface SyntheticRecord {
  id: string;
  /** header tags after the id, e.g. 'label=bound cell=HeLa' */
  tags: string;
  sequence: string;
}

export function toFasta(records: readonly SyntheticRecord[]): string {
  return records.map((r) => `>${r.id}${r.tags ? ` ${r.tags}` : ''}\n${r.sequence}\n`).join('');
}

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

export function reverseComplement(sequence: string): string {
  return [...sequence]
    .reverse()
    .map((base) => COMPLEMENT[base]!)
    .join('');
}

/** A uniform random DNA sequence containing none of `avoid` (redrawn until it does not). */
export function randomDna(random: Random, length: number, avoid: readonly string[] = []): string {
  for (;;) {
    const sequence = Array.from({ length }, () => 'ACGT'[random.int(4)]).join('');
    if (!avoid.some((word) => sequence.includes(word))) return sequence;
  }
}

/** `motif` written over a random position of `sequence`. */
export function plant(random: Random, sequence: string, motif: string): string {
  const at = random.int(sequence.length - motif.length + 1);
  return sequence.slice(0, at) + motif + sequence.slice(at + motif.length);
}

/**
 * A motif that activates in liver and represses in brain (bound = motif in liver or no motif in brain): neither the
 * sequence nor the condition alone says anything about the label.
 */
export function motifConditionTask(count: number, length: number, seed: number, motif = 'TTGACGCA'): SyntheticRecord[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const planted = i % 2 === 0;
    const liver = random.int(2) === 0;
    const background = randomDna(random, length, [motif]);
    return {
      id: `m${i}`,
      tags: `label=${planted === liver ? 'bound' : 'unbound'} cell=${liver ? 'liver' : 'brain'}`,
      sequence: planted ? plant(random, background, motif) : background,
    };
  });
}

/** The label is the condition's and nothing in the sequence tells it: cell=liver is bound, cell=brain unbound. */
export function conditionTask(count: number, length: number, seed: number): SyntheticRecord[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const liver = random.int(2) === 0;
    return {
      id: `c${i}`,
      tags: `label=${liver ? 'bound' : 'unbound'} cell=${liver ? 'liver' : 'brain'}`,
      sequence: randomDna(random, length),
    };
  });
}

/** The label is whether the covariate 'age' is above 50; the sequences are noise. Returns FASTA records and the TSV. */
export function covariateTask(count: number, length: number, seed: number): { records: SyntheticRecord[]; tsv: string } {
  const random = new Random(seed);
  const rows = ['id\tage'];
  const records = Array.from({ length: count }, (_, i) => {
    const age = Math.round(random.next() * 1000) / 10;
    rows.push(`v${i}\t${age}`);
    return { id: `v${i}`, tags: `label=${age > 50 ? 'old' : 'young'}`, sequence: randomDna(random, length) };
  });
  return { records, tsv: `${rows.join('\n')}\n` };
}

/** Sequences drawn with a GC content uniform in [0.2, 0.8]; value= is the GC fraction actually drawn. */
export function gcContentTask(count: number, length: number, seed: number): Array<SyntheticRecord & { gc: number }> {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const gcRate = 0.2 + 0.6 * random.next();
    const sequence = Array.from({ length }, () => (random.next() < gcRate ? 'GC' : 'AT')[random.int(2)]).join('');
    const gc = [...sequence].filter((b) => b === 'G' || b === 'C').length / length;
    return { id: `r${i}`, tags: `value=${gc.toFixed(4)}`, sequence, gc };
  });
}

/**
 * A motif that is not its own reverse complement, planted on one strand: half the records carry `motif` (label
 * site) and the other half neither it nor its reverse complement (label none). With strand '-', the positives
 * carry the reverse complement instead (and never the motif itself).
 */
export function strandedMotifTask(count: number, length: number, seed: number, motif: string, strand: '+' | '-'): SyntheticRecord[] {
  const random = new Random(seed);
  const other = reverseComplement(motif);
  const [present, absent] = strand === '+' ? [motif, other] : [other, motif];
  return Array.from({ length: count }, (_, i) => {
    if (i % 2 === 1) return { id: `m${i}`, tags: 'label=none', sequence: randomDna(random, length, [motif, other]) };
    for (;;) {
      const sequence = plant(random, randomDna(random, length, [absent]), present);
      if (!sequence.includes(absent)) return { id: `m${i}`, tags: 'label=site', sequence };
    }
  });
}

/**
 * Circular sequences for a detector of `motif`: half carry it split across the ends (the tail of the sequence
 * then its head spell it, so only a reader that goes round finds it), half carry it nowhere, not even across the
 * ends. No record has the motif or its reverse complement in its linear sequence.
 */
export function splitMotifTask(count: number, length: number, seed: number, motif: string): SyntheticRecord[] {
  const random = new Random(seed);
  const avoid = [motif, reverseComplement(motif)];
  return Array.from({ length: count }, (_, i) => {
    for (;;) {
      if (i % 2 === 1) {
        const sequence = randomDna(random, length, avoid);
        if (!avoid.some((word) => (sequence + sequence).includes(word))) return { id: `j${i}`, tags: 'label=none', sequence };
        continue;
      }
      const cut = 1 + random.int(motif.length - 1);
      const sequence = motif.slice(cut) + randomDna(random, length - motif.length) + motif.slice(0, cut);
      if (!avoid.some((word) => sequence.includes(word))) return { id: `j${i}`, tags: 'label=site', sequence };
    }
  });
}

const STOPS = ['TAA', 'TAG', 'TGA'];
/** The 61 sense codons less ATG, so a planted open reading frame has one start and no stop. */
const SENSE = Array.from({ length: 64 }, (_, k) => 'ACGT'[k >> 4]! + 'ACGT'[(k >> 2) & 3]! + 'ACGT'[k & 3]!).filter(
  (c) => !STOPS.includes(c) && c !== 'ATG',
);

/**
 * The start of a gene read 5' to 3': positives carry ATG followed, in frame, by `codons` sense codons (an open
 * reading frame); negatives are the same bases shuffled, with no ATG anywhere, so base composition tells nothing.
 */
export function startCodonTask(count: number, length: number, codons: number, seed: number): SyntheticRecord[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const orf = `ATG${Array.from({ length: codons }, () => SENSE[random.int(SENSE.length)]).join('')}`;
    const flank = randomDna(random, length - orf.length, ['ATG']);
    const at = random.int(flank.length + 1);
    const positive = flank.slice(0, at) + orf + flank.slice(at);
    if (i % 2 === 0) return { id: `o${i}`, tags: 'label=orf', sequence: positive };
    for (;;) {
      const shuffled = random.shuffle([...positive]).join('');
      if (!shuffled.includes('ATG')) return { id: `o${i}`, tags: 'label=none', sequence: shuffled };
    }
  });
}

/** Parses rnnseq's TSV output: header fields, then rows of fields. */
export function parseTsv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = text
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  return { header: header ?? [], rows };
}

/** Fraction of rows whose label column equals the expected label of the record with the same index. */
export function accuracy(rows: readonly string[][], expected: readonly string[]): number {
  let correct = 0;
  rows.forEach((row, i) => {
    if (row[1] === expected[i]) correct++;
  });
  return correct / expected.length;
}

export function labelOf(record: SyntheticRecord): string {
  return /(?:^|\s)label=(\S+)/.exec(record.tags)![1]!;
}

/** GC-rich against GC-poor (gcContentTask), the label flipped for a tenth of the records so no model is perfect. */
export function noisyGcTask(count: number, length: number, seed: number): SyntheticRecord[] {
  return gcContentTask(count, length, seed).map((r, i) => ({ ...r, tags: `label=${(r.gc > 0.5) !== (i % 10 === 9) ? 'rich' : 'poor'}` }));
}

/** A model small enough for a test to train on noisyGcTask in seconds, and a small null; each test adds its schedule. */
export const TINY_MODEL_FLAGS = ['--hidden', '4', '--conv-filters', '4', '--batch-size', '32', '--threads', '1', '--null-windows', '200'];
