import type { CellType } from '../../src/engine/cells.js';

/**
 * An independent float64 implementation of the cell equations in src/engine/cells.ts, written as plain loops
 * over scalars: the oracle the tfjs reference core is checked against, and the function finite differences
 * are taken of.
 */
export interface OracleInput {
  cell: CellType;
  batch: number;
  steps: number;
  inputSize: number;
  hidden: number;
  x: ArrayLike<number>; // [B, T, D]
  mask?: ArrayLike<number>; // [B, T]
  h0: ArrayLike<number>; // [B, H]
  c0?: ArrayLike<number>;
  kernel: ArrayLike<number>; // [D, G·H]
  recurrent: ArrayLike<number>; // [H, G·H]
  bias: ArrayLike<number>; // [G·H]
  reverse: boolean;
  /** cifg only: sigmoid candidate and h = σ(o)·c (the bounded memory cell) */
  bounded?: boolean;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export function oracleRun(p: OracleInput): { outputs: Float64Array; h: Float64Array; c: Float64Array } {
  const { batch: B, steps: T, inputSize: D, hidden: H } = p;
  const G = p.cell === 'lstm' ? 4 : p.cell === 'rnn' ? 1 : 3;
  const outputs = new Float64Array(B * T * H);
  const hAll = new Float64Array(B * H);
  const cAll = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: H }, (_, j) => p.h0[b * H + j]!);
    let c = Array.from({ length: H }, (_, j) => (p.c0 ? p.c0[b * H + j]! : 0));
    for (let i = 0; i < T; i++) {
      const t = p.reverse ? T - 1 - i : i;
      const m = p.mask ? p.mask[b * T + t]! : 1;
      const xa = new Float64Array(G * H); // x·W + b
      const ha = new Float64Array(G * H); // h·U
      for (let k = 0; k < G * H; k++) {
        let s = p.bias[k]!;
        for (let d = 0; d < D; d++) s += p.x[(b * T + t) * D + d]! * p.kernel[d * G * H + k]!;
        xa[k] = s;
        let r = 0;
        for (let j = 0; j < H; j++) r += h[j]! * p.recurrent[j * G * H + k]!;
        ha[k] = r;
      }
      const hNew = new Array<number>(H);
      const cNew = new Array<number>(H);
      for (let j = 0; j < H; j++) {
        const a = (g: number) => xa[g * H + j]! + ha[g * H + j]!;
        switch (p.cell) {
          case 'lstm':
            cNew[j] = sigmoid(a(1)) * c[j]! + sigmoid(a(0)) * Math.tanh(a(2));
            hNew[j] = sigmoid(a(3)) * Math.tanh(cNew[j]!);
            break;
          case 'cifg': {
            const f = sigmoid(a(0));
            const candidate = p.bounded ? sigmoid(a(1)) : Math.tanh(a(1));
            cNew[j] = f * c[j]! + (1 - f) * candidate;
            hNew[j] = sigmoid(a(2)) * (p.bounded ? cNew[j]! : Math.tanh(cNew[j]!));
            break;
          }
          case 'rnn':
            hNew[j] = Math.tanh(a(0));
            cNew[j] = 0;
            break;
          case 'gru':
            cNew[j] = 0;
            break;
        }
      }
      if (p.cell === 'gru') {
        const z = Array.from({ length: H }, (_, j) => sigmoid(xa[j]! + ha[j]!));
        const r = Array.from({ length: H }, (_, j) => sigmoid(xa[H + j]! + ha[H + j]!));
        for (let j = 0; j < H; j++) {
          let un = 0;
          for (let q = 0; q < H; q++) un += r[q]! * h[q]! * p.recurrent[q * G * H + 2 * H + j]!;
          const n = Math.tanh(xa[2 * H + j]! + un);
          hNew[j] = (1 - z[j]!) * n + z[j]! * h[j]!;
        }
      }
      for (let j = 0; j < H; j++) outputs[(b * T + t) * H + j] = m * hNew[j]!;
      h = h.map((old, j) => old + m * (hNew[j]! - old));
      c = c.map((old, j) => old + m * (cNew[j]! - old));
    }
    for (let j = 0; j < H; j++) {
      hAll[b * H + j] = h[j]!;
      cAll[b * H + j] = c[j]!;
    }
  }
  return { outputs, h: hAll, c: cAll };
}
