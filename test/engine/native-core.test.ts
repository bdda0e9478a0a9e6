import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tf } from '../../src/engine/tf.js';
// These tests take gradients through tfjs autodiff, which needs the gradient registry (src/engine/gradients.ts).
import '../../src/engine/gradients.js';
import { CELL_TYPES, gateCount, hasCellState, type CellType } from '../../src/engine/cells.js';
import type { CoreRunResult, RecurrentCore } from '../../src/engine/core.js';
import { defaultThreadCount, loadNativeAddon, nativeStatus, type NativeShape } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { randomArray, useCpuBackend } from '../helpers.js';

await useCpuBackend();

const status = nativeStatus();
const skip = status.available ? false : `native kernels unavailable: ${status.reason}`;
const reference = new ReferenceCore();
const native = status.available ? new NativeCore() : undefined;

/**
 * Error of `got` against `want`, relative to the larger of 1 and want's largest magnitude: max|got-want| /
 * max(1, max|want|). Relative where values are large, absolute (not blown up by near-zero entries) where small.
 */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'lengths differ');
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

interface Problem extends NativeShape {
  masked: boolean;
  seed: number;
}

/** Sizes that exercise partial SIMD vectors, single rows and steps, and rows split unevenly across threads. */
const SHAPES = [
  { batch: 1, steps: 1, inputSize: 4, hidden: 1 },
  { batch: 7, steps: 13, inputSize: 5, hidden: 1 },
  { batch: 7, steps: 13, inputSize: 5, hidden: 3 },
  { batch: 7, steps: 13, inputSize: 4, hidden: 65 },
  { batch: 1, steps: 13, inputSize: 5, hidden: 65 },
];

const TOLERANCE = 1e-4;

type Inputs = Record<string, tf.Tensor>;

/** Right-padded random lengths in [0, T]; with several rows, one is full length and one empty. */
function maskFor(p: Problem): Float32Array {
  const noise = randomArray(p.batch, p.seed + 99, 1);
  const lengths = Array.from(noise, (u, b) => {
    if (p.batch > 2 && b === 0) return p.steps;
    if (p.batch > 2 && b === 1) return 0;
    return Math.floor(((u + 1) / 2) * (p.steps + 1)) % (p.steps + 1);
  });
  return Float32Array.from({ length: p.batch * p.steps }, (_, i) => (i % p.steps < lengths[Math.floor(i / p.steps)]! ? 1 : 0));
}

function makeInputs(p: Problem): Inputs {
  const { batch: B, steps: T, inputSize: D, hidden: H, seed } = p;
  const G = gateCount(p.cell);
  const inputs: Inputs = {
    x: tf.tensor3d(randomArray(B * T * D, seed, 1), [B, T, D]),
    h0: tf.tensor2d(randomArray(B * H, seed + 1, 0.5), [B, H]),
    kernel: tf.tensor2d(randomArray(D * G * H, seed + 3, 0.6), [D, G * H]),
    // Spectral radius below 1: a chaotic recurrence would amplify float rounding differences exponentially.
    recurrent: tf.tensor2d(randomArray(H * G * H, seed + 4, Math.min(0.6, 1.5 / Math.sqrt(H))), [H, G * H]),
    bias: tf.tensor1d(randomArray(G * H, seed + 5, 0.3)),
    weightOut: tf.tensor3d(randomArray(B * T * H, seed + 6, 1), [B, T, H]),
    weightH: tf.tensor2d(randomArray(B * H, seed + 7, 1), [B, H]),
    weightC: tf.tensor2d(randomArray(B * H, seed + 8, 1), [B, H]),
  };
  // The bounded cell's state lives in [0, 1].
  if (hasCellState(p.cell))
    inputs.c0 = tf.tensor2d(
      randomArray(B * H, seed + 2, 0.5).map((v) => (p.bounded ? v + 0.5 : v)),
      [B, H],
    );
  if (p.masked) inputs.mask = tf.tensor2d(maskFor(p), [B, T]);
  return inputs;
}

function differentiable(cell: CellType): string[] {
  return hasCellState(cell) ? ['x', 'h0', 'c0', 'kernel', 'recurrent', 'bias'] : ['x', 'h0', 'kernel', 'recurrent', 'bias'];
}

function runCore(core: RecurrentCore, p: Problem, inputs: Inputs, values: Inputs, inference = false): CoreRunResult {
  return core.run({
    cell: p.cell,
    x: values.x as tf.Tensor3D,
    ...(inputs.mask ? { mask: inputs.mask as tf.Tensor2D } : {}),
    h0: values.h0 as tf.Tensor2D,
    ...(values.c0 ? { c0: values.c0 as tf.Tensor2D } : {}),
    weights: { kernel: values.kernel as tf.Tensor2D, recurrent: values.recurrent as tf.Tensor2D, bias: values.bias as tf.Tensor1D },
    reverse: p.reverse,
    inference,
    ...(p.bounded ? { bounded: true } : {}),
  });
}

interface Outcome {
  outputs: Float32Array;
  h: Float32Array;
  c?: Float32Array;
  grads: Record<string, Float32Array>;
}

/** Outputs and the gradients of sum(outputs*Wo) + sum(h*Wh) + sum(c*Wc) with respect to every input. */
function evaluate(core: RecurrentCore, p: Problem, inputs: Inputs): Outcome {
  return tf.tidy(() => {
    const forward = runCore(core, p, inputs, inputs);
    const names = differentiable(p.cell);
    const loss = (...args: tf.Tensor[]) => {
      const values = Object.fromEntries(names.map((name, i) => [name, args[i]!]));
      const r = runCore(core, p, inputs, values);
      let total = tf.add(tf.sum(tf.mul(r.outputs, inputs.weightOut!)), tf.sum(tf.mul(r.h, inputs.weightH!)));
      if (r.c) total = tf.add(total, tf.sum(tf.mul(r.c, inputs.weightC!)));
      return total as tf.Scalar;
    };
    const grads = tf.grads(loss)(names.map((name) => inputs[name]!));
    return {
      outputs: forward.outputs.dataSync().slice() as Float32Array,
      h: forward.h.dataSync().slice() as Float32Array,
      ...(forward.c ? { c: forward.c.dataSync().slice() as Float32Array } : {}),
      grads: Object.fromEntries(names.map((name, i) => [name, grads[i]!.dataSync().slice() as Float32Array])),
    };
  });
}

function assertClose(got: Outcome, want: Outcome, label: string): void {
  const check = (what: string, a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined) => {
    assert.ok(a && b, `${label}: ${what} missing`);
    const error = relativeError(a, b);
    assert.ok(error < TOLERANCE, `${label}: ${what} relative error ${error.toExponential(2)}`);
  };
  check('outputs', got.outputs, want.outputs);
  check('final h', got.h, want.h);
  if (want.c) check('final c', got.c, want.c);
  for (const name of Object.keys(want.grads)) check(`d${name}`, got.grads[name], want.grads[name]);
}

function assertIdentical(got: Outcome, want: Outcome, label: string): void {
  const same = (a: Float32Array | undefined, b: Float32Array | undefined) =>
    a !== undefined &&
    b !== undefined &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  assert.ok(same(got.outputs, want.outputs), `${label}: outputs differ`);
  assert.ok(same(got.h, want.h), `${label}: h differs`);
  if (want.c) assert.ok(same(got.c, want.c), `${label}: c differs`);
  for (const name of Object.keys(want.grads)) assert.ok(same(got.grads[name], want.grads[name]), `${label}: d${name} differs`);
}

function withInputs<T>(p: Problem, body: (inputs: Inputs) => T): T {
  const inputs = makeInputs(p);
  try {
    return body(inputs);
  } finally {
    for (const t of Object.values(inputs)) t.dispose();
  }
}

/** Every cell, and cifg once more as the bounded memory cell. */
const VARIANTS: ReadonlyArray<{ cell: CellType; bounded: boolean; label: string }> = [
  ...CELL_TYPES.map((cell) => ({ cell, bounded: false, label: cell })),
  { cell: 'cifg', bounded: true, label: 'bounded cifg' },
];

for (const [v, { cell, bounded, label }] of VARIANTS.entries()) {
  for (const reverse of [false, true]) {
    for (const masked of [false, true]) {
      const how = `${reverse ? 'reverse' : 'forward'}, ${masked ? 'padded batch' : 'no mask'}`;
      test(`${label} native core matches the reference in outputs, final state and every gradient (${how})`, { skip }, () => {
        SHAPES.forEach((shape, k) => {
          const p: Problem = { cell, bounded, ...shape, reverse, masked, seed: 1000 * k + 17 * v + (reverse ? 5 : 0) + (masked ? 3 : 0) };
          withInputs(p, (inputs) =>
            assertClose(
              evaluate(native!, p, inputs),
              evaluate(reference, p, inputs),
              `B${p.batch} T${p.steps} D${p.inputSize} H${p.hidden}`,
            ),
          );
        });
      });
    }
  }
}

test('every SIMD level this CPU supports matches the reference', { skip }, () => {
  const addon = loadNativeAddon()!;
  const chosen = addon.simdLevel();
  try {
    for (const level of addon.supportedSimdLevels()) {
      addon.setSimdLevel(level);
      for (const { cell, bounded, label } of VARIANTS) {
        const p: Problem = {
          cell,
          bounded,
          batch: 7,
          steps: 13,
          inputSize: 5,
          hidden: 65,
          reverse: cell === 'gru' || bounded,
          masked: true,
          seed: 77,
        };
        withInputs(p, (inputs) => assertClose(evaluate(native!, p, inputs), evaluate(reference, p, inputs), `${level} ${label}`));
      }
    }
  } finally {
    addon.setSimdLevel(chosen);
  }
});

test('results are bit-identical whatever the thread count', { skip }, () => {
  const addon = loadNativeAddon()!;
  const threads = addon.threads();
  try {
    for (const { cell, bounded, label } of VARIANTS) {
      const p: Problem = { cell, bounded, batch: 7, steps: 13, inputSize: 4, hidden: 65, reverse: false, masked: true, seed: 5 };
      withInputs(p, (inputs) => {
        addon.setThreads(1);
        const single = evaluate(native!, p, inputs);
        for (const n of [2, 3, 8]) {
          addon.setThreads(n);
          assertIdentical(evaluate(native!, p, inputs), single, `${label} with ${n} threads`);
        }
      });
    }
  } finally {
    addon.setThreads(threads);
  }
});

test('the inference path returns exactly what the training path does', { skip }, () => {
  for (const { cell, bounded, label } of VARIANTS) {
    for (const masked of [false, true]) {
      const p: Problem = { cell, bounded, batch: 7, steps: 13, inputSize: 5, hidden: 65, reverse: true, masked, seed: 9 };
      withInputs(p, (inputs) => {
        tf.tidy(() => {
          const trained = runCore(native!, p, inputs, inputs);
          const inferred = runCore(native!, p, inputs, inputs, true);
          assert.deepEqual(inferred.outputs.dataSync(), trained.outputs.dataSync(), `${label}: outputs`);
          assert.deepEqual(inferred.h.dataSync(), trained.h.dataSync(), `${label}: h`);
          if (trained.c) assert.deepEqual(inferred.c!.dataSync(), trained.c.dataSync(), `${label}: c`);
        });
      });
    }
  }
});

test('repeated training and inference calls leave no tensors behind', { skip }, () => {
  for (const cell of ['lstm', 'gru'] as const) {
    const p: Problem = { cell, batch: 3, steps: 6, inputSize: 4, hidden: 5, reverse: false, masked: true, seed: 3 };
    withInputs(p, (inputs) => {
      const cycle = () => {
        evaluate(native!, p, inputs);
        tf.tidy(() => {
          runCore(native!, p, inputs, inputs, true);
          // A training-mode forward whose gradient is never asked for.
          runCore(native!, p, inputs, inputs);
        });
      };
      cycle();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) cycle();
      assert.equal(tf.memory().numTensors, before, `${cell}: tensor count grew`);
    });
  }
});

test('gradients reach tf.variable weights through a dense head and softmax cross-entropy', { skip }, () => {
  const p: Problem = { cell: 'lstm', batch: 5, steps: 9, inputSize: 4, hidden: 8, reverse: false, masked: true, seed: 21 };
  withInputs(p, (inputs) => {
    const kernel = tf.variable(inputs.kernel!, true, 'native-test-kernel');
    const recurrent = tf.variable(inputs.recurrent!, true, 'native-test-recurrent');
    const bias = tf.variable(inputs.bias!, true, 'native-test-bias');
    const head = tf.variable(tf.tensor2d(randomArray(8 * 3, 4, 0.5), [8, 3]), true, 'native-test-head');
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 1, 0], 'int32'), 3);
    try {
      const gradsOf = (core: RecurrentCore) =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const r = runCore(core, p, inputs, { ...inputs, kernel, recurrent, bias });
            const logits = tf.matMul(r.h, head);
            return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
          });
          return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, g.dataSync().slice()]));
        });
      const got = gradsOf(native!);
      const want = gradsOf(reference);
      for (const name of Object.keys(want)) {
        const error = relativeError(got[name]!, want[name]!);
        assert.ok(error < TOLERANCE, `${name}: relative error ${error.toExponential(2)}`);
      }
    } finally {
      for (const v of [kernel, recurrent, bias, head, labels]) v.dispose();
    }
  });
});

test('thread count comes from RNNSEQ_THREADS, then OMP_NUM_THREADS, then SLURM_CPUS_PER_TASK, then the cores', () => {
  assert.equal(defaultThreadCount({}, 6), 6);
  assert.equal(defaultThreadCount({ SLURM_CPUS_PER_TASK: '4' }, 6), 4);
  assert.equal(defaultThreadCount({ SLURM_CPUS_PER_TASK: '4', OMP_NUM_THREADS: '3' }, 6), 3);
  assert.equal(defaultThreadCount({ SLURM_CPUS_PER_TASK: '4', OMP_NUM_THREADS: '3,2', RNNSEQ_THREADS: '2' }, 6), 2);
  assert.equal(defaultThreadCount({ OMP_NUM_THREADS: '2,1' }, 6), 2);
  assert.equal(defaultThreadCount({ RNNSEQ_THREADS: 'many', OMP_NUM_THREADS: '' }, 6), 6);
});

test('RNNSEQ_ENGINE=ref turns the native kernels off and says why', () => {
  const moduleUrl = new URL('../../src/engine/native-addon.js', import.meta.url).href;
  const script = `import(${JSON.stringify(moduleUrl)}).then((m) => console.log(JSON.stringify(m.nativeStatus())))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, RNNSEQ_ENGINE: 'ref' },
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    encoding: 'utf8',
  });
  const reported = JSON.parse(out) as { available: boolean; reason?: string };
  assert.equal(reported.available, false);
  assert.equal(reported.reason, 'disabled by RNNSEQ_ENGINE=ref');
});

test('training works on the wasm backend too, where kernel outputs are copied into the wasm heap', { skip }, async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  try {
    for (const cell of ['lstm', 'gru'] as const) {
      const p: Problem = { cell, batch: 7, steps: 13, inputSize: 4, hidden: 65, reverse: false, masked: true, seed: 31 };
      withInputs(p, (inputs) => assertClose(evaluate(native!, p, inputs), evaluate(reference, p, inputs), `wasm ${cell}`));
    }
  } finally {
    await useCpuBackend();
  }
});

test("the forward's running maximum (poolMax) and sum (poolSum) are the masked maximum and sum of its outputs", { skip }, (t) => {
  const addon = loadNativeAddon()!;
  const level = addon.simdLevel();
  t.after(() => addon.setSimdLevel(level));
  for (const simd of addon.supportedSimdLevels())
    for (const { cell, bounded, label } of VARIANTS) {
      addon.setSimdLevel(simd);
      for (const reverse of [false, true]) {
        const shape: NativeShape = { cell, ...(bounded ? { bounded } : {}), batch: 7, steps: 13, inputSize: 5, hidden: 65, reverse };
        const { batch: B, steps: T, inputSize: D, hidden: H } = shape;
        const GH = gateCount(cell) * H;
        const mask = maskFor({ ...shape, masked: true, seed: 4 });
        const common = {
          ...shape,
          x: randomArray(B * T * D, 1),
          mask,
          h0: randomArray(B * H, 2, 0.5),
          ...(hasCellState(cell) ? { c0: randomArray(B * H, 3, 0.5), cT: new Float32Array(B * H) } : {}),
          kernel: randomArray(D * GH, 5, 0.5),
          recurrent: randomArray(H * GH, 6, 0.5),
          bias: randomArray(GH, 7, 0.5),
          hT: new Float32Array(B * H),
        };
        const out = new Float32Array(B * T * H);
        addon.forward({ ...common, out });
        const expected = new Float32Array(B * H).fill(-1e9);
        for (let b = 0; b < B; b++)
          for (let t = 0; t < T; t++)
            if (mask[b * T + t] !== 0)
              for (let j = 0; j < H; j++) expected[b * H + j] = Math.max(expected[b * H + j]!, out[(b * T + t) * H + j]!);
        const withOut = new Float32Array(B * H).fill(-1e9);
        const outAgain = new Float32Array(B * T * H);
        addon.forward({ ...common, out: outAgain, poolMax: withOut });
        assert.deepEqual(outAgain, out, `${label}: outputs unchanged by poolMax`);
        const alone = new Float32Array(B * H).fill(-1e9);
        addon.forward({ ...common, poolMax: alone });
        assert.deepEqual(withOut, expected, `${simd} ${label}, reverse ${reverse}: poolMax`);
        assert.deepEqual(alone, expected, `${simd} ${label}, reverse ${reverse}: poolMax without outputs`);
        assert.ok(expected.some((v) => v === -1e9) && expected.some((v) => v !== -1e9), 'an empty row and real ones');
        // The running sum: float32 additions in the order the sweep visits the steps (backwards when reversed).
        const sum = new Float32Array(B * H);
        for (let b = 0; b < B; b++)
          for (let i = 0; i < T; i++) {
            const t = reverse ? T - 1 - i : i;
            if (mask[b * T + t] !== 0)
              for (let j = 0; j < H; j++) sum[b * H + j] = Math.fround(sum[b * H + j]! + out[(b * T + t) * H + j]!);
          }
        const sumAlone = new Float32Array(B * H);
        addon.forward({ ...common, poolSum: sumAlone });
        assert.deepEqual(sumAlone, sum, `${simd} ${label}, reverse ${reverse}: poolSum without outputs`);
      }
    }
  // Training needs the per-step outputs (its caller pools and backpropagates through them): they cannot be left
  // out there; in inference they can, the last state alone (hT) being what a last-state head reads.
  const shape: NativeShape = { cell: 'lstm', batch: 2, steps: 3, inputSize: 4, hidden: 5, reverse: false };
  const args = {
    ...shape,
    x: randomArray(24, 1),
    h0: new Float32Array(10),
    c0: new Float32Array(10),
    kernel: randomArray(80, 2, 0.5),
    recurrent: randomArray(100, 3, 0.5),
    bias: new Float32Array(20),
  };
  const withOutputs = { hT: new Float32Array(10), cT: new Float32Array(10) };
  addon.forward({ ...args, ...withOutputs, out: new Float32Array(30) });
  const stateOnly = { hT: new Float32Array(10), cT: new Float32Array(10) };
  addon.forward({ ...args, ...stateOnly });
  assert.deepEqual(stateOnly.hT, withOutputs.hT);
  assert.ok(stateOnly.hT.some((v) => v !== 0));
  assert.throws(
    () => addon.forward({ ...args, ...stateOnly, poolMax: new Float32Array(10), workspace: new Float32Array(addon.workspaceSize(shape)) }),
    /out/,
  );
});

test('sweeps in one forward call give what separate calls give; overlapping outputs are refused', { skip }, () => {
  const addon = loadNativeAddon()!;
  for (const batch of [1, 7]) {
    for (const train of [false, true]) {
      const sweeps = (['lstm', 'gru'] as const).map((cell, k) => {
        const shape: NativeShape = { cell, batch, steps: 13, inputSize: 5, hidden: 33, reverse: k === 1 };
        const gates = gateCount(cell) * 33;
        return {
          ...shape,
          x: randomArray(batch * 13 * 5, 10 + k),
          h0: randomArray(batch * 33, 20 + k, 0.5),
          ...(hasCellState(cell) ? { c0: randomArray(batch * 33, 30 + k, 0.5), cT: new Float32Array(batch * 33) } : {}),
          kernel: randomArray(5 * gates, 40 + k, 0.5),
          recurrent: randomArray(33 * gates, 50 + k, 0.5),
          bias: randomArray(gates, 60 + k, 0.5),
          out: new Float32Array(batch * 13 * 33),
          hT: new Float32Array(batch * 33),
          ...(train ? { workspace: new Float32Array(addon.workspaceSize(shape)) } : {}),
        };
      });
      const separate = sweeps.map((s) => ({
        ...s,
        out: new Float32Array(s.out.length),
        hT: new Float32Array(s.hT.length),
        ...(s.cT ? { cT: new Float32Array(s.cT.length) } : {}),
        ...(s.workspace ? { workspace: new Float32Array(s.workspace.length) } : {}),
      }));
      addon.forward(sweeps);
      for (const s of separate) addon.forward(s);
      sweeps.forEach((s, k) => {
        const label = `batch ${batch}, ${train ? 'training' : 'inference'}, sweep ${k}`;
        assert.deepEqual(s.out, separate[k]!.out, `${label}: outputs`);
        assert.deepEqual(s.hT, separate[k]!.hT, `${label}: hT`);
        if (s.workspace) assert.deepEqual(s.workspace, separate[k]!.workspace, `${label}: workspace`);
        assert.ok(s.out.some((v) => v !== 0));
      });
    }
  }
  const shape: NativeShape = { cell: 'rnn', batch: 2, steps: 3, inputSize: 4, hidden: 5, reverse: false };
  const one = {
    ...shape,
    x: randomArray(24, 1),
    h0: new Float32Array(10),
    kernel: randomArray(20, 2),
    recurrent: randomArray(25, 3),
    bias: new Float32Array(5),
    out: new Float32Array(30),
    hT: new Float32Array(10),
  };
  assert.throws(() => addon.forward([one, { ...one, reverse: true }]), /writes where another/);
  // One sweep reading what the other writes is refused too.
  assert.throws(
    () => addon.forward([one, { ...one, x: one.out.subarray(0, 24), out: new Float32Array(30), hT: new Float32Array(10) }]),
    /writes where another/,
  );
});
