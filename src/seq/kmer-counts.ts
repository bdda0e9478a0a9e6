/**
 * k-mer counts of whole sequences as sparse rows, for linear baselines. Only k-mers made entirely of the
 * alphabet's plain symbols count: an N, an ambiguity code or a stop '*' breaks the k-mers that span it rather
 * than inventing one. Nucleotide k-mers can be counted per strand as read ('forward') or with a k-mer and its
 * reverse complement sharing one column ('canonical'), for signals that work on either strand.
 */
import type { Alphabet } from './alphabet.js';
import type { EncodedSequence } from './batch.js';

export type KmerStrands = 'forward' | 'canonical';

export interface KmerSpec {
  k: number;
  strands: KmerStrands;
}

/** Compressed sparse rows: row i holds column[rowStart[i] .. rowStart[i+1]) with those counts. */
export interface SparseRows {
  rows: number;
  columns: number;
  rowStart: Int32Array;
  column: Int32Array;
  value: Float32Array;
}

/** A sequence as symbol channels (0 .. size-1), -1 where the position is not one plain symbol. */
export type SymbolCodes = Int8Array;

export function symbolCodesOf(sequence: string, alphabet: Alphabet): SymbolCodes {
  const table = codeTable(alphabet);
  const codes = new Int8Array(sequence.length);
  for (let i = 0; i < sequence.length; i++) {
    const byte = sequence.charCodeAt(i);
    codes[i] = byte < 128 ? table[byte]! : -1;
  }
  return codes;
}

/**
 * The symbols of an already encoded sequence (what the trainer holds): a position is a symbol when its one-hot
 * row has a single 1; ambiguity codes (spread over channels) and padding read as -1, as in symbolCodesOf.
 */
export function symbolCodesOfEncoded(item: EncodedSequence, alphabetSize: number): SymbolCodes {
  const codes = new Int8Array(item.length).fill(-1);
  for (let pos = 0; pos < item.length; pos++) {
    const row = pos * alphabetSize;
    for (let c = 0; c < alphabetSize; c++) {
      if (item.encoded[row + c] === 1) {
        codes[pos] = c;
        break;
      }
    }
  }
  return codes;
}

export function kmerColumnCount(spec: KmerSpec, alphabetSize: number): number {
  const full = alphabetSize ** spec.k;
  return spec.strands === 'forward' ? full : canonicalKmerCount(spec.k);
}

/** Distinct nucleotide k-mers up to reverse complement: palindromes (even k only) are their own and count once. */
export function canonicalKmerCount(k: number): number {
  return (4 ** k + (k % 2 === 0 ? 4 ** (k / 2) : 0)) / 2;
}

/** Counts every k-mer of every sequence; rows follow the input order, columns index k-mers (see kmerName). */
export function countKmers(sequences: readonly SymbolCodes[], spec: KmerSpec, alphabetSize: number): SparseRows {
  const { k } = spec;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k-mer length must be a positive integer, got ${k}`);
  const canonical = spec.strands === 'canonical';
  if (canonical && alphabetSize !== 4) throw new RangeError('canonical k-mers need nucleotides (4 symbols)');
  const full = alphabetSize ** k;
  if (full > 2 ** 26) throw new RangeError(`${k}-mers over ${alphabetSize} symbols need ${full} columns; choose a smaller k`);
  const slots = canonical ? canonicalSlots(k) : undefined;
  const columns = kmerColumnCount(spec, alphabetSize);
  const top = alphabetSize ** (k - 1); // weight of the first symbol in an index, for the rolling reverse complement

  const scratch = new Float32Array(columns);
  const rowStart = new Int32Array(sequences.length + 1);
  let capacity = 0; // at most one entry per k-mer position
  let longest = 0;
  for (const codes of sequences) {
    capacity += Math.max(codes.length - k + 1, 0);
    longest = Math.max(longest, codes.length);
  }
  // A row's distinct columns, sorted as numbers by the typed array's own sort (a comparator sort of a plain array
  // was a third of counting).
  const touched = new Int32Array(Math.min(columns, longest));
  let distinct = 0;
  const column = new Int32Array(capacity);
  const value = new Float32Array(capacity);
  let used = 0;
  sequences.forEach((codes, row) => {
    let index = 0;
    let rcIndex = 0;
    let run = 0;
    for (let pos = 0; pos < codes.length; pos++) {
      const symbol = codes[pos]!;
      if (symbol < 0) {
        run = 0;
        continue;
      }
      index = (index * alphabetSize + symbol) % full;
      if (canonical) rcIndex = Math.floor(rcIndex / 4) + (3 - symbol) * top;
      if (++run < k) continue;
      const slot = slots ? slots[Math.min(index, rcIndex)]! : index;
      if (scratch[slot] === 0) touched[distinct++] = slot;
      scratch[slot]!++;
    }
    // Columns ascending within a row: the layout then does not depend on where in a sequence a k-mer first occurs.
    const slotsOfRow = touched.subarray(0, distinct).sort();
    for (let i = 0; i < distinct; i++) {
      const slot = slotsOfRow[i]!;
      column[used] = slot;
      value[used++] = scratch[slot]!;
      scratch[slot] = 0;
    }
    distinct = 0;
    rowStart[row + 1] = used;
  });
  return { rows: sequences.length, columns, rowStart, column: column.slice(0, used), value: value.slice(0, used) };
}

/** The k-mer a column stands for (for canonical columns: the lexicographically smaller strand). */
export function kmerName(columnIndex: number, spec: KmerSpec, alphabet: Alphabet): string {
  const size = alphabet.size;
  let index = columnIndex;
  if (spec.strands === 'canonical') {
    const slots = canonicalSlots(spec.k);
    index = slots.indexOf(columnIndex);
  }
  let name = '';
  for (let i = 0; i < spec.k; i++) {
    name = alphabet.symbols[index % size]! + name;
    index = Math.floor(index / size);
  }
  return name;
}

const tables = new Map<string, Int8Array>();

/** ASCII code -> symbol channel, or -1; either case; U read as T in DNA and T as U in RNA, as the encoder does. */
function codeTable(alphabet: Alphabet): Int8Array {
  let table = tables.get(alphabet.name);
  if (table) return table;
  table = new Int8Array(128).fill(-1);
  for (const [channel, symbol] of alphabet.symbols.entries()) {
    table[symbol.charCodeAt(0)] = channel;
    table[symbol.toLowerCase().charCodeAt(0)] = channel;
  }
  if (alphabet.name === 'dna') for (const ch of 'Uu') table[ch.charCodeAt(0)] = 3;
  if (alphabet.name === 'rna') for (const ch of 'Tt') table[ch.charCodeAt(0)] = 3;
  tables.set(alphabet.name, table);
  return table;
}

const slotCache = new Map<number, Int32Array>();

/**
 * k-mer index -> column of its canonical form, numbered in order of the smaller index of each pair. Channels are
 * A C G T/U, so complementing a base is 3 - channel. Cached and shared: callers must not write to it.
 */
export function canonicalSlots(k: number): Int32Array {
  let slots = slotCache.get(k);
  if (slots) return slots;
  const full = 4 ** k;
  slots = new Int32Array(full).fill(-1);
  let next = 0;
  for (let index = 0; index < full; index++) {
    const smaller = Math.min(index, reverseComplementIndex(index, k));
    if (slots[smaller] === -1) slots[smaller] = next++;
    slots[index] = slots[smaller]!;
  }
  slotCache.set(k, slots);
  return slots;
}

/** The index of a k-mer's reverse complement (channels A C G T/U, base 4, first base most significant). */
export function reverseComplementIndex(index: number, k: number): number {
  let rc = 0;
  let rest = index;
  for (let i = 0; i < k; i++) {
    rc = rc * 4 + (3 - (rest % 4));
    rest = Math.floor(rest / 4);
  }
  return rc;
}
