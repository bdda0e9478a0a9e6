import { tf } from './tf.js';
import type { Architecture } from './architecture.js';
import type { ConvPool, ConvPoolArgs } from './core.js';
import type { Random } from '../seq/random.js';

/**
 * What sits between the one-hot input and the recurrent stack: an optional learned embedding, then an optional
 * convolution + ReLU + max-pool (DanQ). tf.conv1d would need Conv2DBackpropFilter, which the wasm backend does not
 * have, so the convolution unfolds each position's window (im2col) and multiplies once. The unfolding and the
 * ReLU + max-pool are host loops with their own gradients (tf.customGrad), far cheaper on wasm than the
 * equivalent slices and pooling kernels; the matMuls stay tfjs ops. That is the reference (referenceConvPool); a
 * core with native kernels brings its own fused convolution + pooling (core.ts: convPool), which must match it.
 */

/** Parameter names and shapes of the front-end, in checkpoint order. */
export function frontEndShapes(arch: Architecture): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [];
  let width = arch.inputSize;
  if (arch.embedDim !== undefined) {
    shapes.push(['embed.kernel', [arch.inputSize, arch.embedDim]]);
    width = arch.embedDim;
  }
  if (arch.conv) {
    // Row j·width + d of the kernel weighs channel d at offset j − ⌊(K−1)/2⌋ from the output position.
    shapes.push(['conv.kernel', [arch.conv.width * width, arch.conv.filters]], ['conv.bias', [arch.conv.filters]]);
    if (arch.conv.positions !== undefined) shapes.push(['conv.position', [arch.conv.positions, arch.conv.filters]]);
  }
  return shapes;
}

/** Fresh front-end weights: Glorot-uniform embedding, He-uniform convolution (it feeds a ReLU), zero bias. */
export function initFrontEnd(arch: Architecture, random: Random): Array<[string, tf.Tensor]> {
  return frontEndShapes(arch).map(([name, shape]): [string, tf.Tensor] => {
    if (name === 'conv.bias' || name === 'conv.position') return [name, tf.zeros(shape)];
    const [fanIn, fanOut] = shape as [number, number];
    const limit = name === 'embed.kernel' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
    return [name, tf.randomUniform(shape, -limit, limit, 'float32', random.seed())];
  });
}

export interface FrontEndResult {
  x: tf.Tensor3D; // [B, T', width]
  mask?: tf.Tensor2D; // [B, T']
}

/**
 * Runs the front-end over a padded batch. Padding is invariant by construction: padded positions are zero on
 * input, the embedding has no bias so they stay zero, and the convolution's 'same' padding is zeros too, so a
 * real position sees exactly what it would see alone. Convolution outputs at padded positions are zeroed before
 * pooling, and as ReLU outputs are >= 0 a pooled window mixing real and padded positions takes the max of its real
 * ones; a pooled step is real if any of its positions is.
 */
export interface FrontEndOptions {
  /** A gradient may be taken with respect to the input (saliency); default true. */
  inputGradient?: boolean;
  /** No gradient will be taken at all. */
  inference?: boolean;
  /** The fused convolution + pooling to use; default referenceConvPool. */
  convPool?: ConvPool;
}

export function applyFrontEnd(
  arch: Architecture,
  param: (name: string) => tf.Tensor,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  dropout: (t: tf.Tensor3D, rate: number) => tf.Tensor3D,
  options: FrontEndOptions = {},
): FrontEndResult {
  let h = x;
  if (arch.embedDim !== undefined) h = pointwise(h, param('embed.kernel') as tf.Tensor2D);
  if (!arch.conv) return { x: h, ...(mask ? { mask } : {}) };
  const { width, pool } = arch.conv;
  const convPool = options.convPool ?? referenceConvPool;
  const out = convPool({
    x: h,
    ...(mask ? { mask } : {}),
    kernel: param('conv.kernel') as tf.Tensor2D,
    bias: param('conv.bias') as tf.Tensor1D,
    ...(arch.conv.positions !== undefined ? { position: positionBias(param('conv.position') as tf.Tensor2D, h.shape[1]) } : {}),
    width,
    pool,
    // The one-hot input is data: its gradient is only wanted through an embedding or for saliency (explain).
    inputGradient: arch.embedDim !== undefined || options.inputGradient !== false,
    ...(options.inference ? { inference: true } : {}),
  });
  const pooledMask = mask && pool > 1 ? poolMask(mask, pool) : mask;
  return { x: dropout(out, arch.conv.dropout), ...(pooledMask ? { mask: pooledMask } : {}) };
}

/**
 * The learned bias of the first `steps` positions. Inputs longer than the table (a circular record read whole, a
 * long record embedded) get no bias past its end: the model learned no preference there.
 */
function positionBias(table: tf.Tensor2D, steps: number): tf.Tensor2D {
  const [positions, filters] = table.shape;
  if (steps <= positions) return tf.slice(table, [0, 0], [steps, filters]);
  return tf.concat([table, tf.zeros([steps - positions, filters])], 0);
}

/** Convolution ('same') + bias + ReLU + mask + max-pool with tfjs ops and host loops: the reference. */
export function referenceConvPool(args: ConvPoolArgs): tf.Tensor3D {
  const { x, mask, kernel, bias, position, width, pool } = args;
  const [batch, steps] = x.shape;
  const windows = unfold(x, width, Math.floor((width - 1) / 2), args.inputGradient);
  let pre = tf.reshape(tf.add(dense(windows, kernel), bias), [batch, steps, kernel.shape[1]]) as tf.Tensor3D;
  if (position) pre = tf.add(pre, position) as tf.Tensor3D;
  return reluMaxPool(pre, mask, pool);
}

/** The same dense map at every position. */
function pointwise(x: tf.Tensor3D, kernel: tf.Tensor2D): tf.Tensor3D {
  const [batch, steps, width] = x.shape;
  return tf.reshape(dense(tf.reshape(x, [batch * steps, width]), kernel), [batch, steps, kernel.shape[1]]) as tf.Tensor3D;
}

/**
 * a · w, with a gradient that transposes explicitly: on wasm a matMul with transposeA/B runs 5-10x slower than a
 * plain one (../shared/notes), and tfjs's own MatMul gradient uses them.
 */
function dense(a: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, kernel, save] = args as unknown as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([input, kernel]);
    return {
      value: tf.matMul(input, kernel),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedKernel] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(savedKernel)), tf.matMul(tf.transpose(savedInput), dy as tf.Tensor2D)];
      },
    };
  });
  return op(a, w) as tf.Tensor2D;
}

/**
 * Every (output row, tap) pair of the unfold that reads inside the sequence: `column` is where the tap's C values
 * sit in the unfolded [B·T, K·C] matrix, `source` where they sit in the [B, T, C] input. The unfold and its
 * gradient walk the same pairs, one copying forward, the other adding back.
 */
function forEachTap(
  batch: number,
  steps: number,
  k: number,
  left: number,
  channels: number,
  visit: (column: number, source: number) => void,
): void {
  const width = k * channels;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const row = (b * steps + t) * width;
      for (let j = 0; j < k; j++) {
        const s = t - left + j;
        if (s >= 0 && s < steps) visit(row + j * channels, (b * steps + s) * channels);
      }
    }
  }
}

/**
 * im2col: [B, T, C] -> [B·T, K·C], row b·T + t holding x[b, t − left + j, c] at column j·C + c, zero past either
 * end ('same' padding). Done in JS on the host copy: tf.slice on wasm copies the whole source per slice, and the
 * K slices and their gradients cost more than the convolution's matMul.
 */
function unfold(x: tf.Tensor3D, k: number, left: number, differentiable: boolean): tf.Tensor2D {
  const [batch, steps, channels] = x.shape;
  const width = k * channels;
  const build = (input: tf.Tensor): tf.Tensor2D => {
    const source = input.dataSync() as Float32Array;
    const out = new Float32Array(batch * steps * width);
    forEachTap(batch, steps, k, left, channels, (column, from) => {
      for (let c = 0; c < channels; c++) out[column + c] = source[from + c]!;
    });
    return tf.tensor2d(out, [batch * steps, width]);
  };
  // A new tensor from host data: no gradient flows back to x, and none is computed.
  if (!differentiable) return build(x);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    return {
      value: build(args[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(batch * steps * channels);
        forEachTap(batch, steps, k, left, channels, (column, to) => {
          for (let c = 0; c < channels; c++) dx[to + c]! += g[column + c]!;
        });
        return tf.tensor3d(dx, [batch, steps, channels]);
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * ReLU, masking, then max-pooling over runs of `pool` steps: out[b, p, f] is the largest ReLU output among the real
 * positions of window p (0 if none, as ReLU outputs are >= 0 and padding is zeroed). tf.maxPool's gradient
 * (MaxPoolGrad, on cpu and wasm) goes to one position per window; tf.max's would go to every tied maximum, and a
 * repeat such as poly-T ties whole windows, doubling their gradient. Of tied maxima the cpu backend picks the first,
 * wasm the last; the native kernels (native-conv.ts) pick the first.
 */
function reluMaxPool(pre: tf.Tensor3D, mask: tf.Tensor2D | undefined, pool: number): tf.Tensor3D {
  const activated = mask ? tf.mul(tf.relu(pre), tf.expandDims(mask, 2)) : tf.relu(pre);
  if (pool === 1) return activated as tf.Tensor3D;
  const [batch, steps, filters] = pre.shape;
  const pooledSteps = Math.ceil(steps / pool);
  const extra = pooledSteps * pool - steps;
  const padded =
    extra > 0
      ? tf.pad(activated, [
          [0, 0],
          [0, extra],
          [0, 0],
        ])
      : activated;
  const image = tf.reshape(padded, [batch, pooledSteps * pool, 1, filters]) as tf.Tensor4D;
  return tf.reshape(tf.maxPool(image, [pool, 1], [pool, 1], 'valid'), [batch, pooledSteps, filters]) as tf.Tensor3D;
}

/** A pooled step is real if any of its positions is. */
function poolMask(mask: tf.Tensor2D, pool: number): tf.Tensor2D {
  const [batch, steps] = mask.shape;
  const pooledSteps = Math.ceil(steps / pool);
  const extra = pooledSteps * pool - steps;
  const padded =
    extra > 0
      ? tf.pad(mask, [
          [0, 0],
          [0, extra],
        ])
      : mask;
  return tf.max(tf.reshape(padded, [batch, pooledSteps, pool]), 2) as tf.Tensor2D;
}
