/**
 * Which way round an encoded sequence is shown to a model: as read, reversed, complemented, or both (the reverse
 * complement, the other strand read 5' to 3').
 *
 * The DNA/RNA channel order (A, C, G, T/U) puts every base opposite its complement, so complementing a position
 * is reversing its channels, and the reverse complement is the whole flat array reversed. Ambiguity codes come
 * out right too: R (A or G) becomes Y (C or T), and N stays N. Proteins have no complement; reversing them is
 * still meaningful (a model that learned an N-terminal signal should not find it at the C-terminus).
 */
import { reverseComplementEncoded } from './windows.js';

export interface Orientation {
  reverse: boolean;
  complement: boolean;
}

export const AS_READ: Orientation = { reverse: false, complement: false };

/** The encoded sequence (length × channels) in the given orientation; the input itself when nothing changes. */
export function orientEncoded(encoded: Float32Array, channels: number, orientation: Orientation): Float32Array {
  const { reverse, complement } = orientation;
  if (reverse && complement) return reverseComplementEncoded(encoded);
  if (!reverse && !complement) return encoded;
  const length = encoded.length / channels;
  const out = new Float32Array(encoded.length);
  for (let pos = 0; pos < length; pos++) {
    const from = pos * channels;
    const to = (reverse ? length - 1 - pos : pos) * channels;
    for (let k = 0; k < channels; k++) out[to + (complement ? channels - 1 - k : k)] = encoded[from + k]!;
  }
  return out;
}

/** A short description for logs: 'reverse complement', 'reverse', 'complement' or 'as read'. */
export function describeOrientation(orientation: Orientation): string {
  if (orientation.reverse && orientation.complement) return 'reverse complement';
  if (orientation.reverse) return 'reverse';
  return orientation.complement ? 'complement' : 'as read';
}
