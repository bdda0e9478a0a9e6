import { tf } from './tf.js';
import type { Architecture, KmerBranchSpec } from './architecture.js';
import { baselineFeatures } from './kmer-features.js';
import { outputCount, type SoftmaxModel } from './softmax-regression.js';
import { type SparseRows, kmerColumnCount, symbolCodesOfEncoded } from '../seq/kmer-counts.js';

/**
 * The k-mer branch ("wide and deep"): a linear term over the k-mer baseline's own features (log1p k-mer counts of
 * the whole sequence, scaled to unit length: kmer-baseline.ts), added to the head's logits and trained with the
 * rest of the model. It starts from the baseline's fitted weights while the head's other weights start at zero,
 * so a fresh model predicts exactly what the k-mer baseline predicts and training learns what the recurrent layers
 * add to it.
 *
 * Why: on small sets whose signal is mostly composition (338 enhancers against genomic background, a few hundred
 * proteins per family) a BiLSTM overfits long before it has learned what a k-mer model reads off the counts, and
 * early stopping on a few dozen validation sequences then keeps a model far below the baseline (ep300: recipe
 * 0.77 test AUROC, k-mers 0.90). With the branch the model cannot start below the baseline, and the validation
 * loss decides how far training moves from it (ep300: 0.90).
 *
 * The price: where the baseline already fits the training set (a small penalty on a few hundred sequences) the
 * recurrent layers see almost no loss left to learn from (splice at 500: 0.93 accuracy without the branch, 0.80
 * on one seed with it; clip-pum2 at 500: 0.88 AUROC without, 0.81 with). Starting the head's other weights at
 * random instead of zero did worse on both (0.85, 0.83). So the recipe trains a branch model only as a second
 * candidate, where the baseline beat the first model on validation (commands/train/run.ts).
 *
 * The features are counted on the host from the batch's one-hot rows (an all-zero padding row or an ambiguous
 * N breaks the k-mers spanning it, as in the baseline), so the branch has no gradient with respect to the input:
 * explain's saliency sees only the recurrent part, its in-silico mutagenesis sees the whole model.
 */

/** Columns of the branch's kernel: one per k-mer (strand-merged ones share a column), per bin when binned. */
export function kmerBranchSize(spec: KmerBranchSpec, channels: number): number {
  return kmerColumnCount(spec, channels) * (spec.bins ?? 1);
}

/** More columns than this is a k too large for the alphabet, not a feature set (the baseline stops at 4^6, 20^3). */
export const MAX_KMER_BRANCH_COLUMNS = 16_384;

/** The baseline's feature rows for a packed batch x: [B, T, C] (one-hot; padding rows all zero). */
export function kmerBranchRows(spec: KmerBranchSpec, x: Float32Array, batch: number, steps: number, channels: number): SparseRows {
  const width = steps * channels;
  const codes = Array.from({ length: batch }, (_, b) =>
    symbolCodesOfEncoded({ encoded: x.subarray(b * width, (b + 1) * width), length: steps }, channels),
  );
  return baselineFeatures(codes, spec, channels);
}

/** The rows as a dense [B, F] tensor, for the tensor path's matMul (and its gradient to the kernel). */
export function denseRows(rows: SparseRows): tf.Tensor2D {
  const dense = new Float32Array(rows.rows * rows.columns);
  for (let i = 0; i < rows.rows; i++)
    for (let p = rows.rowStart[i]!; p < rows.rowStart[i + 1]!; p++) dense[i * rows.columns + rows.column[p]!] = rows.value[p]!;
  return tf.tensor2d(dense, [rows.rows, rows.columns]);
}

/** logits[b, k] += Σ_j rows[b, j] · kernel[j, k], each sum rounded to float32 as a matMul's would be. */
export function addBranchLogits(rows: SparseRows, kernel: Float32Array, classes: number, logits: Float32Array): void {
  for (let b = 0; b < rows.rows; b++)
    for (let k = 0; k < classes; k++) {
      let sum = 0;
      for (let p = rows.rowStart[b]!; p < rows.rowStart[b + 1]!; p++) sum += rows.value[p]! * kernel[rows.column[p]! * classes + k]!;
      logits[b * classes + k] = logits[b * classes + k]! + Math.fround(sum);
    }
}

/** The kernel's gradient, rowsᵀ · dLogits, [F, classes]. */
export function branchKernelGradient(rows: SparseRows, dLogits: Float32Array, classes: number): Float32Array {
  const grad = new Float32Array(rows.columns * classes);
  for (let b = 0; b < rows.rows; b++)
    for (let p = rows.rowStart[b]!; p < rows.rowStart[b + 1]!; p++) {
      const base = rows.column[p]! * classes;
      const v = rows.value[p]!;
      for (let k = 0; k < classes; k++) grad[base + k]! += v * dLogits[b * classes + k]!;
    }
  return grad;
}

/**
 * The baseline's weights as the branch kernel [F, classes] and the head bias [classes]. A two-class baseline has
 * one logit z (class 1 against class 0); the head's two logits get −z/2 and +z/2, whose softmax is the same
 * sigmoid(z), and weight decay then pulls both halves alike.
 */
export function baselineStart(model: SoftmaxModel, columns: number): { kernel: Float32Array; bias: Float32Array } {
  const classes = model.numClasses;
  const outputs = outputCount(classes);
  if (model.numFeatures !== columns) throw new RangeError(`the baseline has ${model.numFeatures} features, the branch ${columns}`);
  const kernel = new Float32Array(columns * classes);
  const bias = new Float32Array(classes);
  const w = model.parameters;
  const biasAt = columns * outputs;
  if (outputs === 1) {
    for (let j = 0; j < columns; j++) {
      kernel[j * 2] = -w[j]! / 2;
      kernel[j * 2 + 1] = w[j]! / 2;
    }
    bias[0] = -w[biasAt]! / 2;
    bias[1] = w[biasAt]! / 2;
  } else {
    for (let i = 0; i < columns * classes; i++) kernel[i] = w[i]!;
    for (let k = 0; k < classes; k++) bias[k] = w[biasAt + k]!;
  }
  return { kernel, bias };
}

/**
 * A fresh model set to predict what the baseline predicts: the branch kernel and head bias from its fit, the
 * head's other weights zero (the recurrent layers keep their random start and get gradients once the head moves).
 */
export function startFromBaseline(params: ReadonlyMap<string, tf.Variable>, arch: Architecture, baseline: SoftmaxModel): void {
  if (!arch.kmers) throw new Error('startFromBaseline: the architecture has no k-mer branch');
  const columns = kmerBranchSize(arch.kmers, arch.inputSize);
  const { kernel, bias } = baselineStart(baseline, columns);
  const set = (name: string, values: Float32Array | tf.Tensor, shape: number[]) => {
    const variable = params.get(name);
    if (!variable) throw new Error(`startFromBaseline: no parameter ${name}`);
    tf.tidy(() => variable.assign(values instanceof Float32Array ? tf.tensor(values, shape) : values));
  };
  set('kmers.kernel', kernel, [columns, arch.numClasses]);
  set('head.bias', bias, [arch.numClasses]);
  if (process.env.RNNSEQ_BRANCH_HEAD !== 'random')
    set('head.kernel', tf.zerosLike(params.get('head.kernel')!), params.get('head.kernel')!.shape);
}

/** What is wrong with a checkpoint's k-mer branch, or undefined when it is sound (or absent). */
export function kmerBranchProblem(arch: Architecture): string | undefined {
  const spec = arch.kmers;
  if (spec === undefined) return undefined;
  if (typeof spec !== 'object' || spec === null || !Number.isInteger(spec.k) || spec.k < 1)
    return 'architecture.kmers needs a positive integer k';
  if (spec.strands !== 'forward' && spec.strands !== 'canonical') return 'architecture.kmers.strands must be forward or canonical';
  if (spec.strands === 'canonical' && arch.inputSize !== 4) return 'architecture.kmers merges strands of a non-nucleotide alphabet';
  if (spec.bins !== undefined && !(Number.isInteger(spec.bins) && spec.bins >= 1))
    return 'architecture.kmers.bins must be a positive integer';
  if (arch.inputSize ** spec.k > 2 ** 26 || kmerBranchSize(spec, arch.inputSize) > MAX_KMER_BRANCH_COLUMNS)
    return `architecture.kmers: ${spec.k}-mers over ${arch.inputSize} symbols are too many columns`;
  return undefined;
}
