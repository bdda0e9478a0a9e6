import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CalledRegion } from '../../src/scan/merge.js';
import { cutAtOrigin, foldCalls } from '../../src/scan/origin.js';

const call = (start: number, end: number, windows = 1, maxProb = 0.9): CalledRegion => ({
  start,
  end,
  anchor: start,
  maxProb,
  sumProb: maxProb * windows,
  windows,
});
const lines = (pieces: ReturnType<typeof foldCalls>) =>
  pieces.map(({ piece, folded }) => `${piece.start}-${piece.end} w${piece.windows} a${piece.anchor}${folded ? ' folded' : ''}`);

test('a call open at the end of a circular sequence is cut at the origin, the rest folded back to the start', () => {
  const first = call(50, 80);
  assert.deepEqual(lines(foldCalls([first], call(280, 315, 3), first, 300)), ['50-80 w1 a50', '280-300 w3 a280', '0-15 w3 a280 folded']);
  assert.deepEqual(lines(foldCalls([], call(290, 300), undefined, 300)), ['290-300 w1 a290'], 'ending exactly at the end: one line');
  assert.deepEqual(lines(foldCalls([], call(302, 307), undefined, 300)), ['2-7 w1 a302 folded'], 'a core bin wholly past the end');
});

test('the call crossing the origin joins the first call when it reaches it, sharing its statistics', () => {
  const first = call(5, 40, 2, 0.6);
  const joined = foldCalls([first, call(100, 140)], call(280, 305, 3, 0.95), first, 300);
  assert.deepEqual(lines(joined), ['100-140 w1 a100', '280-300 w5 a280', '0-40 w5 a280 folded']);
  assert.equal(joined[1]!.piece.maxProb, 0.95);
  assert.ok(Math.abs(joined[2]!.piece.sumProb - (0.6 * 2 + 0.95 * 3)) < 1e-12);
  assert.deepEqual(
    lines(foldCalls([first], call(280, 304), first, 300)),
    ['5-40 w2 a5', '280-300 w1 a280', '0-4 w1 a280 folded'],
    'one base short of touching',
  );
  assert.deepEqual(lines(foldCalls([first], call(280, 305), first, 300)).length, 2, 'touching joins, as windows merge');
});

test('a single call reaching its own start one lap on covers the whole circle: one line', () => {
  const only = call(3, 310, 75);
  assert.deepEqual(lines(foldCalls([], only, only, 300)), ['0-300 w75 a3 folded']);
  const short = call(20, 310, 70);
  assert.deepEqual(lines(foldCalls([], short, short, 300)), ['20-300 w70 a20', '0-10 w70 a20 folded'], 'not quite around');
});

test('cutAtOrigin keeps pieces inside the circle', () => {
  assert.deepEqual(cutAtOrigin(10, 20, 100), [[10, 20, false]]);
  assert.deepEqual(cutAtOrigin(95, 105, 100), [
    [95, 100, false],
    [0, 5, true],
  ]);
  assert.deepEqual(cutAtOrigin(100, 104, 100), [[0, 4, true]]);
});
