import { tf } from './tf.js';
import { checkBoundedCell, gateCount, hasCellState } from './cells.js';
import type { CoreRunArgs, CoreRunResult, RecurrentCore } from './core.js';

/**
 * The recurrent core written on tfjs-core ops: the reference every fast path is tested against, and the path
 * for the `tensorflow` backend (tfjs-node, tfjs-node-gpu), where each op is a real kernel.
 *
 * The state is kept transposed, [H, B], so the gate blocks split along axis 0 into contiguous slices; splitting
 * along the last axis (what tf.layers does) costs more than the matMuls on the cpu and wasm backends.
 */
export class ReferenceCore implements RecurrentCore {
  readonly name = 'reference';

  run(args: CoreRunArgs): CoreRunResult {
    const { cell, x, mask, h0, c0, weights, reverse } = args;
    const bounded = args.bounded === true;
    checkBoundedCell(cell, bounded);
    const [batch, steps] = x.shape;
    const hidden = weights.recurrent.shape[0];
    const gates = gateCount(cell);
    if (hasCellState(cell) && c0 === undefined) throw new Error(`${cell} core needs an initial cell state c0`);

    const kernelT = tf.transpose(weights.kernel); // [G·H, D]
    const recurrentT = tf.transpose(weights.recurrent); // [G·H, H]
    const biasCol = tf.reshape(weights.bias, [gates * hidden, 1]);
    const xSteps = unstackSteps(tf.transpose(x, [1, 2, 0])); // T × [D, B]
    const maskSteps = mask ? unstackSteps(tf.reshape(tf.transpose(mask), [steps, 1, batch])) : undefined;

    // GRU applies U_n to (r ⊙ h), so its recurrent matrix is used in two pieces.
    const [recurrentZrT, recurrentNT] = cell === 'gru' ? tf.split(recurrentT, [2 * hidden, hidden], 0) : [recurrentT, undefined];

    let h: tf.Tensor = tf.transpose(h0); // [H, B]
    let c: tf.Tensor | undefined = hasCellState(cell) ? tf.transpose(c0!) : undefined;
    const outputs: tf.Tensor[] = new Array(steps);

    for (let i = 0; i < steps; i++) {
      const t = reverse ? steps - 1 - i : i;
      const inputPart = tf.add(tf.matMul(kernelT, xSteps[t]!), biasCol); // [G·H, B]
      let hNew: tf.Tensor;
      let cNew: tf.Tensor | undefined;
      switch (cell) {
        case 'lstm': {
          const pre = tf.add(inputPart, tf.matMul(recurrentT, h));
          const [ig, fg, gg, og] = tf.split(pre, 4, 0);
          cNew = tf.add(tf.mul(tf.sigmoid(fg!), c!), tf.mul(tf.sigmoid(ig!), tf.tanh(gg!)));
          hNew = tf.mul(tf.sigmoid(og!), tf.tanh(cNew));
          break;
        }
        case 'cifg': {
          const pre = tf.add(inputPart, tf.matMul(recurrentT, h));
          const [fg, gg, og] = tf.split(pre, 3, 0);
          const f = tf.sigmoid(fg!);
          // Bounded: a sigmoid candidate makes c' a convex combination of values in [0, 1] (cells.ts).
          cNew = tf.add(tf.mul(f, c!), tf.mul(tf.sub(1, f), bounded ? tf.sigmoid(gg!) : tf.tanh(gg!)));
          hNew = tf.mul(tf.sigmoid(og!), bounded ? cNew : tf.tanh(cNew));
          break;
        }
        case 'gru': {
          const [xz, xr, xn] = tf.split(inputPart, 3, 0);
          const [hz, hr] = tf.split(tf.matMul(recurrentZrT!, h), 2, 0);
          const z = tf.sigmoid(tf.add(xz!, hz!));
          const r = tf.sigmoid(tf.add(xr!, hr!));
          const n = tf.tanh(tf.add(xn!, tf.matMul(recurrentNT!, tf.mul(r, h))));
          hNew = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
          break;
        }
        case 'rnn': {
          hNew = tf.tanh(tf.add(inputPart, tf.matMul(recurrentT, h)));
          break;
        }
      }
      const m = maskSteps?.[t];
      if (m) {
        outputs[t] = tf.mul(hNew, m);
        h = blend(hNew, h, m);
        if (c && cNew) c = blend(cNew, c, m);
      } else {
        outputs[t] = hNew;
        h = hNew;
        c = cNew;
      }
    }

    const result: CoreRunResult = {
      outputs: tf.transpose(tf.stack(outputs), [2, 0, 1]) as tf.Tensor3D, // [T, H, B] -> [B, T, H]
      h: tf.transpose(h) as tf.Tensor2D,
    };
    if (c) result.c = tf.transpose(c) as tf.Tensor2D;
    return result;
  }
}

/**
 * tf.unstack along axis 0, except that one step is a reshape: tfjs hands Unpack's gradient a bare tensor
 * instead of a list when there is a single output, which breaks the gradient for T = 1.
 */
function unstackSteps(t: tf.Tensor): tf.Tensor[] {
  return t.shape[0] === 1 ? [tf.reshape(t, t.shape.slice(1))] : tf.unstack(t);
}

/** m·next + (1-m)·prev, written so a 0/1 mask keeps prev bit-exactly on padded steps. */
function blend(next: tf.Tensor, prev: tf.Tensor, m: tf.Tensor): tf.Tensor {
  return tf.add(prev, tf.mul(tf.sub(next, prev), m));
}
