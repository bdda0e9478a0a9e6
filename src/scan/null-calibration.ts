/**
 * The stored null for every way scan can score a window: '+' (forward), '-' (reverse complement), and the two
 * strands combined by max or mean (src/scan/scanner.ts combineStrands), each from the same background windows
 * scored on both strands. Storing all four lets scan apply any --strand / --rc-combine later.
 */
import { type NullDistribution, nullKey } from '../engine/null-spec.js';
import { buildNullDistribution } from './null-model.js';
import { combineStrands } from '../seq/strands.js';

/** `forward[i]`, `reverse[i]`: window i's probability of the class on each strand (reverse absent: protein). */
export function strandDistributions(
  positiveClass: string,
  forward: Float32Array,
  reverse: Float32Array | undefined,
): Record<string, NullDistribution> {
  const out: Record<string, NullDistribution> = { [nullKey(positiveClass, '+')]: buildNullDistribution(forward) };
  if (!reverse) return out;
  out[nullKey(positiveClass, '-')] = buildNullDistribution(reverse);
  out[nullKey(positiveClass, 'both-max')] = buildNullDistribution(forward.map((f, i) => combineStrands(f, reverse[i]!, 'max')));
  out[nullKey(positiveClass, 'both-mean')] = buildNullDistribution(forward.map((f, i) => combineStrands(f, reverse[i]!, 'mean')));
  return out;
}
