/**
 * Sequence alphabets and their one-hot (really: per-position probability) encoding. Ambiguity codes become the
 * mix of the symbols they stand for, so an N tells the network "any base", not "a fifth base".
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';

export const ALPHABET_NAMES = ['dna', 'rna', 'protein'] as const;
export type AlphabetName = (typeof ALPHABET_NAMES)[number];

/** --alphabet: a name, or auto (detected from the sequences). */
export const ALPHABET_CHOICES = ['auto', ...ALPHABET_NAMES] as const;

export interface Alphabet {
  readonly name: AlphabetName;
  /** Channel order: dna ['A','C','G','T'], rna ['A','C','G','U'], protein 'ACDEFGHIKLMNPQRSTVWY'. */
  readonly symbols: readonly string[];
  /** symbols.length */
  readonly size: number;
  /** 256-entry table for readFasta: 1 for every valid byte, upper and lower case. */
  readonly allowed: Uint8Array;
  /** What is allowed, for error messages. */
  readonly label: string;
  /** Writes seq (already validated) as per-position probabilities: out[offset + pos*size + k]. */
  encodeInto(seq: string, out: Float32Array, offset: number): void;
}

/** Each code maps to the symbols it may stand for, with equal probability. */
type CodeMeanings = Record<string, string>;

// IUPAC nucleotide codes (NC-IUB 1984). 'T' is the fourth channel here; rna swaps in 'U' below.
const DNA_CODES: CodeMeanings = {
  A: 'A',
  C: 'C',
  G: 'G',
  T: 'T',
  U: 'T', // RNA input to a DNA model: uracil pairs as thymine
  R: 'AG',
  Y: 'CT',
  S: 'CG',
  W: 'AT',
  K: 'GT',
  M: 'AC',
  B: 'CGT',
  D: 'AGT',
  H: 'ACT',
  V: 'ACG',
  N: 'ACGT',
};

const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
const PROTEIN_CODES: CodeMeanings = {
  ...Object.fromEntries([...AMINO_ACIDS].map((aa) => [aa, aa])),
  X: AMINO_ACIDS,
  B: 'DN', // Asx
  Z: 'EQ', // Glx
  J: 'IL', // Xle (mass spectrometry cannot tell them apart)
  U: 'C', // selenocysteine: a cysteine analogue, rare enough not to deserve a channel
  O: 'K', // pyrrolysine: a lysine derivative
  '*': '', // stop: allowed so translated ORFs read as-is, encoded as no residue at all
};

class TableAlphabet implements Alphabet {
  readonly size: number;
  readonly allowed = new Uint8Array(256);
  /** 256 rows of `size` probabilities; rows of bytes that are not allowed stay zero. */
  private readonly table: Float32Array;

  constructor(
    readonly name: AlphabetName,
    readonly symbols: readonly string[],
    codes: CodeMeanings,
    readonly label: string,
  ) {
    this.size = symbols.length;
    this.table = new Float32Array(256 * this.size);
    for (const [code, meaning] of Object.entries(codes)) {
      for (const variant of [code.toUpperCase(), code.toLowerCase()]) {
        const byte = variant.charCodeAt(0);
        this.allowed[byte] = 1;
        for (const symbol of meaning) {
          const channel = symbols.indexOf(symbol);
          if (channel < 0) throw new Error(`alphabet ${name}: code ${code} refers to unknown symbol ${symbol}`);
          this.table[byte * this.size + channel] = 1 / meaning.length;
        }
      }
    }
    Object.freeze(this.symbols);
  }

  encodeInto(seq: string, out: Float32Array, offset: number): void {
    const size = this.size;
    const table = this.table;
    const length = seq.length;
    if (offset < 0 || offset + length * size > out.length) {
      throw new RangeError(`encodeInto: ${length} positions x ${size} channels at offset ${offset} do not fit in ${out.length} floats`);
    }
    let o = offset;
    if (size === 4) {
      // DNA and RNA, written out: a command encodes its input once, mostly before V8 has optimised the general
      // loop below, which then ran at ~50 ns a base (130 ms of a 2.6 Mbp classify); this runs at ~5.
      for (let pos = 0; pos < length; pos++) {
        const code = seq.charCodeAt(pos);
        const row = (code < 256 ? code : 0) * 4;
        out[o] = table[row]!;
        out[o + 1] = table[row + 1]!;
        out[o + 2] = table[row + 2]!;
        out[o + 3] = table[row + 3]!;
        o += 4;
      }
      return;
    }
    for (let pos = 0; pos < length; pos++) {
      const code = seq.charCodeAt(pos);
      // Validation happened at read time; anything outside the table encodes as all zeros rather than garbage.
      const row = (code < 256 ? code : 0) * size;
      for (let k = 0; k < size; k++) out[o + k] = table[row + k]!;
      o += size;
    }
  }
}

const IUPAC_LIST = 'R Y S W K M B D H V';

function build(name: AlphabetName): Alphabet {
  switch (name) {
    case 'dna':
      return new TableAlphabet('dna', ['A', 'C', 'G', 'T'], DNA_CODES, `dna: A C G T (U read as T), N and IUPAC codes ${IUPAC_LIST}`);
    case 'rna': {
      // Same codes with U as the fourth channel; T in RNA input (DNA-style spelling) is read as U.
      const rnaCodes = Object.fromEntries(Object.entries(DNA_CODES).map(([code, meaning]) => [code, meaning.replaceAll('T', 'U')]));
      return new TableAlphabet('rna', ['A', 'C', 'G', 'U'], rnaCodes, `rna: A C G U (T read as U), N and IUPAC codes ${IUPAC_LIST}`);
    }
    case 'protein':
      return new TableAlphabet(
        'protein',
        [...AMINO_ACIDS],
        PROTEIN_CODES,
        `protein: the 20 amino acids ${AMINO_ACIDS}, X, B, Z, J, U, O and * (stop)`,
      );
  }
}

const cache = new Map<AlphabetName, Alphabet>();

export function getAlphabet(name: AlphabetName): Alphabet {
  if (!(ALPHABET_NAMES as readonly string[]).includes(name)) {
    throw new RnnseqError(`unknown alphabet '${String(name)}'; choose one of ${ALPHABET_NAMES.join(', ')}`, EXIT_USAGE);
  }
  let alphabet = cache.get(name);
  if (alphabet === undefined) {
    alphabet = build(name);
    cache.set(name, alphabet);
  }
  return alphabet;
}

/** Share of letters that must be A C G T U or N for a sample to count as nucleotides. */
const NUCLEOTIDE_SHARE = 0.9;

/**
 * Guesses the alphabet from a sample of training sequences: nucleotides when at least 90% of the letters are
 * A C G T U N (so ambiguity codes, and the odd stray letter that the reader will then report, are rare), RNA when
 * such a sample has U and no T, protein otherwise. Non-letters (gaps, '*') are ignored.
 */
export function detectAlphabet(sequences: readonly string[]): AlphabetName {
  const counts = new Float64Array(128);
  for (const seq of sequences) {
    for (let i = 0; i < seq.length; i++) {
      const code = seq.charCodeAt(i) & ~0x20; // upper-cases letters; non-letters land outside A-Z
      if (code >= 0x41 && code <= 0x5a) counts[code]++;
    }
  }
  const count = (letter: string): number => counts[letter.charCodeAt(0)]!;
  let letters = 0;
  for (let code = 0x41; code <= 0x5a; code++) letters += counts[code]!;
  if (letters === 0) {
    throw new RnnseqError('cannot detect the alphabet: the sample has no sequence letters; give --alphabet', EXIT_USAGE);
  }
  const nucleotides = count('A') + count('C') + count('G') + count('T') + count('U') + count('N');
  if (nucleotides / letters < NUCLEOTIDE_SHARE) return 'protein';
  return count('U') > 0 && count('T') === 0 ? 'rna' : 'dna';
}
