/**
 * Recurrent cell definitions shared by every core implementation (tfjs reference and native kernels).
 *
 * Every cell computes its pre-activations as  a = x·W + h·U + b  with W: [inputSize, G·H], U: [H, G·H],
 * b: [G·H], the G gate blocks laid out contiguously in the order below. Equations:
 *   lstm [i f g o]: c' = σ(f)⊙c + σ(i)⊙tanh(g);            h' = σ(o)⊙tanh(c')
 *   cifg [f g o]:   c' = σ(f)⊙c + (1-σ(f))⊙tanh(g);        h' = σ(o)⊙tanh(c')   (coupled input/forget)
 *   gru  [z r n]:   n = tanh(x·W_n + (σ(r)⊙h)·U_n + b_n);  h' = (1-σ(z))⊙n + σ(z)⊙h   (Cho et al. 2014)
 *   rnn  [h]:       h' = tanh(a)
 * Masking (padded batches): with m ∈ {0,1} per row and step, state' = m·new + (1-m)·old and the step's
 * output is m·h'. Padded steps therefore neither change the state nor emit anything, in either direction.
 */
export type CellType = 'lstm' | 'gru' | 'rnn' | 'cifg';

export const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn', 'cifg'];

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
