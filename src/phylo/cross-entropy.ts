import type { Random } from '../seq/random.js';
import type { DistanceMatrix } from './distance.js';
import type { GroupWindows } from './pipeline.js';

/**
 * The model analogue of a compression distance (Li et al. 2004; Cilibrasi & Vitanyi 2005): a language model
 * adapted to group A codes group B's windows in H(B|A) bits per base; the extra cost over B's own model,
 * H(B|A) − H(B|B), is how much B differs from what A taught the model. Symmetrised:
 *
 *   d(A, B) = ½ [ (H(B|A) − H(B|B)) + (H(A|B) − H(A|A)) ],  clamped at 0.
 *
 * Subtracting each group's own code length cancels what makes a group hard to predict in itself (low complexity,
 * skewed composition), which a raw cross-entropy would mistake for distance.
 */

/** Code lengths of a batch of windows under one model. */
export interface WindowBits {
  bits: Float64Array;
  positions: Uint32Array;
}

/** A group's adapted model, as phylo sees it: something that prices windows. */
export interface AdaptedScorer {
  score(windows: string[]): Promise<WindowBits>;
  dispose(): void;
}

/**
 * Adapts a shared model to one group's windows. phylo never sees the model itself (see STYLE: consumers of
 * model output take a function), so the divergence is testable with any compressor-like scorer.
 */
export interface GroupAdapter {
  readonly description: string;
  adapt(windows: string[], group: number): Promise<AdaptedScorer>;
  dispose(): void;
}

/** bits[a][b][w]: window w of group b under group a's model; positions[b][w] does not depend on the model. */
export interface CrossBits {
  names: string[];
  bits: Float64Array[][];
  positions: Uint32Array[];
}

/**
 * Every group's windows under every group's adapted model: one adaptation per group, each scoring all windows in
 * one call (full batches across group boundaries).
 */
export async function crossBits(
  groups: readonly GroupWindows[],
  adapter: GroupAdapter,
  onGroup?: (done: number) => void,
): Promise<CrossBits> {
  const all = groups.flatMap((g) => g.windows);
  const offsets: number[] = [];
  let offset = 0;
  for (const group of groups) {
    offsets.push(offset);
    offset += group.windows.length;
  }
  const split = <T extends Float64Array | Uint32Array>(values: T): T[] =>
    groups.map((g, b) => values.slice(offsets[b]!, offsets[b]! + g.windows.length) as T);
  const bits: Float64Array[][] = [];
  let positions: Uint32Array[] | undefined;
  for (let a = 0; a < groups.length; a++) {
    const scorer = await adapter.adapt(groups[a]!.windows, a);
    try {
      const scored = await scorer.score(all);
      bits.push(split(scored.bits));
      positions ??= split(scored.positions);
    } finally {
      scorer.dispose();
    }
    onGroup?.(a + 1);
  }
  return { names: groups.map((g) => g.name), bits, positions: positions ?? [] };
}

/**
 * The symmetrised excess code length (bits per base) between every pair of groups. `pick[b]`, if given, lists
 * which of group b's windows count (a bootstrap replicate draws them with replacement); by default all do.
 */
export function crossEntropyDistances(table: CrossBits, pick?: readonly (readonly number[])[]): DistanceMatrix {
  const n = table.names.length;
  // rate[a][b] = H(b | a): bits per counted position of b's (picked) windows under a's model.
  const rate = Array.from({ length: n }, () => new Float64Array(n));
  for (let b = 0; b < n; b++) {
    const windows = pick?.[b] ?? Array.from(table.positions[b]!.keys());
    let positions = 0;
    for (const w of windows) positions += table.positions[b]![w]!;
    for (let a = 0; a < n; a++) {
      let bits = 0;
      for (const w of windows) bits += table.bits[a]![b]![w]!;
      rate[a]![b] = positions > 0 ? bits / positions : 0;
    }
  }
  const matrix = Array.from({ length: n }, () => new Float64Array(n));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const excess = (rate[a]![b]! - rate[b]![b]! + (rate[b]![a]! - rate[a]![a]!)) / 2;
      const d = Math.max(0, excess);
      matrix[a]![b] = d;
      matrix[b]![a] = d;
    }
  }
  return matrix;
}

/** One bootstrap replicate: each group's windows drawn with replacement, as many as it has. */
export function resampleWindows(table: CrossBits, random: Random): number[][] {
  return table.positions.map((windows) => Array.from({ length: windows.length }, () => random.int(windows.length)));
}
