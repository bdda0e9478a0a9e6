/**
 * Seeded dinucleotide-preserving shuffles (Altschul & Erickson 1985, by a random Eulerian walk as in Kandel et
 * al. 1996 and uShuffle): the shuffled sequence has exactly the same counts of every adjacent pair of symbols,
 * and so the same base composition and CpG content, but motifs are broken up. Background for a classifier's
 * null distribution when no genome is at hand, and phylo's unrelated level (phylo/cross-entropy.ts).
 */
import type { Random } from './random.js';

/** Shuffles symbol codes (any small integers) keeping every adjacent pair's count, first and last symbol. */
export function dinucleotideShuffle(symbols: ArrayLike<number>, random: Random): Uint8Array {
  const n = symbols.length;
  const out = new Uint8Array(n);
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

/**
 * Shuffles an encoded item (length × channels): each position's row becomes a symbol (identical rows, e.g. A,
 * or N as all 0.25, or zero padding, are one symbol), the symbols are shuffled, and rows are written back.
 */
export function shuffleEncoded(encoded: Float32Array, channels: number, random: Random): Float32Array {
  const length = encoded.length / channels;
  const rowKey = new Map<string, number>();
  const rows: Float32Array[] = [];
  const symbols = new Uint8Array(length);
  for (let t = 0; t < length; t++) {
    const row = encoded.subarray(t * channels, (t + 1) * channels);
    const key = row.join(',');
    let code = rowKey.get(key);
    if (code === undefined) {
      code = rows.length;
      rowKey.set(key, code);
      rows.push(row);
    }
    symbols[t] = code;
  }
  const shuffled = dinucleotideShuffle(symbols, random);
  const out = new Float32Array(encoded.length);
  for (let t = 0; t < length; t++) out.set(rows[shuffled[t]!]!, t * channels);
  return out;
}
