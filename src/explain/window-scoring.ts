import type { Alphabet } from '../seq/alphabet.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { reverseComplementEncoded } from '../seq/windows.js';
import type { Predictor } from './mutagenesis.js';
import { combineStrands, type RcCombine } from '../seq/strands.js';

export interface WindowScoring {
  targetIndex: number;
  numClasses: number;
  /** A scanner's strand(s): '+' scores the window as given, '-' its reverse complement, 'both' combines the two. */
  strand: 'both' | '+' | '-';
  rcCombine: RcCombine;
  /** Windows per predict call. */
  batchSize: number;
}

/** Target probability of each fixed-length window (upper-case bases), scored the way scan scores them. */
export function scoreWindows(model: Predictor, alphabet: Alphabet, windows: readonly string[], scoring: WindowScoring): Float32Array {
  const perWindow = scoring.strand === 'both' ? 2 : 1;
  const probs = new Float32Array(windows.length);
  for (let from = 0; from < windows.length; from += scoring.batchSize) {
    const items: EncodedSequence[] = [];
    for (const bases of windows.slice(from, from + scoring.batchSize)) {
      const encoded = new Float32Array(bases.length * alphabet.size);
      alphabet.encodeInto(bases, encoded, 0);
      if (scoring.strand !== '-') items.push({ encoded, length: bases.length });
      if (scoring.strand !== '+') items.push({ encoded: reverseComplementEncoded(encoded), length: bases.length });
    }
    const out = model.predict(packBatch(items, alphabet.size));
    const p = (row: number) => out[row * scoring.numClasses + scoring.targetIndex]!;
    for (let w = 0; w < items.length / perWindow; w++) {
      probs[from + w] = perWindow === 1 ? p(w) : combineStrands(p(2 * w), p(2 * w + 1), scoring.rcCombine);
    }
  }
  return probs;
}

/** Six decimals, never exponent notation, and no '-0.000000' for effects that round to nothing. */
export function formatEffect(value: number): string {
  const text = value.toFixed(6);
  return text === '-0.000000' ? '0.000000' : text;
}
