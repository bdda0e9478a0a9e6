import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requirePackage, tf } from '../../src/engine/tf.js';
import { FusedAdamW } from '../../src/engine/fused-adamw.js';
import { loadNativeAddon, nativeStatus } from '../../src/engine/native-addon.js';
import { Random } from '../../src/seq/random.js';

requirePackage('@tensorflow/tfjs-backend-cpu');

await tf.setBackend('cpu');

function randomValues(random: Random, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => (random.next() * 2 - 1) * scale);
}

/** The same step in tensor ops: global-norm clip, decoupled decay, tf.train.adam, then the weight average. */
function referenceStep(
  optimizer: tf.AdamOptimizer,
  variables: tf.Variable[],
  shadow: tf.Tensor[],
  grads: tf.Tensor[],
  options: { lr: number; clipNorm: number; weightDecay: number; decayed: boolean[]; ema: number; step: number },
): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!);
    const scale = norm > options.clipNorm ? options.clipNorm / norm : 1;
    variables.forEach((v, i) => {
      if (options.decayed[i]) v.assign(tf.mul(v, 1 - options.lr * options.weightDecay));
    });
    (optimizer as unknown as { learningRate: number }).learningRate = options.lr;
    optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: tf.mul(grads[i]!, scale) })));
    const d = Math.min(options.ema, (1 + options.step) / (10 + options.step));
    return variables.map((v, i) => tf.keep(tf.add(tf.mul(shadow[i]!, d), tf.mul(v, 1 - d))));
  });
}

test('fused AdamW with clipping, decay and averaging matches the tensor-op version step by step', () => {
  const random = new Random(7);
  const shapes = [[5, 8], [8], [3, 4, 2]];
  const decayed = [true, false, true];
  const initial = shapes.map((s) =>
    randomValues(
      random,
      s.reduce((a, b) => a * b, 1),
      0.5,
    ),
  );
  const mine = shapes.map((s, i) => tf.variable(tf.tensor(initial[i]!.slice(), s)));
  const theirs = shapes.map((s, i) => tf.variable(tf.tensor(initial[i]!.slice(), s)));
  const options = { learningRate: 0.01, clipNorm: 1, weightDecay: 0.1, ema: 0.9 };
  const fused = new FusedAdamW(mine, { ...options, decayed: new Set(mine.filter((_, i) => decayed[i])) });
  const reference = tf.train.adam(options.learningRate);
  let shadow: tf.Tensor[] = theirs.map((v) => tf.keep(v.clone()));
  for (let step = 1; step <= 12; step++) {
    // Large gradients on odd steps so clipping both applies and does not.
    const grads = shapes.map((s) =>
      tf.tensor(
        randomValues(
          random,
          s.reduce((a, b) => a * b, 1),
          step % 2 ? 3 : 0.05,
        ),
        s,
      ),
    );
    const lr = 0.01 * (1 - step / 20);
    fused.learningRate = lr;
    fused.apply(grads, step);
    fused.sync();
    const next = referenceStep(reference, theirs, shadow, grads, { lr, clipNorm: 1, weightDecay: 0.1, decayed, ema: 0.9, step });
    tf.dispose(shadow);
    shadow = next;
    tf.dispose(grads);
    mine.forEach((v, i) => assertClose(v.dataSync(), theirs[i]!.dataSync(), 2e-6, `weights ${i}, step ${step}`));
  }
  fused.swapIn();
  mine.forEach((v, i) => assertClose(v.dataSync(), shadow[i]!.dataSync(), 2e-6, `average ${i}`));
  const state = fused.state();
  assert.deepEqual(
    state.map((t) => t.name),
    ['iter', ...mine.map((v) => `${v.name}/m`), ...mine.map((v) => `${v.name}/v`), 'raw.0', 'raw.1', 'raw.2'],
  );
  assert.equal(state[0]!.tensor.dataSync()[0], 12);
  fused.swapOut();
  mine.forEach((v, i) => assertClose(v.dataSync(), theirs[i]!.dataSync(), 2e-6, `raw weights back ${i}`));
  tf.dispose([...state.map((t) => t.tensor), ...shadow, ...mine, ...theirs]);
  reference.dispose();
});

test('fused AdamW resumed from its saved state takes the same next step as the uninterrupted one', () => {
  const random = new Random(3);
  const make = () => [
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: 6 }, (_, i) => i / 10),
        [2, 3],
      ),
    ),
  ];
  const grads = Array.from({ length: 4 }, () => tf.tensor(randomValues(random, 6, 1), [2, 3]));
  const straightVars = make();
  const straight = new FusedAdamW(straightVars, { learningRate: 0.05, clipNorm: 0, ema: 0.5 });
  for (let s = 0; s < 3; s++) straight.apply([grads[s]!], s + 1);
  straight.sync();
  straight.swapIn();
  const saved = straight.state().map((t) => ({ name: t.name, tensor: tf.keep(t.tensor) }));
  const powers = straight.powers;
  // The resumed model starts from the checkpoint, which holds the averaged weights.
  const resumedVars = [tf.variable(straightVars[0]!.clone())];
  straight.swapOut();
  straight.apply([grads[3]!], 4);
  const resumed = new FusedAdamW(resumedVars, { learningRate: 0.05, clipNorm: 0, ema: 0.5 });
  resumed.restore(saved, powers);
  resumed.apply([grads[3]!], 4);
  resumed.sync();
  straight.sync();
  assert.deepEqual(resumedVars[0]!.dataSync(), straightVars[0]!.dataSync());
  straight.swapIn();
  resumed.swapIn();
  assert.deepEqual(resumedVars[0]!.dataSync(), straightVars[0]!.dataSync(), 'the averages agree too');
  tf.dispose([...grads, ...saved.map((t) => t.tensor), ...straightVars, ...resumedVars]);
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('fused AdamW: the addon loops give the JavaScript loops bit for bit (weights, moments, average)', (t) => {
  const status = nativeStatus();
  if (!status.available) {
    t.skip(`native kernels unavailable: ${status.reason}`);
    return;
  }
  const random = new Random(11);
  const shapes = [[40, 64], [64], [7, 3, 5]];
  const initial = shapes.map((s) =>
    randomValues(
      random,
      s.reduce((a, b) => a * b, 1),
      0.5,
    ),
  );
  const make = () => shapes.map((s, i) => tf.variable(tf.tensor(initial[i]!.slice(), s)));
  const plainVars = make();
  const nativeVars = make();
  // Clipping active on some steps and not others; decay on two of three variables; the average warming up.
  const options = { learningRate: 0.003, clipNorm: 2, weightDecay: 0.05, ema: 0.99 };
  const plain = new FusedAdamW(plainVars, { ...options, decayed: new Set([plainVars[0]!, plainVars[2]!]) });
  const native = new FusedAdamW(nativeVars, {
    ...options,
    decayed: new Set([nativeVars[0]!, nativeVars[2]!]),
    kernels: loadNativeAddon()!,
  });
  for (let step = 1; step <= 12; step++) {
    const grads = shapes.map((s) =>
      randomValues(
        random,
        s.reduce((a, b) => a * b, 1),
        step % 3 === 0 ? 0.01 : 1,
      ),
    );
    plain.learningRate = native.learningRate = options.learningRate * (1 - step / 20);
    plain.apply(grads, step);
    native.apply(grads, step);
    plain.values.forEach((w, i) => assert.deepEqual(native.values[i], w, `step ${step}, variable ${i}`));
  }
  const saved = (o: FusedAdamW) => {
    o.swapIn();
    const state = o.state().map((s) => Array.from(s.tensor.dataSync()));
    o.swapOut();
    return state;
  };
  assert.deepEqual(saved(native), saved(plain));
  assert.ok(
    plain.values[0]!.some((v, i) => v !== initial[0]![i]),
    'the weights moved',
  );
});
