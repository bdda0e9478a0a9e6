import { tf } from './tf.js';
import type { NativeAddon } from './native-addon.js';

/** A saved tensor and its name (optimizer state, checkpoints). tfjs-core declares this shape but does not export it. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface FusedAdamWOptions {
  learningRate: number;
  /** global-norm clipping of the gradient; 0: none */
  clipNorm: number;
  /** decoupled weight decay per unit learning rate, applied to the variables flagged in `decayed` */
  weightDecay?: number;
  decayed?: ReadonlySet<tf.Variable>;
  /** decay of an exponential moving average of the weights (see swapIn); absent or 0: none */
  ema?: number;
  /** the same loops in native code (the addon), bit for bit; absent: JavaScript */
  kernels?: OptimizerKernels;
}

/** The addon's versions of this file's loops (src/native/step_ops.h). */
export type OptimizerKernels = Pick<NativeAddon, 'adamwUpdate' | 'averageUpdate' | 'sumOfSquares'>;

const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Gradient clipping, AdamW and the weight average as one pass over plain arrays per step.
 *
 * The same update as tf.train.adam with clipping, decay and averaging written in tensor ops (the reference it is
 * tested against), but those ran ~15 small ops per variable per step, each dispatched through TensorFlow.js:
 * about 250 kernel launches a step and a quarter of a recipe step's wall time on 2 cores. Here the master weights,
 * Adam's moments and the average live in Float32Arrays; a step reads each gradient once, updates in one loop
 * and writes each variable back once. Values are rounded to float32 where tfjs would hold them, so a step
 * matches the tensor version to float rounding.
 */
export class FusedAdamW {
  learningRate: number;
  private readonly weights: Float32Array[];
  private readonly first: Float32Array[];
  private readonly second: Float32Array[];
  private readonly decays: boolean[];
  private shadow: Float32Array[] | undefined;
  private swapped = false;
  /** the variables hold older weights than `weights` (see sync) */
  private stale = false;
  private iterations = 0;
  /** beta^t, as float32 scalars like tf.train.adam's accBeta1/accBeta2, so resumed runs repeat exactly */
  private accBeta1 = Math.fround(BETA1);
  private accBeta2 = Math.fround(BETA2);
  private readonly epsilon: number;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly options: FusedAdamWOptions,
  ) {
    this.learningRate = options.learningRate;
    this.weights = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    this.first = this.weights.map((w) => new Float32Array(w.length));
    this.second = this.weights.map((w) => new Float32Array(w.length));
    this.decays = variables.map((v) => options.decayed?.has(v) ?? false);
    this.shadow = options.ema ? this.weights.map((w) => w.slice()) : undefined;
    this.epsilon = tf.backend().epsilon();
  }

  /**
   * One optimisation step from gradients in variable order; `step` (1-based, after this one) drives the average's
   * warm-up. The variables are not written: call sync() before anything reads them (a tensor-path forward), so a
   * step computed from `values` alone (native-step.ts) skips the copies into the tensors.
   */
  apply(gradients: ReadonlyArray<tf.Tensor | Float32Array>, step: number): void {
    if (this.swapped) throw new Error('fused AdamW: a step while the weight average is swapped in');
    const grads = gradients.map((g) => (g instanceof Float32Array ? g : (g.dataSync() as Float32Array)));
    const kernels = this.options.kernels;
    const scale = clipScale(grads, this.options.clipNorm, kernels);
    const lr = this.learningRate;
    const keep = Math.fround(1 - lr * (this.options.weightDecay ?? 0));
    const oneMinusAcc1 = Math.fround(1 - this.accBeta1);
    const oneMinusAcc2 = Math.fround(1 - this.accBeta2);
    const epsilon = this.epsilon;
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k]!;
      const w = this.weights[k]!;
      const m = this.first[k]!;
      const v = this.second[k]!;
      const decay = this.decays[k] && keep !== 1;
      if (kernels) {
        kernels.adamwUpdate({
          grad: g,
          weights: w,
          first: m,
          second: v,
          scale,
          learningRate: lr,
          keep,
          oneMinusAcc1,
          oneMinusAcc2,
          epsilon,
          decay,
        });
        continue;
      }
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! * scale;
        const mi = (m[i] = BETA1 * m[i]! + (1 - BETA1) * gi);
        const vi = (v[i] = BETA2 * v[i]! + (1 - BETA2) * gi * gi);
        const wi = decay ? Math.fround(w[i]! * keep) : w[i]!;
        w[i] = wi - (lr * (mi / oneMinusAcc1)) / (Math.sqrt(vi / oneMinusAcc2) + epsilon);
      }
    }
    this.accBeta1 = Math.fround(this.accBeta1 * BETA1);
    this.accBeta2 = Math.fround(this.accBeta2 * BETA2);
    this.iterations++;
    if (this.shadow) {
      // TensorFlow's num_updates rule: early on the average is not dominated by the random initial weights.
      const d = Math.min(this.options.ema!, (1 + step) / (10 + step));
      for (let k = 0; k < this.shadow.length; k++) {
        const s = this.shadow[k]!;
        const w = this.weights[k]!;
        if (kernels) kernels.averageUpdate({ shadow: s, weights: w, decay: d });
        else for (let i = 0; i < s.length; i++) s[i] = s[i]! * d + w[i]! * (1 - d);
      }
    }
    this.stale = true;
  }

  /** The current (raw) weights in variable order, updated in place by apply. */
  get values(): readonly Float32Array[] {
    return this.weights;
  }

  /** Write the current weights into the variables if a step changed them since. */
  sync(): void {
    if (!this.stale || this.swapped) return;
    this.writeBack(this.weights);
  }

  /** Adam's running beta1^t and beta2^t (saved with checkpoints; see restore). */
  get powers(): [number, number] {
    return [this.accBeta1, this.accBeta2];
  }

  /**
   * Adam's state as tf.train.adam saves it (iteration count, first moments, then second moments), then the raw
   * weights when averaging: checkpoints written before this optimiser existed resume with it, and the reverse.
   * Called while the average is swapped in, as checkpoints hold the averaged weights.
   */
  state(): NamedTensor[] {
    const names = this.variables.map((v) => v.name);
    const out: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(this.iterations, 'int32') }];
    this.first.forEach((m, i) => out.push({ name: `${names[i]}/m`, tensor: tf.tensor(m.slice(), this.variables[i]!.shape) }));
    this.second.forEach((v, i) => out.push({ name: `${names[i]}/v`, tensor: tf.tensor(v.slice(), this.variables[i]!.shape) }));
    if (this.shadow) {
      if (!this.swapped) throw new Error('weight average: raw weights are only saved while the average is swapped in');
      this.weights.forEach((w, i) => out.push({ name: `raw.${i}`, tensor: tf.tensor(w.slice(), this.variables[i]!.shape) }));
    }
    return out;
  }

  /**
   * Continue from `state()`'s tensors. `powers` are the saved beta^t: recomputing them with pow() differs from
   * the step-by-step product in the last float bits, enough to make a resumed run drift from an uninterrupted one.
   * The model was loaded from a checkpoint holding the average; the raw weights saved after Adam's state are the
   * ones training continues from.
   */
  restore(saved: readonly NamedTensor[], powers?: [number, number]): void {
    const n = this.variables.length;
    const expected = 1 + 2 * n + (this.shadow ? n : 0);
    if (saved.length !== expected) throw new Error(`optimizer state: ${saved.length} tensors saved, ${expected} expected`);
    this.iterations = (saved[0]!.tensor.dataSync() as Int32Array)[0]!;
    for (let i = 0; i < n; i++) {
      this.first[i]!.set(saved[1 + i]!.tensor.dataSync() as Float32Array);
      this.second[i]!.set(saved[1 + n + i]!.tensor.dataSync() as Float32Array);
    }
    [this.accBeta1, this.accBeta2] = powers ?? [Math.fround(BETA1 ** (this.iterations + 1)), Math.fround(BETA2 ** (this.iterations + 1))];
    if (this.shadow) {
      for (let i = 0; i < n; i++) {
        this.shadow[i]!.set(this.weights[i]!);
        this.weights[i]!.set(saved[1 + 2 * n + i]!.tensor.dataSync() as Float32Array);
      }
      this.writeBack(this.weights);
    }
  }

  /** Put the average into the model's variables (for validation and checkpoints); swapOut puts the raw weights back. */
  swapIn(): void {
    if (!this.shadow) this.sync();
    else if (!this.swapped) {
      this.writeBack(this.shadow);
      this.swapped = true;
    }
  }

  swapOut(): void {
    if (this.swapped) {
      this.swapped = false;
      this.writeBack(this.weights);
    } else this.sync();
  }

  private writeBack(values: Float32Array[]): void {
    // A copy: the cpu backend keeps the array it is given, and these arrays change in place next step.
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(tf.tensor(values[i]!.slice(), v.shape, 'float32'))));
    this.stale = values !== this.weights;
  }
}

/** The factor that scales all gradients to a global L2 norm of at most clipNorm. */
function clipScale(grads: readonly Float32Array[], clipNorm: number, kernels: OptimizerKernels | undefined): number {
  if (clipNorm <= 0) return 1;
  let sum = 0;
  for (const g of grads)
    if (kernels) sum = kernels.sumOfSquares(g, sum);
    else for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  const norm = Math.sqrt(sum);
  return norm > clipNorm ? clipNorm / norm : 1;
}
