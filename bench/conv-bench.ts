/**
 * The convolutional front-end alone (convolution 'same' + bias + ReLU + mask + max-pool, front-end.ts), native
 * kernels against the tfjs reference, at the default recipe's shape: one-hot DNA [B=64, T=240, 4], 64 filters of
 * width 11, pool 4, a third of the rows padded. ms per batch, median:
 *   forward:  the inference op (no gradient state kept)
 *   train:    forward + backward, gradients of the kernel and bias (the one-hot input needs none) by tf.grads
 * A "kernels only" row times the addon calls alone, so the gap to the full op is tfjs's share.
 *
 *   node dist/bench/conv-bench.js        (also run at the end of bench:core)
 */
import { fileURLToPath } from 'node:url';
import { requirePackage, tf } from '../src/engine/tf.js';
import '../src/engine/gradients.js';
import type { ConvPool, ConvPoolArgs } from '../src/engine/core.js';
import { referenceConvPool } from '../src/engine/front-end.js';
import { loadNativeAddon, nativeStatus } from '../src/engine/native-addon.js';
import { NativeCore } from '../src/engine/native-core.js';
import { medianMs as time } from './timing.js';

requirePackage('@tensorflow/tfjs-backend-cpu');
requirePackage('@tensorflow/tfjs-backend-wasm');

export interface ConvBenchShape {
  batch: number;
  steps: number;
  channels: number;
  filters: number;
  width: number;
  pool: number;
}

export const DEFAULT_CONV_SHAPE: ConvBenchShape = { batch: 64, steps: 240, channels: 4, filters: 64, width: 11, pool: 4 };

export interface ConvBenchRow {
  engine: string; // "native", "native kernels only", "reference"
  backend: string;
  mode: 'forward' | 'train';
  msPerBatch: number;
}

/** xorshift32 in [-scale, scale), so every engine sees the same data. */
function uniform(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s / 2147483648 - 1) * scale;
  });
}

interface ConvData {
  x: Float32Array;
  mask: Float32Array;
  kernel: Float32Array;
  bias: Float32Array;
  weights: Float32Array;
}

function benchData(shape: ConvBenchShape): ConvData {
  const { batch, steps, channels, filters, width, pool } = shape;
  const x = new Float32Array(batch * steps * channels);
  const mask = new Float32Array(batch * steps);
  const bases = uniform(batch * steps, 7, 1);
  for (let b = 0; b < batch; b++) {
    // Every third row is padded to two thirds of the length, as a batch of mixed lengths is.
    const length = b % 3 === 2 ? Math.floor((2 * steps) / 3) : steps;
    for (let t = 0; t < length; t++) {
      mask[b * steps + t] = 1;
      x[(b * steps + t) * channels + Math.floor(((bases[b * steps + t]! + 1) / 2) * channels)] = 1;
    }
  }
  return {
    x,
    mask,
    kernel: uniform(width * channels * filters, 1, Math.sqrt(6 / (width * channels))),
    bias: uniform(filters, 2, 0.1),
    weights: uniform(batch * Math.ceil(steps / pool) * filters, 3, 1),
  };
}

async function measureOp(
  convPool: ConvPool,
  backend: string,
  shape: ConvBenchShape,
  mode: 'forward' | 'train',
  reps: number,
): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const data = benchData(shape);
  const { batch, steps, channels, filters, width, pool } = shape;
  const x = tf.tensor3d(data.x, [batch, steps, channels]);
  const mask = tf.tensor2d(data.mask, [batch, steps]);
  const kernel = tf.tensor2d(data.kernel, [width * channels, filters]);
  const bias = tf.tensor1d(data.bias);
  const weights = tf.tensor3d(data.weights, [batch, Math.ceil(steps / pool), filters]);
  const args = (k: tf.Tensor, b: tf.Tensor, inference: boolean): ConvPoolArgs => ({
    x,
    mask,
    kernel: k as tf.Tensor2D,
    bias: b as tf.Tensor1D,
    width,
    pool,
    inputGradient: false,
    inference,
  });
  const step =
    mode === 'forward'
      ? () => tf.tidy(() => void convPool(args(kernel, bias, true)).dataSync())
      : () =>
          tf.tidy(() => {
            const grads = tf.grads((k: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convPool(args(k, b, false)), weights)))([kernel, bias]);
            for (const g of grads) g.dataSync();
          });
  try {
    return time(step, reps);
  } finally {
    for (const t of [x, mask, kernel, bias, weights]) t.dispose();
  }
}

function measureKernels(shape: ConvBenchShape, mode: 'forward' | 'train', reps: number): number {
  const addon = loadNativeAddon()!;
  const data = benchData(shape);
  const pooled = shape.batch * Math.ceil(shape.steps / shape.pool) * shape.filters;
  const out = new Float32Array(pooled);
  const argmax = new Int32Array(pooled);
  const forward = { ...shape, x: data.x, mask: data.mask, kernel: data.kernel, bias: data.bias, out };
  if (mode === 'forward') return time(() => addon.convForward(forward), reps);
  return time(() => {
    addon.convForward({ ...forward, argmax });
    addon.convBackward({
      ...shape,
      x: data.x,
      kernel: data.kernel,
      argmax,
      dOut: data.weights,
      dKernel: new Float32Array(data.kernel.length),
      dBias: new Float32Array(shape.filters),
    });
  }, reps);
}

export async function runConvBench(
  options: { shape?: ConvBenchShape; reps?: number; log?: (line: string) => void } = {},
): Promise<ConvBenchRow[]> {
  const log = options.log ?? console.log;
  const shape = options.shape ?? DEFAULT_CONV_SHAPE;
  const reps = options.reps ?? 9;
  const status = nativeStatus();
  const rows: ConvBenchRow[] = [];
  const describe = `B${shape.batch} T${shape.steps} C${shape.channels} filters ${shape.filters} width ${shape.width} pool ${shape.pool}`;
  log(`conv front-end ${describe}; native: ${status.available ? `${status.simd}, ${status.threads} threads` : status.reason}`);
  const report = (r: ConvBenchRow) => {
    rows.push(r);
    log(`conv ${r.mode.padEnd(7)} ${`${r.engine}@${r.backend}`.padEnd(26)} ${r.msPerBatch.toFixed(2).padStart(9)} ms/batch`);
  };
  for (const mode of ['forward', 'train'] as const) {
    if (status.available) report({ engine: 'native kernels only', backend: '-', mode, msPerBatch: measureKernels(shape, mode, reps) });
    const runs: Array<{ engine: 'native' | 'reference'; backend: string }> = [
      ...(status.available
        ? [
            { engine: 'native' as const, backend: 'cpu' },
            { engine: 'native' as const, backend: 'wasm' },
          ]
        : []),
      // The reference on the cpu backend takes ~1 s a batch: not worth timing.
      { engine: 'reference', backend: 'wasm' },
    ];
    for (const run of runs) {
      const op = run.engine === 'native' ? new NativeCore().convPool : referenceConvPool;
      report({ engine: run.engine, backend: run.backend, mode, msPerBatch: await measureOp(op, run.backend, shape, mode, reps) });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runConvBench();
