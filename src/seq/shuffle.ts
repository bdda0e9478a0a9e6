/**
 * Seeded k-let-preserving shuffles (Altschul & Erickson 1985 for pairs, by a random Eulerian walk as in Kandel et
 * al. 1996 and uShuffle): the shuffled sequence has exactly the same count of every run of k adjacent symbols,
 * and so the same base composition (and for k = 2 the same CpG content), but motifs are broken up. Background for
 * a classifier's null distribution when no genome is at hand (k chosen per data set: nullShuffleOrder), and
 * phylo's unrelated level (phylo/cross-entropy.ts, pairs).
 */
import type { Random } from './random.js';

/** Shuffles symbol codes (any small integers) keeping every adjacent pair's count, first and last symbol. */
export function dinucleotideShuffle(symbols: ArrayLike<number>, random: Random): Uint8Array {
  return Uint8Array.from(pairShuffle(symbols, random));
}

/**
 * Shuffles symbol codes (integers 0-255) keeping every run of k adjacent symbols' count and the first and last
 * k - 1 symbols: the pair shuffle of the sequence of its overlapping (k - 1)-mers (so k <= 7, each a number below
 * 2^53). k = 2 is dinucleotideShuffle, draw for draw.
 */
export function kletShuffle(symbols: ArrayLike<number>, k: number, random: Random): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 7) throw new RangeError(`kletShuffle: k must be an integer from 2 to 7, not ${k}`);
  if (k === 2) return dinucleotideShuffle(symbols, random);
  const n = symbols.length;
  if (n <= k) return Uint8Array.from(symbols);
  // Each (k - 1)-mer as one number in base 256, so its last symbol is the number mod 256.
  const span = k - 1;
  const top = 256 ** (span - 1);
  const words = new Array<number>(n - span + 1);
  let word = 0;
  for (let i = 0; i < span; i++) word = word * 256 + symbols[i]!;
  words[0] = word;
  for (let i = span; i < n; i++) {
    word = (word % top) * 256 + symbols[i]!;
    words[i - span + 1] = word;
  }
  const walk = pairShuffle(words, random);
  const out = new Uint8Array(n);
  for (let i = 0; i < span; i++) out[i] = symbols[i]!;
  for (let i = 1; i < walk.length; i++) out[i + span - 1] = walk[i]! % 256;
  return out;
}

/** The random Eulerian walk: the same multiset of adjacent pairs, the same first and last element. */
function pairShuffle(symbols: ArrayLike<number>, random: Random): number[] {
  const n = symbols.length;
  const out = new Array<number>(n);
  if (n < 3) {
    for (let i = 0; i < n; i++) out[i] = symbols[i]!;
    return out;
  }
  // Edges: for each symbol, the symbols that follow it, in order.
  const edges = new Map<number, number[]>();
  for (let i = 0; i + 1 < n; i++) {
    const list = edges.get(symbols[i]!);
    if (list) list.push(symbols[i + 1]!);
    else edges.set(symbols[i]!, [symbols[i + 1]!]);
  }
  const last = symbols[n - 1]!;
  // A random arborescence towards the last symbol: each other vertex's last exit edge leads towards it, so the
  // walk that uses those exits last never gets stuck before every edge is used (random walks, Wilson-style).
  const inTree = new Set<number>([last]);
  const exit = new Map<number, number>(); // vertex -> index of its last edge
  const vertices = [...edges.keys()].sort((a, b) => a - b);
  for (const start of vertices) {
    let v = start;
    while (!inTree.has(v)) {
      const list = edges.get(v)!;
      const k = random.int(list.length);
      exit.set(v, k);
      v = list[k]!;
    }
    v = start;
    while (!inTree.has(v)) {
      inTree.add(v);
      v = edges.get(v)![exit.get(v)!]!;
    }
  }
  for (const v of vertices) {
    const list = edges.get(v)!;
    const k = exit.get(v);
    if (k === undefined) {
      random.shuffle(list);
      continue;
    }
    const kept = list[k]!;
    list.splice(k, 1);
    random.shuffle(list);
    list.push(kept);
  }
  const used = new Map<number, number>();
  let v = symbols[0]!;
  out[0] = v;
  for (let i = 1; i < n; i++) {
    const at = used.get(v) ?? 0;
    used.set(v, at + 1);
    v = edges.get(v)![at]!;
    out[i] = v;
  }
  return out;
}

/** An encoded item (length × channels) as symbol codes, one per distinct row, and the rows to write them back. */
function symbolise(encoded: Float32Array, channels: number): { symbols: Uint8Array; rows: Float32Array[] } {
  const length = encoded.length / channels;
  const rowKey = new Map<string | number, number>();
  const rows: Float32Array[] = [];
  const symbols = new Uint8Array(length);
  for (let t = 0; t < length; t++) {
    const row = encoded.subarray(t * channels, (t + 1) * channels);
    const key = oneHotIndex(row) ?? row.join(',');
    let code = rowKey.get(key);
    if (code === undefined) {
      code = rows.length;
      rowKey.set(key, code);
      rows.push(row);
    }
    symbols[t] = code;
  }
  return { symbols, rows };
}

/** The channel of a one-hot row (the common case, keyed without building a string), else undefined. */
function oneHotIndex(row: Float32Array): number | undefined {
  let hot = -1;
  for (let c = 0; c < row.length; c++) {
    const v = row[c]!;
    if (v === 0) continue;
    if (v !== 1 || hot >= 0) return undefined;
    hot = c;
  }
  return hot >= 0 ? hot : undefined;
}

/**
 * Shuffles an encoded item (length × channels), keeping every k-let: each position's row becomes a symbol
 * (identical rows, e.g. A, or N as all 0.25, or zero padding, are one symbol), the symbols are shuffled, and rows
 * are written back.
 */
export function shuffleEncoded(encoded: Float32Array, channels: number, random: Random, k = 2): Float32Array {
  const { symbols, rows } = symbolise(encoded, channels);
  const shuffled = kletShuffle(symbols, k, random);
  const out = new Float32Array(encoded.length);
  for (let t = 0; t < shuffled.length; t++) out.set(rows[shuffled[t]!]!, t * channels);
  return out;
}

/** Words this long shared by a shuffle and its original mean the shuffle kept a stretch of it. */
const LONG_WORD = 12;
/**
 * The most of its original's long words a null shuffle may keep: between what 4-let shuffles of 300 bp kept (0.2%,
 * still scoring above unseen DNA) and 5-let shuffles (7.5%, level with it: no margin left); see nullShuffleOrder.
 */
const MAX_KEPT_LONG_WORDS = 0.01;

/**
 * The k for a classifier's null shuffles (null-scores.ts): the largest k up to `maxK` whose shuffles of these
 * sequences keep at most 1% of their originals' 12-letter words, else 2. The more k-lets a shuffle keeps, the more it
 * reads like real DNA to a model that learned real DNA as background (codon and 3-4-mer structure), but in short or
 * protein sequences the walk has few choices and gives back long stretches of the sequence itself, which the model
 * trained on. Measured on the repeat development case (300 bp windows of E. coli, scripts/dev-repeat-calling.sh):
 * the share of windows the model scores at logit >= -4 was 1.2% for unseen E. coli, 4.4% / 3.4% / 2.5% / 1.8% /
 * 1.3% for shuffles of its training negatives keeping 2- / 3- / 4- / 5- / 6-lets, which kept 0 / 0 / 0.2% / 7.5% /
 * 49% of their 12-mers (at logit >= -2: 0.18% unseen, 0.68% / 0.40% / 0.38% / 0.18% / 0.14%).
 */
export function nullShuffleOrder(items: readonly Float32Array[], channels: number, random: Random, maxK = 4): number {
  const sample = items.slice(0, 100).map((encoded) => symbolise(encoded, channels).symbols);
  if (sample.some((symbols) => symbols.length < LONG_WORD * 2)) return 2;
  const wordsOf = (symbols: Uint8Array) =>
    Array.from({ length: symbols.length - LONG_WORD + 1 }, (_, i) => symbols.subarray(i, i + LONG_WORD).join(','));
  const originals = sample.map((symbols) => new Set(wordsOf(symbols)));
  for (let k = maxK; k > 2; k--) {
    let kept = 0;
    let words = 0;
    sample.forEach((symbols, s) => {
      for (const word of wordsOf(kletShuffle(symbols, k, random))) {
        words++;
        if (originals[s]!.has(word)) kept++;
      }
    });
    if (words > 0 && kept / words <= MAX_KEPT_LONG_WORDS) return k;
  }
  return 2;
}
