import { tf } from './tf.js';
import type { BackendValues, KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { checkBoundedCell, gateCount, hasCellState, type CellType } from './cells.js';
import type { WholeStep, ConvPool, CoreRunArgs, CoreRunResult, RecurrentCore } from './core.js';
import type { Architecture } from './architecture.js';
import { NativeWholeStep, nativeStepUnsupported } from './native-step.js';
import { loadNativeAddon, nativeStatus, type NativeAddon, type NativeForwardArgs, type NativeShape } from './native-addon.js';
import { nativeConvPool } from './native-conv.js';
import type { OptimizerKernels } from './fused-adamw.js';

/**
 * The recurrent core as fused native CPU kernels (src/native): one addon call runs a whole direction over all
 * timesteps, another its backward-through-time, instead of ~15 tfjs kernels per step.
 *
 * Training runs as a registered tfjs kernel with a registered gradient, because tf.customGrad (tfjs-core 4.22)
 * accepts a single output tensor and this op has three (outputs, h, c). The activations the backward needs stay
 * in a JS Float32Array that travels in the kernel's attrs object: tfjs hands that same object to the gradient,
 * and drops it with the tape, so the activations never pass through a backend (no copy into the wasm heap) and
 * are freed when no backward will come. Inference (args.inference) calls the forward-only entry, which stores
 * no activations.
 */
export class NativeCore implements RecurrentCore {
  readonly name = 'native';
  private readonly addon: NativeAddon;
  /** The convolutional front-end from the same addon (native-conv.ts). */
  readonly convPool: ConvPool = (args) => nativeConvPool(this.addon, args);
  get optimizerKernels(): OptimizerKernels {
    return this.addon;
  }

  /**
   * One step object per architecture for the life of the core: its buffers are reused by the next training run or
   * predict call of the same shape (a fresh one per call paid the page faults of multi-megabyte workspaces again).
   */
  wholeStep(arch: Architecture): WholeStep | undefined {
    if (nativeStepUnsupported(arch) !== undefined) return undefined;
    const key = JSON.stringify(arch);
    let step = this.wholeSteps.get(key);
    if (!step) this.wholeSteps.set(key, (step = new NativeWholeStep(this.addon, arch)));
    return step;
  }

  private readonly wholeSteps = new Map<string, NativeWholeStep>();

  constructor(addon: NativeAddon | undefined = loadNativeAddon()) {
    if (!addon) throw new Error(`native kernels unavailable: ${nativeStatus().reason ?? 'unknown reason'}`);
    this.addon = addon;
  }

  run(args: CoreRunArgs): CoreRunResult {
    checkSweep(args);
    if (args.inference) return this.infer([args])[0]!;
    const { cell, x, mask, h0, c0, weights, reverse } = args;
    const bounded = args.bounded === true;
    const cellState = hasCellState(cell);

    const name = kernelName(cellState, mask !== undefined);
    ensureRegistered(this.addon, name, tf.getBackend());
    return tf.tidy(() => {
      const inputs: tf.NamedTensorMap = {
        x: asFloat(x),
        h0: asFloat(h0),
        kernel: asFloat(weights.kernel),
        recurrent: asFloat(weights.recurrent),
        bias: asFloat(weights.bias),
      };
      if (cellState) inputs.c0 = asFloat(c0!);
      if (mask) inputs.mask = asFloat(mask);
      const attrs = { cell, reverse, bounded, activations: {} as Activations } as unknown as NamedAttrMap;
      const outs = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor[];
      const result: CoreRunResult = { outputs: outs[0] as tf.Tensor3D, h: outs[1] as tf.Tensor2D };
      if (cellState) result.c = outs[2] as tf.Tensor2D;
      return result as unknown as tf.TensorContainer;
    }) as unknown as CoreRunResult;
  }

  /** Inference sweeps side by side in one addon call (a batch of one keeps both threads busy with two directions). */
  runAll(args: readonly CoreRunArgs[]): CoreRunResult[] {
    if (!args.every((a) => a.inference)) return args.map((a) => this.run(a));
    args.forEach(checkSweep);
    return this.infer(args);
  }

  private infer(all: readonly CoreRunArgs[]): CoreRunResult[] {
    const outputBuffer = outputAllocator(tf.getBackend());
    const sweeps = all.map((args, k) => {
      const { cell, x, mask, h0, c0, weights, reverse } = args;
      const shape = shapeOf(cell, x.shape, weights.recurrent.shape[0], reverse, args.bounded === true);
      const { batch, steps, hidden } = shape;
      // Scratch slots of their own per sweep: sweeps of one call must not share outputs.
      const out = outputBuffer(batch * steps * hidden, 3 * k);
      const hT = outputBuffer(batch * hidden, 3 * k + 1);
      const cT = hasCellState(cell) ? outputBuffer(batch * hidden, 3 * k + 2) : undefined;
      const forward: NativeForwardArgs = {
        ...shape,
        x: floatData(x),
        ...(mask ? { mask: floatData(mask) } : {}),
        h0: floatData(h0),
        ...(cT ? { c0: floatData(c0!), cT } : {}),
        kernel: floatData(weights.kernel),
        recurrent: floatData(weights.recurrent),
        bias: floatData(weights.bias),
        out,
        hT,
      };
      return forward;
    });
    this.addon.forward(sweeps);
    return sweeps.map(({ batch, steps, hidden, out, hT, cT }) => {
      const result: CoreRunResult = { outputs: tf.tensor3d(out!, [batch, steps, hidden]), h: tf.tensor2d(hT, [batch, hidden]) };
      if (cT) result.c = tf.tensor2d(cT, [batch, hidden]);
      return result;
    });
  }
}

/** What run() and runAll() refuse alike: a bounded cell other than cifg, a memory cell without its initial state. */
function checkSweep(args: CoreRunArgs): void {
  checkBoundedCell(args.cell, args.bounded === true);
  if (hasCellState(args.cell) && args.c0 === undefined) throw new Error(`${args.cell} core needs an initial cell state c0`);
}

/** For select-core.ts: the core, or why there is none, in one line. */
export function createNativeCore(): { core?: RecurrentCore; description: string } {
  const status = nativeStatus();
  if (!status.available) return { description: status.reason ?? 'unavailable' };
  const threads = `${status.threads} thread${status.threads === 1 ? '' : 's'}`;
  return { core: new NativeCore(), description: `native (${status.simd}, ${threads})` };
}

/** Filled by the forward kernel, emptied by its gradient: see NativeCore. */
interface Activations {
  workspace?: Float32Array;
}

/**
 * Workspaces handed back by finished backward passes, for the next forward. A fresh 10-40 MB buffer costs more in
 * page faults than the kernels take to fill it, and the kernels overwrite every element they later read.
 */
const spareWorkspaces: Float32Array[] = [];
const MAX_SPARE_WORKSPACES = 4;

function takeWorkspace(size: number): Float32Array {
  const i = spareWorkspaces.findIndex((w) => w.length === size);
  return i >= 0 ? spareWorkspaces.splice(i, 1)[0]! : new Float32Array(size);
}

function returnWorkspace(workspace: Float32Array): void {
  spareWorkspaces.push(workspace);
  if (spareWorkspaces.length > MAX_SPARE_WORKSPACES) spareWorkspaces.shift();
}

/** Buffer for one output (slot 0-2) of a kernel call, before it becomes tensor data. */
type OutputAllocator = (length: number, slot: number) => Float32Array;

/**
 * The cpu (and tensorflow) backends adopt the array handed to them, so each output needs a fresh one; wasm copies it
 * into its heap at once, so one scratch buffer per output slot serves every call and saves the page faults of a
 * fresh multi-megabyte allocation per step.
 */
function outputAllocator(backendName: string): OutputAllocator {
  if (backendName !== 'wasm') return (length) => new Float32Array(length);
  return (length, slot) => {
    let buffer = scratchOutputs[slot];
    if (buffer?.length !== length) buffer = scratchOutputs[slot] = new Float32Array(length);
    return buffer;
  };
}
const scratchOutputs: Array<Float32Array | undefined> = [];

const registeredKernels = new Set<string>();

function kernelName(cellState: boolean, masked: boolean): string {
  // One name per input set: a registered gradient lists its saved inputs by name, and each must exist.
  return `RnnseqNativeRecurrent${cellState ? 'Cell' : ''}${masked ? 'Masked' : ''}`;
}

function ensureRegistered(addon: NativeAddon, name: string, backendName: string): void {
  const key = `${name}/${backendName}`;
  if (registeredKernels.has(key)) return;
  if (!tf.getKernel(name, backendName)) {
    const outputBuffer = outputAllocator(backendName);
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => forwardKernel(addon, inputs, backend as KernelBackend, attrs!, outputBuffer),
    });
  }
  if (!tf.getGradient(name)) {
    const masked = name.endsWith('Masked');
    tf.registerGradient({
      kernelName: name,
      inputsToSave: masked ? ['kernel', 'recurrent', 'mask'] : ['kernel', 'recurrent'],
      gradFunc: (dy, saved, attrs) => backwardGradients(addon, dy as tf.Tensor[], saved, attrs, masked),
    });
  }
  registeredKernels.add(key);
}

/** Works on any backend that can read and write float32 data (cpu, wasm, tensorflow). */
function forwardKernel(
  addon: NativeAddon,
  inputs: NamedTensorInfoMap,
  backend: KernelBackend,
  attrs: NamedAttrMap,
  outputBuffer: OutputAllocator,
): TensorInfo[] {
  const read = (info: TensorInfo) => toFloat32(backend.readSync(info.dataId));
  const cell = attrs.cell as CellType;
  const x = inputs.x!;
  const shape = shapeOf(cell, x.shape, inputs.recurrent!.shape[0]!, attrs.reverse as boolean, attrs.bounded as boolean);
  const { batch, steps, hidden } = shape;
  const out = outputBuffer(batch * steps * hidden, 0);
  const hT = outputBuffer(batch * hidden, 1);
  const cT = hasCellState(cell) ? outputBuffer(batch * hidden, 2) : undefined;
  const workspace = takeWorkspace(addon.workspaceSize(shape));
  addon.forward({
    ...shape,
    x: read(x),
    ...(inputs.mask ? { mask: read(inputs.mask) } : {}),
    h0: read(inputs.h0!),
    ...(cT ? { c0: read(inputs.c0!), cT } : {}),
    kernel: read(inputs.kernel!),
    recurrent: read(inputs.recurrent!),
    bias: read(inputs.bias!),
    out,
    hT,
    workspace,
  });
  (attrs.activations as unknown as Activations).workspace = workspace;
  const outputs: Array<[Float32Array, number[]]> = [
    [out, [batch, steps, hidden]],
    [hT, [batch, hidden]],
  ];
  if (cT) outputs.push([cT, [batch, hidden]]);
  return outputs.map(([values, dims]): TensorInfo => ({ dataId: backend.write(values, dims, 'float32'), shape: dims, dtype: 'float32' }));
}

function backwardGradients(addon: NativeAddon, dys: tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap, masked: boolean) {
  const cell = attrs.cell as CellType;
  const cellState = hasCellState(cell);
  const [kernel, recurrent] = saved as [tf.Tensor2D, tf.Tensor2D];
  const mask = masked ? saved[2] : undefined;
  const activations = attrs.activations as unknown as Activations;
  const workspace = activations.workspace;
  if (!workspace) throw new Error('native core: the activations of this forward pass were already used by a backward pass');
  activations.workspace = undefined;

  const [batch, steps, hidden] = dys[0]!.shape as [number, number, number];
  const inputSize = kernel.shape[0];
  const gates = gateCount(cell) * hidden;
  const shape: NativeShape = {
    cell,
    batch,
    steps,
    inputSize,
    hidden,
    reverse: attrs.reverse as boolean,
    bounded: attrs.bounded as boolean,
  };
  const dx = new Float32Array(batch * steps * inputSize);
  const dh0 = new Float32Array(batch * hidden);
  const dc0 = cellState ? new Float32Array(batch * hidden) : undefined;
  const dKernel = new Float32Array(inputSize * gates);
  const dRecurrent = new Float32Array(hidden * gates);
  const dBias = new Float32Array(gates);
  addon.backward({
    ...shape,
    ...(mask ? { mask: floatData(mask) } : {}),
    kernel: floatData(kernel),
    recurrent: floatData(recurrent),
    workspace,
    dOut: floatData(dys[0]!),
    dhT: floatData(dys[1]!),
    ...(dc0 ? { dcT: floatData(dys[2]!), dc0 } : {}),
    dx,
    dh0,
    dKernel,
    dRecurrent,
    dBias,
  });
  returnWorkspace(workspace);
  const grads: Record<string, () => tf.Tensor> = {
    x: () => tf.tensor3d(dx, [batch, steps, inputSize]),
    h0: () => tf.tensor2d(dh0, [batch, hidden]),
    kernel: () => tf.tensor2d(dKernel, [inputSize, gates]),
    recurrent: () => tf.tensor2d(dRecurrent, [hidden, gates]),
    bias: () => tf.tensor1d(dBias),
  };
  if (dc0) grads.c0 = () => tf.tensor2d(dc0, [batch, hidden]);
  if (mask) grads.mask = () => tf.zerosLike(mask);
  return grads;
}

function shapeOf(cell: CellType, xShape: number[], hidden: number, reverse: boolean, bounded: boolean): NativeShape {
  const [batch, steps, inputSize] = xShape as [number, number, number];
  return { cell, batch, steps, inputSize, hidden, reverse, bounded };
}

function asFloat<T extends tf.Tensor>(t: T): T {
  return t.dtype === 'float32' ? t : (tf.cast(t, 'float32') as T);
}

function floatData(t: tf.Tensor): Float32Array {
  return toFloat32(t.dataSync());
}

function toFloat32(values: BackendValues | tf.TypedArray): Float32Array {
  if (values instanceof Float32Array) return values;
  if (Array.isArray(values)) throw new Error('native core: string tensors are not numeric input');
  return Float32Array.from(values as ArrayLike<number>);
}
