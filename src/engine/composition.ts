import { tf } from './tf.js';
import type { Architecture, CompositionSpec } from './architecture.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { canonicalKmerCount, canonicalSlots, reverseComplementIndex } from '../seq/kmer-counts.js';

/**
 * The composition branch: what a sequence is made of, beside what the recurrent layers find in it. Max pooling
 * sees the strongest motif match and nothing of how often words occur; enhancers against genomic background differ
 * mostly in that (GC and CpG content, many weak words), which a k-mer linear model reads directly and 338 long
 * sequences cannot teach a BiLSTM (ep300-enhancers: recipe 0.77 test AUROC, k-mer baseline 0.92).
 *
 * Features: for each k in 1..K, the frequency of every k-mer over the sequence's real positions, relative to a
 * uniform sequence (C^k · count / windows), reverse complements averaged when the model reads either strand, then
 * standardised with the training set's mean and std (stored in the architecture). Standardising matters: a 4-mer
 * frequency varies ~8x more between sequences than a base frequency, and Adam moves every head weight at about
 * the same rate, so unstandardised GC content would take thousands of steps to reach a useful weight.
 *
 * Only tensor ops: products of shifted one-hot slices and sums over steps, so the native engine can port it and
 * explain's input gradients flow through it. A one-hot N (0.25 on each channel) counts as its share of each word.
 */

/** Feature count for k-mers of length 1..k over `channels` symbols, strand-merged or not. */
export function compositionSize(k: number, channels: number, canonical: boolean): number {
  let size = 0;
  for (let j = 1; j <= k; j++) size += canonical ? canonicalKmerCount(j) : channels ** j;
  return size;
}

/** The raw (unstandardised) features, [B, F]. x: [B, T, C] one-hot; mask: [B, T] or absent. */
export function kmerFrequencies(input: tf.Tensor3D, mask: tf.Tensor2D | undefined, k: number, canonical: boolean): tf.Tensor2D {
  const [batch, steps, channels] = input.shape;
  if (canonical && channels !== 4) throw new Error('strand-merged k-mers need a four-letter nucleotide alphabet');
  const lengths = mask ? tf.sum(mask, 1) : tf.fill([batch], steps);
  // Padding is zero already; masking it again only keeps its gradient at zero (a window running into padding
  // counts nothing, so the padding must not get credit for it either).
  const x = mask ? (tf.mul(input, tf.expandDims(mask, 2)) as tf.Tensor3D) : input;
  const parts: tf.Tensor2D[] = [];
  let words: tf.Tensor3D = x; // [B, n, C^j]: the j-mer starting at each of the n = T − j + 1 positions
  for (let j = 1; j <= k; j++) {
    const starts = steps - j + 1;
    let counts: tf.Tensor2D;
    if (j === 1) counts = tf.sum(x, 1) as tf.Tensor2D;
    else if (starts <= 0) counts = tf.zeros([batch, channels ** j]);
    else {
      const next = tf.slice(x, [0, j - 1, 0], [batch, starts, channels]);
      const prefixes = tf.slice(words, [0, 0, 0], [batch, starts, channels ** (j - 1)]);
      if (j === k)
        // The longest words are only counted, never extended: a batched product sums them without building the
        // [B, T, C^k] indicator (4-mers of 2 kb sequences would be 150 MB a batch).
        counts = tf.reshape(tf.matMul(tf.transpose(prefixes, [0, 2, 1]), next), [batch, channels ** j]) as tf.Tensor2D;
      else {
        words = tf.reshape(tf.mul(tf.expandDims(prefixes, 3), tf.expandDims(next, 2)), [batch, starts, channels ** j]) as tf.Tensor3D;
        counts = tf.sum(words, 1) as tf.Tensor2D;
      }
    }
    // Padding is all-zero one-hot, so padded windows count nothing; divide by the real windows.
    const windows = tf.maximum(tf.sub(lengths, j - 1), 1);
    let frequencies = tf.mul(tf.div(counts, tf.expandDims(windows, 1)), channels ** j) as tf.Tensor2D;
    if (canonical) frequencies = tf.matMul(frequencies, tf.tensor2d(strandMerge(j), [4 ** j, canonicalKmerCount(j)]));
    parts.push(frequencies);
  }
  return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as tf.Tensor2D;
}

/** The standardised features the head reads, [B, F]. */
export function compositionFeatures(spec: CompositionSpec, x: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor2D {
  const raw = kmerFrequencies(x, mask, spec.k, spec.canonical);
  return tf.div(tf.sub(raw, tf.tensor1d(spec.mean)), tf.tensor1d(spec.std)) as tf.Tensor2D;
}

/**
 * A standard deviation below this is taken as this: a word (almost) constant in training, e.g. N-containing ones,
 * must not turn a small difference at prediction time into a huge feature.
 */
const MIN_STD = 0.05;

/** More features than this is a k too large for the alphabet (protein 3-mers: 8,420), not a composition. */
const MAX_FEATURES = 4096;

/** The branch for --composition k, its scaling measured on the training items. */
export function fitCompositionSpec(items: readonly EncodedSequence[], channels: number, k: number, canonical: boolean): CompositionSpec {
  const size = compositionSize(k, channels, canonical);
  if (size > MAX_FEATURES)
    throw new RnnseqError(
      `--composition ${k}: ${size} k-mer frequencies for a ${channels}-letter alphabet is more than ${MAX_FEATURES}; choose a smaller k`,
      EXIT_USAGE,
    );
  if (items.length === 0) throw new RnnseqError('--composition needs training sequences to standardise its k-mer frequencies', EXIT_USAGE);
  return { k, canonical, ...compositionScaling(items, channels, k, canonical) };
}

/** Mean and std of each raw feature over the items (the training set), for CompositionSpec. */
export function compositionScaling(
  items: readonly EncodedSequence[],
  channels: number,
  k: number,
  canonical: boolean,
  batchSize = 64,
): Pick<CompositionSpec, 'mean' | 'std'> {
  const size = compositionSize(k, channels, canonical);
  const sum = new Float64Array(size);
  const squares = new Float64Array(size);
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = packBatch(items.slice(start, start + batchSize), channels);
    const values = tf.tidy(() => {
      const x = tf.tensor3d(batch.x, [batch.batch, batch.steps, channels]);
      const mask = batch.mask ? tf.tensor2d(batch.mask, [batch.batch, batch.steps]) : undefined;
      return kmerFrequencies(x, mask, k, canonical);
    });
    const data = values.dataSync();
    values.dispose();
    for (let i = 0; i < data.length; i++) {
      sum[i % size] += data[i]!;
      squares[i % size] += data[i]! ** 2;
    }
  }
  const n = Math.max(items.length, 1);
  const mean = Array.from(sum, (s) => s / n);
  const std = mean.map((m, i) => Math.max(MIN_STD, Math.sqrt(Math.max(0, squares[i]! / n - m * m))));
  return { mean, std };
}

/** What is wrong with a checkpoint's composition branch, or undefined when it is sound (or absent). */
export function compositionProblem(arch: Architecture): string | undefined {
  const spec = arch.composition;
  if (spec === undefined) return undefined;
  if (typeof spec !== 'object' || spec === null || !Number.isInteger(spec.k) || spec.k < 1 || typeof spec.canonical !== 'boolean')
    return 'architecture.composition needs a positive integer k and a boolean canonical';
  if (spec.canonical && arch.inputSize !== 4) return 'architecture.composition merges strands of a non-nucleotide alphabet';
  const size = compositionSize(spec.k, arch.inputSize, spec.canonical);
  const finite = (values: unknown, positive: boolean) =>
    Array.isArray(values) && values.length === size && values.every((v) => Number.isFinite(v) && (!positive || v > 0));
  if (!finite(spec.mean, false) || !finite(spec.std, true))
    return `architecture.composition needs ${size} finite means and positive standard deviations`;
  return undefined;
}

const mergeCache = new Map<number, Float32Array>();

/**
 * [4^k, canonical] matrix averaging each k-mer with its reverse complement; columns in order of each pair's
 * smaller index. Index = base-4 number, first base most significant; A C G T = 0 1 2 3, so a complement is 3 − d.
 */
function strandMerge(k: number): Float32Array {
  const cached = mergeCache.get(k);
  if (cached) return cached;
  const words = 4 ** k;
  const columns = canonicalKmerCount(k);
  const slots = canonicalSlots(k);
  const matrix = new Float32Array(words * columns);
  for (let word = 0; word < words; word++) matrix[word * columns + slots[word]!] = word === reverseComplementIndex(word, k) ? 1 : 0.5;
  mergeCache.set(k, matrix);
  return matrix;
}
