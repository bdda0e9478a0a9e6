/**
 * Generated tasks with a known answer, one per ability a sequence model should have (the seed chapter's three):
 * a motif anywhere, two motifs in a fixed order and spacing, and a motif whose effect depends on a condition.
 * Every draw comes from the seed, so a point can be regenerated exactly.
 */
import type { Random } from '../../src/seq/random.js';
import type { BenchRecord } from './records.js';

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

function reverseComplement(s: string): string {
  return [...s]
    .reverse()
    .map((b) => COMPLEMENT[b]!)
    .join('');
}

/** Uniform random DNA containing none of the words (nor their reverse complements), redrawn until clean. */
function background(random: Random, length: number, avoid: readonly string[]): string {
  const words = avoid.flatMap((w) => [w, reverseComplement(w)]);
  for (;;) {
    const s = Array.from({ length }, () => 'ACGT'[random.int(4)]).join('');
    if (!words.some((w) => s.includes(w))) return s;
  }
}

function writeAt(sequence: string, at: number, word: string): string {
  return sequence.slice(0, at) + word + sequence.slice(at + word.length);
}

export const PLANTED_MOTIF = 'TTGACGCA';

/** One 8-mer planted at a random position in half of the 100 bp sequences (the chance-level task). */
export function motifAnywhere(count: number, random: Random): BenchRecord[] {
  const length = 100;
  return Array.from({ length: count }, (_, i) => {
    const positive = i % 2 === 0;
    let sequence = background(random, length, [PLANTED_MOTIF]);
    if (positive) sequence = writeAt(sequence, random.int(length - PLANTED_MOTIF.length + 1), PLANTED_MOTIF);
    return { sequence, label: positive ? 'motif' : 'none' };
  });
}

export const GRAMMAR_FIRST = 'TAGCTT';
export const GRAMMAR_SECOND = 'GGACCA';
export const GRAMMAR_GAP = 5;

/**
 * Both motifs in every sequence. Positive: the first, exactly 5 bp, then the second. Negative: the second before
 * the first (any gap), or the first before the second with a gap of 0-2 or 8-30 bp. The k-mer content of the two
 * classes is the same, so only order and spacing tell them apart.
 */
export function motifGrammar(count: number, random: Random): BenchRecord[] {
  const length = 100;
  const words = [GRAMMAR_FIRST, GRAMMAR_SECOND];
  return Array.from({ length: count }, (_, i) => {
    const positive = i % 2 === 0;
    let first = GRAMMAR_FIRST;
    let second = GRAMMAR_SECOND;
    let gap = GRAMMAR_GAP;
    if (!positive) {
      if (random.int(2) === 0) [first, second] = [second, first];
      else gap = random.int(2) === 0 ? random.int(3) : 8 + random.int(23);
      if (first === GRAMMAR_SECOND) gap = random.int(31);
    }
    const span = first.length + gap + second.length;
    for (;;) {
      const at = random.int(length - span + 1);
      let sequence = background(random, length, words);
      sequence = writeAt(writeAt(sequence, at, first), at + first.length + gap, second);
      // the planted pair must be the only occurrence of each word (a random flank can complete another one)
      if (words.every((w) => count1(sequence, w) === 1 && !sequence.includes(reverseComplement(w))))
        return { sequence, label: positive ? 'grammar' : 'other' };
    }
  });
}

function count1(s: string, w: string): number {
  let n = 0;
  for (let at = s.indexOf(w); at >= 0; at = s.indexOf(w, at + 1)) n++;
  return n;
}

export const CONDITION_TAG = 'cell';

/**
 * The motif activates in liver and represses in brain: bound = motif in liver, or no motif in brain. Without the
 * condition the sequence says nothing about the label (the two effects cancel), with it the task is one motif.
 */
export function motifCondition(count: number, random: Random): BenchRecord[] {
  const length = 100;
  return Array.from({ length: count }, (_, i) => {
    const motif = i % 2 === 0;
    const liver = random.int(2) === 0;
    let sequence = background(random, length, [PLANTED_MOTIF]);
    if (motif) sequence = writeAt(sequence, random.int(length - PLANTED_MOTIF.length + 1), PLANTED_MOTIF);
    return { sequence, label: motif === liver ? 'bound' : 'unbound', condition: liver ? 'liver' : 'brain' };
  });
}

export const PROMOTER_LENGTH = 57;
export const PROMOTER_BOXES = { minus35: 'TTGACA', minus10: 'TATAAT' };
/** the share of a box's positions that carry the consensus base; the rest are any other base */
const BOX_CONSENSUS = 0.75;

/** A box drawn from its consensus: each base kept with BOX_CONSENSUS, else one of the other three. */
function degenerate(word: string, random: Random): string {
  return [...word].map((b) => (random.next() < BOX_CONSENSUS ? b : 'ACGT'.replace(b, '')[random.int(3)]!)).join('');
}

/**
 * A sigma-70-style promoter set of the shape of the classic small ones (57 bp from -50 to +7, transcription start
 * at index 50, half promoters): a degenerate -10 box ending 6-8 bp before the start and a degenerate -35 box 15-19
 * bp upstream of it (each base consensus with 0.75, 9 of 12 on average; the likelihood ratio that knows the boxes reaches AUROC 0.977), in
 * uniform background; negatives are the background alone. The boxes sit near fixed positions, so position-aware
 * linear models and MLPs are the natural peers, and no single position or word separates the classes.
 */
export function promoterBoxes(count: number, random: Random): BenchRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const positive = i % 2 === 0;
    let sequence = Array.from({ length: PROMOTER_LENGTH }, () => 'ACGT'[random.int(4)]).join('');
    if (positive) {
      const minus10 = 50 - 6 - 6 - random.int(3);
      const minus35 = minus10 - 15 - random.int(5) - 6;
      sequence = writeAt(
        writeAt(sequence, minus10, degenerate(PROMOTER_BOXES.minus10, random)),
        minus35,
        degenerate(PROMOTER_BOXES.minus35, random),
      );
    }
    return { sequence, label: positive ? 'promoter' : 'none' };
  });
}
