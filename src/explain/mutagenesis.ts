import type { Alphabet } from '../seq/alphabet.js';
import { type Batch, packBatch } from '../seq/batch.js';

/** Anything that turns a packed batch into class probabilities, [batch × numClasses] row-major (SequenceModel). */
export interface Predictor {
  predict(batch: Batch): Float32Array;
}

/** In-silico mutagenesis of one sequence: the target probability of the reference and of every single-base variant. */
export interface MutationScan {
  /** The scored (possibly centre-cropped) sequence, as read. */
  sequence: string;
  /** 0-based offset of `sequence` within the input record (non-zero when a fixed-length model cropped it). */
  offset: number;
  refProb: number;
  /** [position × alphabet.size]: target probability with that symbol at that position; the reference symbol's own cell holds refProb. */
  altProbs: Float32Array;
}

/**
 * Scores the reference and all L × (size − 1) single-symbol variants of a sequence in `variantsPerBatch`-sized predict
 * calls. Variants are built by editing one position of the reference encoding, so an ambiguity code (N) at the
 * mutated position is replaced by each concrete symbol in turn (all `size` of them count as alternatives).
 */
export function scanMutations(
  model: Predictor,
  alphabet: Alphabet,
  sequence: string,
  offset: number,
  targetIndex: number,
  numClasses: number,
  variantsPerBatch: number,
): MutationScan {
  const size = alphabet.size;
  const length = sequence.length;
  const reference = new Float32Array(length * size);
  alphabet.encodeInto(sequence, reference, 0);
  const refIndex = referenceSymbols(sequence, alphabet);
  // Variant v = position * size + symbol; the reference rides along as the first item of the first batch.
  const variants: number[] = [];
  for (let pos = 0; pos < length; pos++) {
    for (let k = 0; k < size; k++) if (k !== refIndex[pos]) variants.push(pos * size + k);
  }
  const altProbs = new Float32Array(length * size);
  let refProb = NaN;
  const items: Array<{ encoded: Float32Array; length: number }> = [{ encoded: reference, length }];
  const owners: number[] = [-1];
  const flush = () => {
    const probs = model.predict(packBatch(items, size));
    owners.forEach((v, row) => {
      const p = probs[row * numClasses + targetIndex]!;
      if (v < 0) refProb = p;
      else altProbs[v] = p;
    });
    items.length = 0;
    owners.length = 0;
  };
  for (const v of variants) {
    const pos = Math.floor(v / size);
    const encoded = reference.slice();
    encoded.fill(0, pos * size, (pos + 1) * size);
    encoded[v] = 1;
    items.push({ encoded, length });
    owners.push(v);
    if (items.length >= variantsPerBatch) flush();
  }
  if (items.length > 0) flush();
  for (let pos = 0; pos < length; pos++) {
    const k = refIndex[pos]!;
    if (k >= 0) altProbs[pos * size + k] = refProb;
  }
  return { sequence, offset, refProb, altProbs };
}

/** Channel of each position's symbol, or -1 for an ambiguity code (which has no single channel). */
export function referenceSymbols(sequence: string, alphabet: Alphabet): Int8Array {
  const index = new Map(alphabet.symbols.map((s, k) => [s, k]));
  return Int8Array.from(sequence, (ch) => index.get(ch.toUpperCase()) ?? -1);
}

/**
 * Per-position importance: how much the target probability falls, on average, when the position is mutated
 * (refProb − mean over alternatives). Positive where the reference base supports the target.
 */
export function positionImportance(scan: MutationScan, alphabet: Alphabet): Float32Array {
  const size = alphabet.size;
  const refIndex = referenceSymbols(scan.sequence, alphabet);
  const out = new Float32Array(scan.sequence.length);
  for (let pos = 0; pos < out.length; pos++) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < size; k++) {
      if (k === refIndex[pos]) continue;
      sum += scan.altProbs[pos * size + k]!;
      n++;
    }
    out[pos] = scan.refProb - sum / n;
  }
  return out;
}
