import seedrandom from 'seedrandom';
import type { NativeAddon } from './native-addon.js';

/**
 * tf.dropout's masks without TensorFlow.js: tf.randomUniform(shape, 0, 1, 'float32', seed) draws from
 * seedrandom's Alea generator seeded with String(seed), and the multiplier is floor(u + keep) / keep in float32.
 * Drawing them through tfjs cost a sixth of the recipe's native step (a tensor, three ops and a read back per
 * mask); the addon draws the same stream (src/native/step_ops.cc) from the state seedrandom's own Alea starts in.
 */

/** Alea's starting state for `seed`, [s0, s1, s2, carry], as seedrandom.alea(String(seed)) sets it up. */
export function aleaState(seed: number): Float64Array {
  // seedrandom 3 returns the generator's fields; its type declarations leave the state opaque.
  const state = seedrandom.alea(String(seed), { state: true }).state() as { s0: number; s1: number; s2: number; c: number };
  return Float64Array.of(state.s0, state.s1, state.s2, state.c);
}

/**
 * The dropout multipliers tf.dropout(x, rate, undefined, seed) applies to `out.length` elements, into `out`;
 * `x`, when given, is multiplied by them in place (tf.dropout's output).
 */
export function drawDropout(addon: NativeAddon, out: Float32Array, rate: number, seed: number, x?: Float32Array): Float32Array {
  addon.dropoutMultiplier({ out, rate, alea: aleaState(seed), ...(x ? { scale: x } : {}) });
  return out;
}
