import type { NativeAddon } from './native-addon.js';

/**
 * tf.dropout's masks without TensorFlow.js: tf.randomUniform(shape, 0, 1, 'float32', seed) draws from
 * seedrandom's Alea generator seeded with String(seed), and the multiplier is floor(u + keep) / keep in float32.
 * Drawing them through tfjs cost a sixth of the recipe's native step (a tensor, three ops and a read back per
 * mask); the addon draws the same stream (src/native/step_ops.cc), and this file computes where it starts.
 */

/** Alea's starting state for `seed`, [s0, s1, s2, carry], as seedrandom.alea(String(seed)) sets it up. */
export function aleaState(seed: number): Float64Array {
  const mash = mashHash();
  const blank = [mash(' '), mash(' '), mash(' ')];
  const text = String(seed);
  const lags = blank.map((lag) => {
    const value = lag - mash(text);
    return value < 0 ? value + 1 : value;
  });
  return Float64Array.of(lags[0]!, lags[1]!, lags[2]!, 1);
}

/**
 * Baagøe's Mash: a running hash over the characters that keeps its state between calls, each call giving a
 * fraction in [0, 1) with 32 significant bits. The arithmetic is in doubles, exactly as the generator's
 * JavaScript seeding does it, so the fractions are the same bits.
 */
function mashHash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * 2.3283064365386963e-10;
  };
}

/**
 * The dropout multipliers tf.dropout(x, rate, undefined, seed) applies to `out.length` elements, into `out`;
 * `x`, when given, is multiplied by them in place (tf.dropout's output).
 */
export function drawDropout(addon: NativeAddon, out: Float32Array, rate: number, seed: number, x?: Float32Array): Float32Array {
  addon.dropoutMultiplier({ out, rate, alea: aleaState(seed), ...(x ? { scale: x } : {}) });
  return out;
}
