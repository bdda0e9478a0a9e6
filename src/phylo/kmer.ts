import type { Alphabet } from '../seq/alphabet.js';
import type { WindowFeaturizer } from './features.js';
import { canonicalKmerCount, canonicalSlots } from '../seq/kmer-counts.js';

/**
 * The alignment-free baseline: each window becomes its k-mer frequency profile (counts / k-mers counted).
 * Only k-mers made entirely of the alphabet's plain symbols count, so an N, an ambiguity code or a stop '*'
 * breaks the k-mers that span it rather than inventing one. With `canonical` (nucleotides only) a k-mer and its
 * reverse complement share one entry, for data whose strand is arbitrary (reads, contigs).
 */
export interface KmerOptions {
  k: number;
  alphabet: Alphabet;
  canonical: boolean;
}

/** Profiles stay dense, so their size is capped: k <= 10 for nucleotides, k <= 4 for protein. */
const MAX_KMER_VECTOR = 4 ** 10;

export function maxKmerLength(alphabet: Alphabet): number {
  return Math.floor(Math.log(MAX_KMER_VECTOR) / Math.log(alphabet.size) + 1e-9);
}

export function createKmerFeaturizer(options: KmerOptions): WindowFeaturizer<Float32Array> {
  const { k, alphabet, canonical } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k-mer length must be a positive integer, got ${k}`);
  if (canonical && alphabet.name === 'protein') throw new RangeError('canonical k-mers need nucleotides, not protein');
  const symbols = alphabet.size;
  const full = symbols ** k;
  if (full > MAX_KMER_VECTOR)
    throw new RangeError(`${k}-mers of ${alphabet.name} need ${full} entries per window, more than ${MAX_KMER_VECTOR}`);
  const codes = symbolCodes(alphabet);
  const slot = canonical ? canonicalSlots(k) : undefined;
  const size = slot ? canonicalKmerCount(k) : full;
  return {
    description: `${canonical ? 'canonical ' : ''}${k}-mer frequencies`,
    size,
    async featurize(windows) {
      return windows.map((window) => {
        const profile = new Float32Array(size);
        let index = 0;
        let run = 0; // valid symbols in a row ending here
        let counted = 0;
        for (let pos = 0; pos < window.length; pos++) {
          const code = window.charCodeAt(pos);
          const symbol = code < 128 ? codes[code]! : -1;
          if (symbol < 0) {
            run = 0;
            continue;
          }
          index = (index * symbols + symbol) % full;
          if (++run >= k) {
            profile[slot ? slot[index]! : index]!++;
            counted++;
          }
        }
        if (counted > 0) for (let i = 0; i < size; i++) profile[i]! /= counted;
        return profile;
      });
    },
    dispose() {},
  };
}

/** ASCII code -> symbol channel, or -1 for anything that is not a plain symbol; either case; U as T and back. */
function symbolCodes(alphabet: Alphabet): Int8Array {
  const codes = new Int8Array(128).fill(-1);
  alphabet.symbols.forEach((symbol, channel) => {
    codes[symbol.charCodeAt(0)] = channel;
    codes[symbol.toLowerCase().charCodeAt(0)] = channel;
  });
  if (alphabet.name === 'dna') for (const ch of 'Uu') codes[ch.charCodeAt(0)] = 3;
  if (alphabet.name === 'rna') for (const ch of 'Tt') codes[ch.charCodeAt(0)] = 3;
  return codes;
}
