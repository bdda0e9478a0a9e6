import {
  type Architecture,
  conditionChannels,
  directionsOf,
  layerOutputSize,
  positionsPerStep,
  recurrentInputSize,
} from './architecture.js';
import { gateCount } from './cells.js';

/**
 * Bytes one token of one sequence costs during a training step. Backprop through time keeps every step's gate
 * activations and states (G + 2 floats per unit), the layer outputs, and gradients of the same shapes; tfjs
 * holds extra copies on the way in and out, hence the margin. An estimate for budgeting, not an exact count.
 */
export function trainingBytesPerToken(arch: Architecture): number {
  const floatsPerUnit = gateCount(arch.cell) + 2 /* h, c */ + 1 /* output */;
  const gradientsAndCopies = 3;
  const recurrent = arch.layers * directionsOf(arch).length * floatsPerUnit * arch.hiddenSize * 4 * gradientsAndCopies;
  // A pooling front-end runs the recurrent stack once per pool positions; its own activations are per position.
  return recurrent / positionsPerStep(arch) + frontEndFloatsPerPosition(arch) * 4 * gradientsAndCopies + arch.inputSize * 4 * 2;
}

/** Per input position: the embedding, the unfolded convolution windows and the convolution's outputs. */
function frontEndFloatsPerPosition(arch: Architecture): number {
  const embedded = arch.embedDim ?? 0;
  if (!arch.conv) return embedded;
  const width = arch.embedDim ?? arch.inputSize;
  return embedded + arch.conv.width * width + 3 * arch.conv.filters;
}

/**
 * How many sequences of `steps` tokens fit in one backward pass under `budgetBytes`: 0 when not even one does.
 * Batches larger than this are trained as gradient-accumulated micro-batches.
 */
export function sequencesPerPass(arch: Architecture, steps: number, budgetBytes: number): number {
  return Math.floor(budgetBytes / (trainingBytesPerToken(arch) * Math.max(1, steps)));
}

/**
 * Bytes one position costs when a sequence is read whole for prediction: its one-hot input and a layer's outputs,
 * in the copies the kernels and TensorFlow.js hold at once (measured: 1.9 GB peak for 1 Mbp at 2 x 64 units).
 */
export function wholeReadBytesPerToken(arch: Architecture): number {
  return 4 * (2 * arch.inputSize + frontEndFloatsPerPosition(arch) + (4 * layerOutputSize(arch)) / positionsPerStep(arch));
}

/**
 * Bytes one position costs when the native inference pass reads a sequence whole for one output per sequence
 * (classify; embed's mean, max and last): the input as encoded and as packed, the front-end's outputs, and the
 * outputs of every recurrent layer below the top one, whose kernel keeps a running state per feature instead of
 * outputs. The convolution works in tiles of a few thousand steps. Measured: 193 MB peak RSS embedding 1 Mbp with
 * the recipe's conv (64 filters, pool 3) + BiLSTM-64, ~80 MB of it the process itself; this says 125 MB.
 */
export function nativeReadBytesPerToken(arch: Architecture): number {
  const perPosition = 2 * arch.inputSize + 2 /* mask, the record's text */ + (arch.embedDim ?? 0);
  const conditioned = conditionChannels(arch) > 0 ? recurrentInputSize(arch) : 0;
  // Each lower layer's outputs, and the side-by-side copy the layer above reads.
  const lower = (arch.layers - 1) * directionsOf(arch).length * arch.hiddenSize * 2;
  const perStep = (arch.conv?.filters ?? 0) + conditioned + lower;
  return 4 * (perPosition + perStep / positionsPerStep(arch));
}

/**
 * A sequence longer than this goes through the model alone: a batch pads every row to its longest, so one long
 * record among short ones would multiply memory and time by the batch size.
 */
export const ALONE_BP = 10_000;

/**
 * The most one engine call (a batch of whole sequences) may take by wholeReadBytesPerToken: its tensors live in
 * the wasm heap, which cannot grow past 4 GB whatever the machine has. 256 records of 10 kbp (5.3 GB by this
 * estimate) still ran; 512 mutated copies of a 12 kbp record (13 GB) failed with "memory access out of bounds".
 */
export const ENGINE_CALL_BYTES = 2 * 2 ** 30;

/**
 * The most a single sequence read whole may take (by wholeReadBytesPerToken) on the wasm backend, whose heap
 * cannot pass 4 GB: at 2 x 64 units 2 Mbp (4.2 GB by the estimate) ran and 3 Mbp failed with "memory access out
 * of bounds". The tensorflow backend (tfjs-node) has no such ceiling.
 */
export const WASM_WHOLE_READ_BYTES = 3.5 * 2 ** 30;

/** How many sequences of `length` one engine call takes: the requested batch, fewer for long ones, at least 1. */
export function sequencesPerCall(arch: Architecture, length: number, requested: number): number {
  return Math.max(1, Math.min(requested, Math.floor(ENGINE_CALL_BYTES / (Math.max(1, length) * wholeReadBytesPerToken(arch)))));
}

/**
 * Whether the batch being gathered must go to the engine before a sequence of `nextLength` joins it: a sequence
 * longer than `aloneBp` goes alone, neither joining a batch nor joined (a batch pads every row to its longest),
 * and a batch stays within ENGINE_CALL_BYTES.
 */
export function flushBefore(
  arch: Architecture,
  pendingLengths: readonly number[],
  nextLength: number,
  requested: number,
  aloneBp = ALONE_BP,
): boolean {
  if (pendingLengths.length === 0) return false;
  const longest = Math.max(nextLength, ...pendingLengths);
  if (longest > aloneBp) return true;
  return pendingLengths.length + 1 > sequencesPerCall(arch, longest, requested);
}

/** "60 MB", "1.9 GB": sizes for messages. */
export function formatBytes(bytes: number): string {
  return bytes < 2 ** 30 ? `${Math.round(bytes / 2 ** 20)} MB` : `${(bytes / 2 ** 30).toFixed(1)} GB`;
}
