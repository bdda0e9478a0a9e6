/**
 * Recurrent cell definitions shared by every core implementation (tfjs reference and native kernels).
 *
 * Every cell computes its pre-activations as  a = x·W + h·U + b  with W: [inputSize, G·H], U: [H, G·H],
 * b: [G·H], the G gate blocks laid out contiguously in the order below. Equations:
 *   lstm [i f g o]: c' = σ(f)⊙c + σ(i)⊙tanh(g);            h' = σ(o)⊙tanh(c')
 *   cifg [f g o]:   c' = σ(f)⊙c + (1-σ(f))⊙tanh(g);        h' = σ(o)⊙tanh(c')   (coupled input/forget)
 *   cifg, bounded:  c' = σ(f)⊙c + (1-σ(f))⊙σ(g);           h' = σ(o)⊙c'
 *   gru  [z r n]:   n = tanh(x·W_n + (σ(r)⊙h)·U_n + b_n);  h' = (1-σ(z))⊙n + σ(z)⊙h   (Cho et al. 2014)
 *   rnn  [h]:       h' = tanh(a)
 * The bounded cifg is the "methylation memory" cell: c' is a convex combination of c and a candidate in (0, 1),
 * so a state that starts in [0, 1] stays there for any input and weights, and σ(f) is the decay of an
 * exponential moving average of the candidate. Its output is σ(o)⊙c' rather than σ(o)⊙tanh(c'): the tanh exists
 * to bound an unbounded cell, and on [0, 1] it would only bend the average (tanh(1) = 0.76) and shrink the
 * gradient reaching it, so the gated state itself is what the cell reports.
 * Masking (padded batches): with m ∈ {0,1} per row and step, state' = m·new + (1-m)·old and the step's
 * output is m·h'. Padded steps therefore neither change the state nor emit anything, in either direction.
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';

export const CELL_TYPES = ['lstm', 'gru', 'rnn', 'cifg'] as const;
export type CellType = (typeof CELL_TYPES)[number];

export function gateCount(cell: CellType): number {
  switch (cell) {
    case 'lstm':
      return 4;
    case 'cifg':
    case 'gru':
      return 3;
    case 'rnn':
      return 1;
  }
}

/** LSTM-family cells carry a memory cell c besides h. */
export function hasCellState(cell: CellType): boolean {
  return cell === 'lstm' || cell === 'cifg';
}

/** Index of the forget-gate block, whose bias starts at 1 so early training keeps memory (Jozefowicz 2015). */
export function forgetGateBlock(cell: CellType): number | undefined {
  if (cell === 'lstm') return 1;
  if (cell === 'cifg') return 0;
  return undefined;
}

/** Rejects the bounded memory cell on cells that have no coupled forget gate to make the state a moving average. */
export function checkBoundedCell(cell: CellType, bounded: boolean | undefined): void {
  if (bounded && cell !== 'cifg') throw new RnnseqError(`--bounded needs --cell cifg (the cell is ${cell})`, EXIT_USAGE);
}
