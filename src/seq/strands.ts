/** Which strands of a double-stranded sequence a model reads: both (the reverse complement too), or one. */
export const STRAND_MODES = ['both', '+', '-'] as const;
export type StrandMode = (typeof STRAND_MODES)[number];

/** How a window's (or a base's) two strand probabilities become one. */
export const RC_COMBINES = ['max', 'mean'] as const;
export type RcCombine = (typeof RC_COMBINES)[number];

/** One probability from a window's two strands, as --rc-combine says. */
export function combineStrands(forward: number, reverse: number, how: RcCombine): number {
  return how === 'max' ? Math.max(forward, reverse) : (forward + reverse) / 2;
}
