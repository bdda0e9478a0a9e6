/**
 * The recurrent core alone, native kernels against the tfjs reference, on the workloads of issue #3:
 *   train: one-hot DNA [B=64, T=200, 4] -> LSTM core -> dense head on the last state -> softmax cross-entropy,
 *          gradients by tf.variableGrads, one Adam step
 *   infer: the same forward at B=256 with args.inference, softmax of the head
 * tokens/s = B*T / median seconds per step. GFLOP/s counts the core only: 2(D+H)·4H per token forward, 3x that for
 * training. A "kernels only" row times the addon calls alone, so the gap to the full step is tfjs's share.
 *
 *   node dist/bench/core-bench.js            (add PYTORCH=0 to skip bench/torch_lstm.py)
 * The convolutional front-end follows (conv-bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requirePackage, tf } from '../src/engine/tf.js';
import '../src/engine/gradients.js';
import type { RecurrentCore } from '../src/engine/core.js';
import { loadNativeAddon, nativeStatus } from '../src/engine/native-addon.js';
import { NativeCore } from '../src/engine/native-core.js';
import { ReferenceCore } from '../src/engine/reference-core.js';
import { runConvBench } from './conv-bench.js';
import { medianMs } from './timing.js';

requirePackage('@tensorflow/tfjs-backend-cpu');
requirePackage('@tensorflow/tfjs-backend-wasm');

const STEPS = 200;
const INPUT = 4; // one-hot DNA
const GATES = 4; // lstm
const CLASSES = 2;

export type BenchMode = 'train' | 'infer';

export interface CoreBenchRow {
  engine: string; // "native", "native kernels only", "reference", "pytorch"
  backend: string; // tfjs backend running the head and optimizer
  mode: BenchMode;
  hidden: number;
  batch: number;
  tokensPerSecond: number;
  msPerStep: number;
  gflops: number;
}

export interface CoreBenchOptions {
  hidden?: number[];
  /** Engine and tfjs backend pairs to time. Default: native on cpu and wasm, reference on wasm. */
  runs?: Array<{ engine: 'native' | 'reference'; backend: 'cpu' | 'wasm' }>;
  /** Timed repetitions (median reported); the reference, 20-100x slower, gets at most 3. */
  reps?: number;
  trainBatch?: number;
  inferBatch?: number;
  log?: (line: string) => void;
}

export function coreFlopsPerToken(hidden: number, mode: BenchMode): number {
  const forward = 2 * (INPUT + hidden) * GATES * hidden;
  return mode === 'train' ? 3 * forward : forward;
}

function row(engine: string, backend: string, mode: BenchMode, hidden: number, batch: number, seconds: number): CoreBenchRow {
  const tokensPerSecond = (batch * STEPS) / seconds;
  return {
    engine,
    backend,
    mode,
    hidden,
    batch,
    tokensPerSecond,
    msPerStep: seconds * 1e3,
    gflops: (tokensPerSecond * coreFlopsPerToken(hidden, mode)) / 1e9,
  };
}

/** Median seconds per step. */
function time(step: () => void, reps: number, warmup = 2): number {
  return medianMs(step, reps, warmup) / 1e3;
}

/** xorshift32 in [0, 1), so every engine sees the same data. */
function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  });
}

function oneHotDna(batch: number, seed: number): Float32Array {
  const bases = uniform(batch * STEPS, seed);
  const x = new Float32Array(batch * STEPS * INPUT);
  bases.forEach((u, i) => (x[i * INPUT + Math.floor(u * INPUT)] = 1));
  return x;
}

/** Seconds per step of one engine on one tfjs backend. */
async function measureCore(
  core: RecurrentCore,
  backend: string,
  hidden: number,
  mode: BenchMode,
  batch: number,
  reps: number,
): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const H = hidden;
  const scale = (n: number, seed: number, s: number) => uniform(n, seed).map((u) => (2 * u - 1) * s);
  const x = tf.tensor3d(oneHotDna(batch, 7), [batch, STEPS, INPUT]);
  const h0 = tf.zeros([batch, H]) as tf.Tensor2D;
  const c0 = tf.zeros([batch, H]) as tf.Tensor2D;
  const biasValues = new Float32Array(GATES * H);
  biasValues.fill(1, H, 2 * H); // forget gate
  const kernel = tf.variable(tf.tensor2d(scale(INPUT * GATES * H, 1, Math.sqrt(6 / (INPUT + GATES * H))), [INPUT, GATES * H]));
  const recurrent = tf.variable(tf.tensor2d(scale(H * GATES * H, 2, Math.sqrt(6 / (H + GATES * H))), [H, GATES * H]));
  const bias = tf.variable(tf.tensor1d(biasValues));
  const headKernel = tf.variable(tf.tensor2d(scale(H * CLASSES, 3, Math.sqrt(6 / (H + CLASSES))), [H, CLASSES]));
  const headBias = tf.variable(tf.zeros([CLASSES]));
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from(uniform(batch, 4), (u) => Math.floor(u * CLASSES)),
      'int32',
    ),
    CLASSES,
  );
  const optimizer = tf.train.adam(1e-3);
  const logitsOf = (inference: boolean) => {
    const r = core.run({ cell: 'lstm', x, h0, c0, weights: { kernel, recurrent, bias }, reverse: false, inference });
    return tf.add(tf.matMul(r.h, headKernel), headBias);
  };
  const step =
    mode === 'train'
      ? () =>
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, logitsOf(false)) as tf.Scalar);
            optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
            value.dataSync();
          })
      : () => tf.tidy(() => void tf.softmax(logitsOf(true)).dataSync());
  try {
    return time(step, reps, core.name === 'reference' ? 1 : 2);
  } finally {
    optimizer.dispose();
    for (const t of [x, h0, c0, kernel, recurrent, bias, headKernel, headBias, labels]) t.dispose();
  }
}

/** The addon calls alone (forward with activations + backward, or the inference forward), no tfjs at all. */
export function measureKernels(hidden: number, mode: BenchMode, batch: number, reps: number): number {
  const addon = loadNativeAddon()!;
  const H = hidden;
  const G = GATES * H;
  const shape = { cell: 'lstm' as const, batch, steps: STEPS, inputSize: INPUT, hidden: H, reverse: false };
  const small = (n: number, seed: number) => uniform(n, seed).map((u) => (u - 0.5) * 0.2);
  const forward = {
    ...shape,
    x: oneHotDna(batch, 7),
    h0: new Float32Array(batch * H),
    c0: new Float32Array(batch * H),
    kernel: small(INPUT * G, 1),
    recurrent: small(H * G, 2),
    bias: small(G, 3),
    out: new Float32Array(batch * STEPS * H),
    hT: new Float32Array(batch * H),
    cT: new Float32Array(batch * H),
  };
  if (mode === 'infer') return time(() => addon.forward(forward), reps);
  const dOut = new Float32Array(batch * STEPS * H);
  const dhT = small(batch * H, 4);
  const dcT = new Float32Array(batch * H);
  // One workspace for every step, as NativeCore recycles them between a backward and the next forward.
  const workspace = new Float32Array(addon.workspaceSize(shape));
  return time(() => {
    addon.forward({ ...forward, workspace });
    addon.backward({
      ...shape,
      kernel: forward.kernel,
      recurrent: forward.recurrent,
      workspace,
      dOut,
      dhT,
      dcT,
      dx: new Float32Array(batch * STEPS * INPUT),
      dh0: new Float32Array(batch * H),
      dc0: new Float32Array(batch * H),
      dKernel: new Float32Array(INPUT * G),
      dRecurrent: new Float32Array(H * G),
      dBias: new Float32Array(G),
    });
  }, reps);
}

/**
 * The default recipe's native calls alone on one batch: the convolutional front-end (64 filters of 11, pool 4) and
 * a bidirectional LSTM over its 50 pooled steps, forward with activations and backward (train) or the inference
 * forward, no tfjs and no host loops: what the recipe's whole step is compared with.
 */
export function measureRecipeKernels(hidden: number, mode: BenchMode, batch: number, reps: number): number {
  const addon = loadNativeAddon()!;
  const filters = 64;
  const width = 11;
  const pool = 4;
  const steps = Math.ceil(STEPS / pool);
  const G = GATES * hidden;
  const small = (n: number, seed: number) => uniform(n, seed).map((u) => (u - 0.5) * 0.2);
  const conv = { batch, steps: STEPS, channels: INPUT, width, filters, pool };
  const x = oneHotDna(batch, 7);
  const convKernel = small(width * INPUT * filters, 1);
  const convBias = small(filters, 2);
  const position = small(STEPS * filters, 3);
  const front = new Float32Array(batch * steps * filters);
  const argmax = new Int32Array(front.length);
  const directions = [false, true].map((reverse, d) => {
    const shape = { cell: 'lstm' as const, batch, steps, inputSize: filters, hidden, reverse };
    return {
      shape,
      kernel: small(filters * G, 10 + d),
      recurrent: small(hidden * G, 20 + d),
      bias: small(G, 30 + d),
      out: new Float32Array(batch * steps * hidden),
      workspace: new Float32Array(addon.workspaceSize(shape)),
    };
  });
  const zeros = new Float32Array(batch * hidden);
  const dOut = small(batch * steps * hidden, 5);
  const forwardAll = (train: boolean) => {
    addon.convForward({ ...conv, x, kernel: convKernel, bias: convBias, position, out: front, ...(train ? { argmax } : {}) });
    for (const d of directions) {
      addon.forward({
        ...d.shape,
        x: front,
        h0: zeros,
        c0: zeros,
        kernel: d.kernel,
        recurrent: d.recurrent,
        bias: d.bias,
        out: d.out,
        hT: new Float32Array(batch * hidden),
        cT: new Float32Array(batch * hidden),
        ...(train ? { workspace: d.workspace } : {}),
      });
    }
  };
  if (mode === 'infer') return time(() => forwardAll(false), reps);
  return time(() => {
    forwardAll(true);
    const dFront = new Float32Array(front.length);
    for (const d of directions) {
      addon.backward({
        ...d.shape,
        kernel: d.kernel,
        recurrent: d.recurrent,
        workspace: d.workspace,
        dOut,
        dhT: zeros,
        dcT: zeros,
        dx: dFront,
        dh0: new Float32Array(batch * hidden),
        dc0: new Float32Array(batch * hidden),
        dKernel: new Float32Array(filters * G),
        dRecurrent: new Float32Array(hidden * G),
        dBias: new Float32Array(G),
      });
    }
    addon.convBackward({
      ...conv,
      x,
      kernel: convKernel,
      argmax,
      dOut: dFront,
      dKernel: new Float32Array(convKernel.length),
      dBias: new Float32Array(filters),
    });
  }, reps);
}

export async function runCoreBench(options: CoreBenchOptions = {}): Promise<CoreBenchRow[]> {
  const log = options.log ?? console.log;
  const hiddenSizes = options.hidden ?? [64, 128];
  const reps = options.reps ?? 7;
  const batches: Record<BenchMode, number> = { train: options.trainBatch ?? 64, infer: options.inferBatch ?? 256 };
  const status = nativeStatus();
  const runs = (
    options.runs ?? [
      { engine: 'native', backend: 'cpu' },
      { engine: 'native', backend: 'wasm' },
      { engine: 'reference', backend: 'wasm' },
    ]
  ).filter((r) => r.engine === 'reference' || status.available);
  log(`native: ${status.available ? `${status.simd}, ${status.threads} threads` : status.reason}`);
  const rows: CoreBenchRow[] = [];
  const report = (r: CoreBenchRow) => {
    rows.push(r);
    log(
      `${r.mode} H${r.hidden} B${r.batch} T${STEPS}  ${`${r.engine}@${r.backend}`.padEnd(26)} ${(r.tokensPerSecond / 1e3).toFixed(1).padStart(8)}k tokens/s  ${r.msPerStep.toFixed(1).padStart(8)} ms/step  ${r.gflops.toFixed(1).padStart(6)} GFLOP/s`,
    );
  };
  for (const hidden of hiddenSizes) {
    for (const mode of ['train', 'infer'] as const) {
      const batch = batches[mode];
      if (status.available) report(row('native kernels only', '-', mode, hidden, batch, measureKernels(hidden, mode, batch, reps)));
      for (const run of runs) {
        const core = run.engine === 'native' ? new NativeCore() : new ReferenceCore();
        const seconds = await measureCore(core, run.backend, hidden, mode, batch, run.engine === 'reference' ? Math.min(reps, 3) : reps);
        report(row(run.engine, run.backend, mode, hidden, batch, seconds));
      }
    }
  }
  return rows;
}

/** bench/torch_lstm.py's JSON lines, or undefined when /usr/bin/python3 has no torch. */
export function runTorchBench(log: (line: string) => void = console.log): CoreBenchRow[] | undefined {
  const python = '/usr/bin/python3';
  const script = fileURLToPath(new URL('../../bench/torch_lstm.py', import.meta.url));
  if (!existsSync(python) || !existsSync(script)) return undefined;
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    log('pytorch: not available (apt-get install python3-torch)');
    return undefined;
  }
  const result = spawnSync(python, [script], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (result.status !== 0) {
    log(`pytorch: ${result.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { mode: BenchMode; hidden: number; batch: number; ms_per_step: number })
    .map((r) => row('pytorch', `torch ${2} threads`, r.mode, r.hidden, r.batch, r.ms_per_step / 1e3));
}

async function main(): Promise<void> {
  const rows = await runCoreBench();
  console.log('');
  await runConvBench();
  const torch = process.env.PYTORCH === '0' ? undefined : runTorchBench();
  if (!torch) return;
  console.log('\nratio to PyTorch nn.LSTM (tokens/s)');
  for (const t of torch) {
    const ours = rows.filter((r) => r.mode === t.mode && r.hidden === t.hidden && r.engine !== 'native kernels only');
    const cells = ours.map((r) => `${r.engine}@${r.backend} ${(r.tokensPerSecond / t.tokensPerSecond).toFixed(2)}x`);
    console.log(
      `${t.mode} H${t.hidden}: pytorch ${(t.tokensPerSecond / 1e3).toFixed(1)}k tokens/s (${t.gflops.toFixed(1)} GFLOP/s); ${cells.join(', ')}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
