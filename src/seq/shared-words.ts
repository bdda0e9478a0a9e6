/**
 * Whether a set of nucleotide sequences are copies of one family: the share of sampled pairs that have at least
 * two 12-letter words (either strand) in common. Unrelated stretches of DNA almost never do (300 bp windows of E.
 * coli or human DNA: 0.5-1.5% of pairs; Oct4 and PUM2 CLIP positives: 0.6% and 1.6%), while copies of a repeat
 * family diverged 5-20% from one sequence do in three pairs of four (74-78%), and 100 bp copies diverged 10-30% in
 * one of five. A shared exact site of 14+ bases makes every pair share (train/decoys.ts).
 */
import type { Random } from './random.js';

/** Word length: long enough that chance matches are rare in a few hundred bases (4^12 = 16.8 million words). */
export const FAMILY_WORD = 12;
/** Sequences sampled, and pairs among them: ~2,000 pairs measure a share of 1% to about +-0.5%. */
const SAMPLED_SEQUENCES = 100;
const SAMPLED_PAIRS = 2000;

/**
 * Calls visit with each 12-mer of a one-hot nucleotide item (channels A C G T/U: the complement of channel c is
 * 3 - c): its canonical code (the smaller of the word and its reverse complement), where it starts, and whether
 * the word as read is the canonical one. A row that is not one-hot (N, padding) breaks the words spanning it.
 */
function visitWords(encoded: Float32Array, channels: number, visit: (word: number, at: number, forward: boolean) => void): void {
  const length = encoded.length / channels;
  const mask = (1 << (2 * FAMILY_WORD)) - 1;
  let forward = 0;
  let reverse = 0;
  let run = 0;
  for (let t = 0; t < length; t++) {
    let code = -1;
    for (let c = 0; c < channels; c++) {
      const v = encoded[t * channels + c]!;
      if (v === 1 && code < 0) code = c;
      else if (v !== 0) {
        code = -1;
        break;
      }
    }
    if (code < 0 || code > 3) {
      run = 0;
      continue;
    }
    forward = ((forward << 2) | code) & mask;
    reverse = (reverse >>> 2) | ((3 - code) << (2 * (FAMILY_WORD - 1)));
    if (++run >= FAMILY_WORD) visit(Math.min(forward, reverse), t - FAMILY_WORD + 1, forward <= reverse);
  }
}

/** The canonical 12-mers of a one-hot nucleotide item (visitWords). */
export function canonicalWords(encoded: Float32Array, channels: number): Set<number> {
  const words = new Set<number>();
  visitWords(encoded, channels, (word) => words.add(word));
  return words;
}

/** Each canonical 12-mer of an item with where it first starts and on which strand, for sharedWordOffset. */
function placedWords(encoded: Float32Array, channels: number): Map<number, { at: number; forward: boolean }> {
  const words = new Map<number, { at: number; forward: boolean }>();
  visitWords(encoded, channels, (word, at, forward) => {
    if (!words.has(word)) words.set(word, { at, forward });
  });
  return words;
}

/**
 * How far apart copies sit in their sequences: over sampled pairs of equal-length items that share two or more
 * 12-mers, the median of each pair's median shift between its shared words (a copy on the other strand measured
 * on its reverse complement). Near 0 when every copy was cut at the same place (aligned windows); undefined with
 * fewer than 10 such pairs.
 */
export function sharedWordOffset(items: readonly Float32Array[], channels: number, random: Random): number | undefined {
  const picked = [...items.keys()];
  random.shuffle(picked);
  const chosen = picked.slice(0, SAMPLED_SEQUENCES);
  const placed = chosen.map((i) => placedWords(items[i]!, channels));
  const lengths = chosen.map((i) => items[i]!.length / channels);
  const shifts: number[] = [];
  for (let a = 0; a < placed.length; a++)
    for (let b = a + 1; b < placed.length && shifts.length < SAMPLED_PAIRS; b++) {
      if (lengths[a] !== lengths[b]) continue;
      const pair: number[] = [];
      for (const [word, pa] of placed[a]!) {
        const pb = placed[b]!.get(word);
        if (!pb) continue;
        const at = pa.forward === pb.forward ? pb.at : lengths[b]! - FAMILY_WORD - pb.at;
        pair.push(Math.abs(pa.at - at));
      }
      if (pair.length >= 2) shifts.push(median(pair));
    }
  return shifts.length < 10 ? undefined : median(shifts);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Share of sampled pairs of these items with at least two canonical 12-mers in common (0 with fewer than 2 items). */
export function sharedWordPairShare(items: readonly Float32Array[], channels: number, random: Random): number {
  const picked = [...items.keys()];
  random.shuffle(picked);
  const words = picked.slice(0, SAMPLED_SEQUENCES).map((i) => canonicalWords(items[i]!, channels));
  const n = words.length;
  if (n < 2) return 0;
  const pairs: Array<[number, number]> = [];
  if ((n * (n - 1)) / 2 <= SAMPLED_PAIRS) {
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push([a, b]);
  } else {
    while (pairs.length < SAMPLED_PAIRS) {
      const a = random.int(n);
      const b = random.int(n - 1);
      pairs.push([a, b >= a ? b + 1 : b]);
    }
  }
  let sharing = 0;
  for (const [a, b] of pairs) {
    const [small, large] = words[a]!.size <= words[b]!.size ? [words[a]!, words[b]!] : [words[b]!, words[a]!];
    let common = 0;
    for (const w of small) if (large.has(w) && ++common >= 2) break;
    if (common >= 2) sharing++;
  }
  return sharing / pairs.length;
}
