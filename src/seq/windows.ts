/**
 * Fixed-length windows on one sequence of `lengthBp` bases (0-based, half-open, like BED).
 *
 * The grid: regular windows start at i * strideBp for every i with i * strideBp + windowBp <= lengthBp; when the
 * last regular window stops short of the sequence end, one more "tail" window, [lengthBp - windowBp, lengthBp),
 * covers the end. A sequence shorter than one window has no windows. Window starts increase with the index, so
 * a window's index and its start order agree everywhere (merging, sharding, bedGraph).
 */
import type { Alphabet } from './alphabet.js';

export interface WindowGrid {
  windowBp: number;
  strideBp: number;
}

/** Regular windows: those whose start is a multiple of the stride. */
export function regularWindowCount(lengthBp: number, grid: WindowGrid): number {
  if (lengthBp < grid.windowBp) return 0;
  return Math.floor((lengthBp - grid.windowBp) / grid.strideBp) + 1;
}

export function hasTailWindow(lengthBp: number, grid: WindowGrid): boolean {
  return lengthBp >= grid.windowBp && (lengthBp - grid.windowBp) % grid.strideBp !== 0;
}

export function windowCount(lengthBp: number, grid: WindowGrid): number {
  return regularWindowCount(lengthBp, grid) + (hasTailWindow(lengthBp, grid) ? 1 : 0);
}

/** Start of window `index`; lengthBp is needed only to place the tail window. */
export function windowStart(index: number, lengthBp: number, grid: WindowGrid): number {
  return index < regularWindowCount(lengthBp, grid) ? index * grid.strideBp : lengthBp - grid.windowBp;
}

/** Index of the first regular window starting at or after `position`. */
export function firstWindowAtOrAfter(position: number, grid: WindowGrid): number {
  return Math.max(0, Math.ceil(position / grid.strideBp));
}

/**
 * The bedGraph bin a window's score is drawn on: its central stride-wide part, so consecutive regular windows
 * tile the sequence without overlap. The tail window's bin starts where the last regular window's bin ends.
 */
export function windowBin(index: number, lengthBp: number, grid: WindowGrid): [number, number] {
  const { windowBp, strideBp } = grid;
  const width = Math.min(strideBp, windowBp);
  const offset = Math.floor((windowBp - width) / 2);
  const regular = regularWindowCount(lengthBp, grid);
  if (index < regular) return [index * strideBp + offset, index * strideBp + offset + width];
  const previousEnd = regular > 0 ? (regular - 1) * strideBp + offset + width : 0;
  const start = lengthBp - windowBp + offset;
  return [Math.max(start, previousEnd), Math.min(start + width, lengthBp)];
}

/**
 * Circular sequences (plasmids, bacterial and organelle genomes): a window starts at every i * strideBp in
 * [0, lengthBp), and one that runs past the end continues at base 0, so every window has the full length and the
 * origin is no edge. There is no tail window. A circular sequence shorter than one window has no windows, as a
 * linear one: its windows would have to read bases twice, which the model never saw in training.
 *
 * Positions past the end are written on the unrolled line: position p >= lengthBp is base p - lengthBp.
 */
export function circularWindowCount(lengthBp: number, grid: WindowGrid): number {
  if (lengthBp < grid.windowBp) return 0;
  return Math.ceil(lengthBp / grid.strideBp);
}

/**
 * The bedGraph bin of window `index` of a circular sequence, on the unrolled line: its central stride-wide part,
 * as on a linear sequence, except that the last window's bin stops where the first window's bin starts one lap
 * on. So the bins tile the circle exactly once, the last one crossing the origin or lying past it.
 */
export function circularWindowBin(index: number, lengthBp: number, grid: WindowGrid): [number, number] {
  const { windowBp, strideBp } = grid;
  const width = Math.min(strideBp, windowBp);
  const offset = Math.floor((windowBp - width) / 2);
  const start = index * strideBp + offset;
  return [start, index === circularWindowCount(lengthBp, grid) - 1 ? lengthBp + offset : start + width];
}

/** The window grid of one topology, so the scan walks linear and circular sequences with the same code. */
export interface WindowLayout {
  readonly circular: boolean;
  /** windows on a sequence of lengthBp bases (Infinity while the length is unknown: the regular ones) */
  count(lengthBp: number): number;
  start(index: number, lengthBp: number): number;
  /** the bedGraph bin, [start, end); on a circular sequence on the unrolled line */
  bin(index: number, lengthBp: number): [number, number];
}

export function windowLayout(grid: WindowGrid, circular: boolean): WindowLayout {
  if (circular) {
    return {
      circular,
      count: (lengthBp) => (lengthBp === Infinity ? Infinity : circularWindowCount(lengthBp, grid)),
      start: (index) => index * grid.strideBp,
      bin: (index, lengthBp) => circularWindowBin(index, lengthBp, grid),
    };
  }
  return {
    circular,
    count: (lengthBp) => windowCount(lengthBp, grid),
    start: (index, lengthBp) => windowStart(index, lengthBp, grid),
    bin: (index, lengthBp) => windowBin(index, lengthBp, grid),
  };
}

/** 256 rows of `alphabet.size` floats: the encoding of every byte, for encoding straight from FASTA bytes. */
export function byteEncodingTable(alphabet: Alphabet): Float32Array {
  const table = new Float32Array(256 * alphabet.size);
  for (let byte = 0; byte < 256; byte++) {
    if (alphabet.allowed[byte]) alphabet.encodeInto(String.fromCharCode(byte), table, byte * alphabet.size);
  }
  return table;
}

/** Encodes bytes[from, to) into out at `offset`, size floats per base. */
export function encodeBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
  table: Float32Array,
  size: number,
  out: Float32Array,
  offset = 0,
): void {
  let o = offset;
  for (let i = from; i < to; i++) {
    const row = bytes[i]! * size;
    for (let k = 0; k < size; k++) out[o + k] = table[row + k]!;
    o += size;
  }
}

/**
 * Reverse complement of an encoded nucleotide stretch. With channels in the order A C G T (or A C G U),
 * complementing maps channel k to 3 - k, and reversing maps position p to length - 1 - p, so together they
 * reverse the flat array; ambiguity codes come out right too (R = A/G becomes Y = C/T).
 */
export function reverseComplementEncoded(encoded: Float32Array): Float32Array {
  const out = new Float32Array(encoded.length);
  for (let i = 0, j = encoded.length - 1; j >= 0; i++, j--) out[i] = encoded[j]!;
  return out;
}

const IS_N = (() => {
  const table = new Uint8Array(256);
  table[0x4e] = table[0x6e] = 1; // N n
  return table;
})();

/** prefix[i] = N bases in bytes[from, from + i), for the N count of any window in the stretch in O(1). */
export function nPrefixSums(bytes: Uint8Array, from: number, to: number): Int32Array {
  const prefix = new Int32Array(to - from + 1);
  for (let i = from; i < to; i++) prefix[i - from + 1] = prefix[i - from]! + IS_N[bytes[i]!]!;
  return prefix;
}

export interface BaseComposition {
  /** G + C (either case) */
  gc: number;
  /** A + C + G + T/U: the bases GC content is a fraction of */
  acgt: number;
  n: number;
}

const COMPOSITION = (() => {
  const table = new Uint8Array(256); // 1: A/T/U, 2: G/C, 3: N
  for (const ch of 'ATUatu') table[ch.charCodeAt(0)] = 1;
  for (const ch of 'GCgc') table[ch.charCodeAt(0)] = 2;
  for (const ch of 'Nn') table[ch.charCodeAt(0)] = 3;
  return table;
})();

export function baseComposition(bytes: Uint8Array, from = 0, to = bytes.length): BaseComposition {
  let gc = 0;
  let acgt = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const kind = COMPOSITION[bytes[i]!]!;
    if (kind === 1) acgt++;
    else if (kind === 2) {
      acgt++;
      gc++;
    } else if (kind === 3) n++;
  }
  return { gc, acgt, n };
}
