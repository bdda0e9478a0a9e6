import { type Architecture, directionsOf } from './architecture.js';
import { gateCount } from './cells.js';

/**
 * Bytes one token of one sequence costs during a training step. Backprop through time keeps every step's gate
 * activations and states (G + 2 floats per unit), the layer outputs, and gradients of the same shapes; tfjs
 * holds extra copies on the way in and out, hence the margin. An estimate for budgeting, not an exact count.
 */
export function trainingBytesPerToken(arch: Architecture): number {
  const floatsPerUnit = gateCount(arch.cell) + 2 /* h, c */ + 1 /* output */;
  const gradientsAndCopies = 3;
  return arch.layers * directionsOf(arch).length * floatsPerUnit * arch.hiddenSize * 4 * gradientsAndCopies + arch.inputSize * 4 * 2;
}

/**
 * How many sequences of `steps` tokens fit in one backward pass under `budgetBytes`: 0 when not even one does.
 * Batches larger than this are trained as gradient-accumulated micro-batches.
 */
export function sequencesPerPass(arch: Architecture, steps: number, budgetBytes: number): number {
  return Math.floor(budgetBytes / (trainingBytesPerToken(arch) * Math.max(1, steps)));
}
