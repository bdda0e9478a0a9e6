/**
 * The origin of a circular sequence: calls and bins are merged on the unrolled line (position p >= length is base
 * p - length, see src/seq/windows.ts) and folded back onto the circle when the sequence ends. A piece folded back
 * to the start is marked `folded`: it is written first, and by the part that owns window 0 (src/scan/scanner.ts).
 */
import type { CalledRegion } from './merge.js';

export interface FoldedPiece<T> {
  piece: T;
  /** lies at the start because it came from across the origin */
  folded: boolean;
}

/**
 * The calls of a circular sequence as BED lines. `closed`: calls closed before the end, in order; `open`: the call
 * still open at the end; `first`: the first call of the sequence, when it may be joined across the origin. The open
 * call joins the first when it reaches it one lap on (overlapping or touching, as windows merge); a call then
 * covering the whole circle is one line [0, length); any other call is cut at the origin.
 */
export function foldCalls(
  closed: readonly CalledRegion[],
  open: CalledRegion | undefined,
  first: CalledRegion | undefined,
  lengthBp: number,
): Array<FoldedPiece<CalledRegion>> {
  let calls = closed;
  if (open && first && first !== open && open.end >= first.start + lengthBp) {
    calls = closed.filter((region) => region !== first);
    open = {
      start: open.start,
      end: Math.max(open.end, first.end + lengthBp),
      anchor: open.anchor,
      maxProb: Math.max(open.maxProb, first.maxProb),
      sumProb: open.sumProb + first.sumProb,
      windows: open.windows + first.windows,
      ...(first.maxProb > open.maxProb
        ? first.summit !== undefined
          ? { summit: first.summit + lengthBp }
          : {}
        : open.summit !== undefined
          ? { summit: open.summit }
          : {}),
    };
  }
  if (open) calls = [...calls, open];
  const pieces: Array<FoldedPiece<CalledRegion>> = [];
  for (const region of calls) {
    if (region.end - region.start >= lengthBp) {
      pieces.push({
        piece: { ...region, ...(region.summit === undefined ? {} : { summit: region.summit % lengthBp }), start: 0, end: lengthBp },
        folded: true,
      });
      continue;
    }
    // Summits are on the unrolled line too: folded back with the piece (writers clamp one outside its piece).
    const summit = region.summit === undefined ? {} : { summit: region.summit % lengthBp };
    for (const [start, end, folded] of cutAtOrigin(region.start, region.end, lengthBp))
      pieces.push({ piece: { ...region, ...summit, start, end }, folded });
  }
  return pieces;
}

/** [start, end) on the unrolled line as at most two pieces on the circle: before the origin, and folded back. */
export function cutAtOrigin(start: number, end: number, lengthBp: number): Array<[number, number, boolean]> {
  const pieces: Array<[number, number, boolean]> = [];
  if (start < lengthBp) pieces.push([start, Math.min(end, lengthBp), false]);
  if (end > lengthBp) pieces.push([Math.max(start, lengthBp) - lengthBp, end - lengthBp, true]);
  return pieces;
}
