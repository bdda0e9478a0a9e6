import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CellType } from './cells.js';

/** Shape of one recurrent sweep as the addon sees it: batch-major, one direction. */
export interface NativeShape {
  cell: CellType;
  batch: number;
  steps: number;
  inputSize: number;
  hidden: number;
  reverse: boolean;
  /** cifg only: the bounded memory cell (cells.ts); the addon rejects it for other cells */
  bounded?: boolean;
}

export interface NativeForwardArgs extends NativeShape {
  x: Float32Array; // [B, T, D]
  mask?: Float32Array; // [B, T]
  h0: Float32Array; // [B, H]
  c0?: Float32Array; // [B, H], lstm / cifg
  kernel: Float32Array; // [D, G·H]
  recurrent: Float32Array; // [H, G·H]
  bias: Float32Array; // [G·H]
  /** [B, T, H], written; may be absent in inference (no workspace), where only hT, poolMax or poolSum is wanted */
  out?: Float32Array;
  /** [B, H]: max(poolMax, h_t) over the real steps, in place (the caller fills it first) */
  poolMax?: Float32Array;
  /** [B, H]: poolSum + h_t over the real steps in step order, in place (the caller zeroes it first) */
  poolSum?: Float32Array;
  hT: Float32Array; // [B, H], written
  cT?: Float32Array; // [B, H], written for lstm / cifg
  /** workspaceSize(shape) floats: activations for backward. Absent = inference, nothing is stored. */
  workspace?: Float32Array;
}

export interface NativeBackwardArgs extends NativeShape {
  mask?: Float32Array;
  kernel: Float32Array;
  recurrent: Float32Array;
  /** The training forward's workspace; the backward overwrites it, so it serves one backward only. */
  workspace: Float32Array;
  dOut: Float32Array;
  dhT: Float32Array;
  dcT?: Float32Array;
  dx: Float32Array; // written
  dh0: Float32Array; // written
  dc0?: Float32Array; // written for lstm / cifg
  dKernel: Float32Array; // written
  dRecurrent: Float32Array; // written
  dBias: Float32Array; // written
}

/** Shape of the convolutional front-end (front-end.ts) as the addon sees it. */
export interface NativeConvShape {
  batch: number;
  steps: number;
  channels: number;
  /** taps; kernel row j·channels + d weighs channel d at offset j − ⌊(width−1)/2⌋ */
  width: number;
  filters: number;
  /** pooled steps = ⌈steps / pool⌉ */
  pool: number;
}

export interface NativeConvForwardArgs extends NativeConvShape {
  x: Float32Array; // [B, T, C]
  mask?: Float32Array; // [B, T]
  kernel: Float32Array; // [width·C, F]
  bias: Float32Array; // [F]
  /** [positionRows, F]: a bias per step too (a fixed-length model's --position-bias) */
  position?: Float32Array;
  /** steps with a per-step bias, the first min(T, positionRows) (default T); later steps have none */
  positionRows?: number;
  out: Float32Array; // [B, P, F], written
  /** [B, P, F], written: the step each pooled output came from, −1 where no gradient flows. Absent = inference. */
  argmax?: Int32Array;
}

export interface NativeConvBackwardArgs extends NativeConvShape {
  x: Float32Array;
  kernel: Float32Array;
  argmax: Int32Array;
  dOut: Float32Array; // [B, P, F]
  dKernel: Float32Array; // written
  dBias: Float32Array; // written
  /** [B, T, C], written; absent when no input gradient is wanted */
  dx?: Float32Array;
}

/** Each feature's maximum over steps with the first step holding it (src/native/step_ops.h). */
export interface NativeMaxOverStepsArgs {
  values: Float32Array; // [B, T, F]
  /** [B, T]: a zero marks a padded step, which counts as `padValue` */
  mask?: Float32Array;
  padValue: number;
  batch: number;
  steps: number;
  features: number;
  into: Float32Array; // [B, stride], columns column..column+F written
  stride: number;
  column: number;
  argmax: Int32Array; // [B, argStride], columns argColumn..argColumn+F written
  argStride: number;
  argColumn: number;
}

/** The functions exported by src/native/binding.cc. */
export interface NativeAddon {
  simdLevel(): string;
  supportedSimdLevels(): string[];
  setSimdLevel(level: string): string;
  threads(): number;
  setThreads(threads: number): number;
  workspaceSize(shape: NativeShape): number;
  /** One sweep, or several independent ones (a layer's directions) side by side on the threads; outputs must not overlap */
  forward(args: NativeForwardArgs | NativeForwardArgs[]): void;
  backward(args: NativeBackwardArgs): void;
  convForward(args: NativeConvForwardArgs): void;
  convBackward(args: NativeConvBackwardArgs): void;
  /**
   * tf.dropout's multipliers into `out` from Alea's state [s0, s1, s2, carry] (advanced in place), and `scale`
   * multiplied by them in place when given: dropout-draw.ts
   */
  dropoutMultiplier(args: { out: Float32Array; rate: number; alea: Float64Array; scale?: Float32Array }): void;
  maxOverSteps(args: NativeMaxOverStepsArgs): void;
  /** grad [steps, filters] += each pooled output's gradient at its argmax step, in row order (native-conv.ts) */
  positionGradient(args: {
    argmax: Int32Array;
    dOut: Float32Array;
    steps: number;
    filters: number;
    pool: number;
    grad: Float32Array;
  }): void;
  /** values[i] += other[i], in place (arrays of one length) */
  addInPlace(values: Float32Array, other: Float32Array): void;
  /** values[i] *= other[i], in place */
  multiplyInPlace(values: Float32Array, other: Float32Array): void;
  adamwUpdate(args: NativeAdamWArgs): void;
  /** shadow = shadow·decay + weights·(1 − decay), the weight average's step */
  averageUpdate(args: { shadow: Float32Array; weights: Float32Array; decay: number }): void;
  /** start + Σ values², in order in one double */
  sumOfSquares(values: Float32Array, start: number): number;
  /** A per-position model's head and cross-entropy over `rows` positions; returns Σ −ln p(target) (step_ops.h) */
  positionHead(args: NativePositionHeadArgs): number;
}

/**
 * A per-position head: logits = x·kernel + bias for each of `rows` rows. Positions whose target is a class count in
 * the returned loss sum; with dKernel (and dBias, dx) their gradients times `scale` are added to dKernel and dBias
 * and dx is written for every row. logProbs receives each row's log-softmax.
 */
export interface NativePositionHeadArgs {
  x: Float32Array; // [rows, width]
  kernel: Float32Array; // [width, classes]
  bias: Float32Array; // [classes]
  rows: number;
  width: number;
  classes: number;
  targets?: Int32Array; // [rows], -1 where nothing counts
  logProbs?: Float32Array; // [rows, classes]
  probs?: Float32Array; // [rows, classes]: the softmax
  /** [rows]: −ln p(target) where the row counts, else 0 (needs targets) */
  rowLoss?: Float64Array;
  scale?: number;
  dKernel?: Float32Array;
  dBias?: Float32Array;
  dx?: Float32Array; // [rows, width]
}

/** One variable's AdamW update as fused-adamw.ts computes it (src/native/step_ops.h), bit for bit. */
export interface NativeAdamWArgs {
  grad: Float32Array;
  weights: Float32Array; // updated in place
  first: Float32Array; // updated in place
  second: Float32Array; // updated in place
  scale: number;
  learningRate: number;
  keep: number;
  oneMinusAcc1: number;
  oneMinusAcc2: number;
  epsilon: number;
  decay: boolean;
}

export interface NativeStatus {
  available: boolean;
  /** Why the native kernels are not in use: not built, failed to load, or disabled. */
  reason?: string;
  /** Instruction set of the kernels in use ("avx512f", "avx2", "generic"); "none" when unavailable. */
  simd: string;
  threads: number;
}

const ADDON_FILE = 'rnnseq_native.node';

/**
 * Where the addon may be, relative to this module: compiled it runs from dist/src/engine/, from sources (tsx,
 * ts-node) from src/engine/. node-gyp writes src/native/build/Release (Debug with --debug).
 */
export function addonCandidates(moduleUrl: string = import.meta.url): string[] {
  const roots = ['../../../', '../../'];
  const builds = ['src/native/build/Release/', 'src/native/build/Debug/'];
  return roots.flatMap((root) => builds.map((build) => fileURLToPath(new URL(`${root}${build}${ADDON_FILE}`, moduleUrl))));
}

/**
 * Thread count for the kernels: RNNSEQ_THREADS, else OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK (what the job
 * was given, not what the node has), else every core Node reports. Invalid values are skipped.
 */
export function defaultThreadCount(env: NodeJS.ProcessEnv = process.env, available: number = os.availableParallelism()): number {
  for (const name of ['RNNSEQ_THREADS', 'OMP_NUM_THREADS', 'SLURM_CPUS_PER_TASK']) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    // OMP_NUM_THREADS may be a per-level list ("4,2"): the first level is ours.
    const n = Number.parseInt(value.split(',')[0]!, 10);
    if (Number.isInteger(n) && n >= 1) return n;
  }
  return Math.max(1, available);
}

const ADDON_FUNCTIONS: ReadonlyArray<keyof NativeAddon> = [
  'simdLevel',
  'supportedSimdLevels',
  'setSimdLevel',
  'threads',
  'setThreads',
  'workspaceSize',
  'forward',
  'backward',
  'convForward',
  'convBackward',
  'dropoutMultiplier',
  'maxOverSteps',
  'positionGradient',
  'addInPlace',
  'multiplyInPlace',
  'adamwUpdate',
  'averageUpdate',
  'sumOfSquares',
  'positionHead',
];

let loaded: { addon?: NativeAddon; reason?: string } | undefined;

/** The addon, loaded on first use; undefined (never a throw) when it is disabled, missing or broken. */
export function loadNativeAddon(): NativeAddon | undefined {
  if (!loaded) loaded = tryLoad();
  return loaded.addon;
}

function tryLoad(): { addon?: NativeAddon; reason?: string } {
  if (process.env.RNNSEQ_ENGINE === 'ref') return { reason: 'disabled by RNNSEQ_ENGINE=ref' };
  const candidates = addonCandidates();
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) return { reason: `not built (no ${ADDON_FILE}; run 'npm run build:native')` };
  try {
    const require = createRequire(import.meta.url);
    const addon = require(path) as NativeAddon;
    // A build from older sources (a checkout updated without `npm install`) lacks newer functions: say so
    // rather than fail in the middle of a training run.
    const missing = ADDON_FUNCTIONS.find((name) => typeof addon[name] !== 'function');
    if (missing) return { reason: `${path} is out of date (no ${missing}); run 'npm run build:native'` };
    addon.setThreads(defaultThreadCount());
    return { addon };
  } catch (error) {
    return { reason: `failed to load ${path}: ${(error as Error).message}` };
  }
}

export function nativeStatus(): NativeStatus {
  const addon = loadNativeAddon();
  if (!addon) return { available: false, reason: loaded?.reason ?? 'unknown', simd: 'none', threads: 0 };
  return { available: true, simd: addon.simdLevel(), threads: addon.threads() };
}

/** Sets the kernels' thread count (results do not depend on it; speed does). */
export function setNativeThreads(threads: number): void {
  loadNativeAddon()?.setThreads(threads);
}
