/**
 * The generated promoter task (bench/quality/synthetic.ts): half the records carry degenerate -35 and -10 boxes
 * near their promised places, the rest none, and a point regenerates exactly from its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMOTER_BOXES, PROMOTER_LENGTH } from '../../bench/quality/synthetic.js';
import { findTask } from '../../bench/quality/tasks.js';

const task = findTask('promoter-boxes');

/** The best count of consensus bases of `box` at any start in [from, to]. */
function bestMatch(sequence: string, box: string, from: number, to: number): number {
  let best = 0;
  for (let at = from; at <= to; at++) best = Math.max(best, [...box].filter((b, i) => sequence[at + i] === b).length);
  return best;
}

test('promoter-boxes: 100 train and 1,000 test records of 57 bp, half promoters, regenerated exactly from the seed', async () => {
  const first = await task.load('', 1);
  assert.deepEqual(await task.load('', 1), first);
  assert.notDeepEqual((await task.load('', 2)).train, first.train);
  assert.equal(first.train.length, 100);
  assert.equal(first.test.length, 1000);
  for (const r of [...first.train, ...first.test]) assert.match(r.sequence, new RegExp(`^[ACGT]{${PROMOTER_LENGTH}}$`));
  assert.equal(first.test.filter((r) => r.label === 'promoter').length, 500);
});

test('promoter-boxes: promoters match the boxes at their places about 9 of 12 times, other records as chance does', async () => {
  const { test: records } = await task.load('', 3);
  const mean = (label: string) => {
    const chosen = records.filter((r) => r.label === label);
    // -10 box starts at 36-38, the -35 box 15-19 bp before it: 9-17
    const total = chosen.reduce(
      (sum, r) => sum + bestMatch(r.sequence, PROMOTER_BOXES.minus10, 36, 38) + bestMatch(r.sequence, PROMOTER_BOXES.minus35, 9, 17),
      0,
    );
    return total / chosen.length;
  };
  const promoters = mean('promoter');
  const others = mean('none');
  assert.ok(promoters > 8.5 && promoters < 10, `promoters ${promoters}`);
  assert.ok(others > 5 && others < 6.2, `others ${others}`);
});
