/** Shape checks shared by the generated protein-family tasks' tests (protein-families, protein-remote). */
import assert from 'node:assert/strict';
import { AMINO_ACIDS } from '../../bench/quality/protein-families.js';
import type { BenchTask } from '../../bench/quality/tasks.js';

/** Inclusive bounds on every member's length and exclusive ones on the training split's mean length. */
export interface LengthBounds {
  min: number;
  max: number;
  meanAbove: number;
  meanBelow: number;
}

function countsByLabel(records: ReadonlyArray<{ label: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return counts;
}

/** Seed 1 of `task`: 12 families x 30 members in each split, protein letters only, lengths within `bounds`. */
export async function assertFamilySplits(task: BenchTask, bounds: LengthBounds): Promise<void> {
  const { train, test: held } = await task.load('', 1);
  assert.equal(task.alphabet, 'protein');
  assert.equal(task.metric, 'accuracy');
  const labels = Array.from({ length: 12 }, (_, i) => `fam${String(i).padStart(2, '0')}`);
  for (const split of [train, held]) {
    assert.equal(split.length, 360);
    const counts = countsByLabel(split);
    assert.deepEqual([...counts.keys()].sort(), labels);
    for (const label of labels) assert.equal(counts.get(label), 30, label);
    for (const r of split) {
      assert.match(r.sequence, new RegExp(`^[${AMINO_ACIDS}]+$`));
      assert.ok(r.sequence.length >= bounds.min && r.sequence.length <= bounds.max, `length ${r.sequence.length}`);
    }
  }
  const mean = train.reduce((sum, r) => sum + r.sequence.length, 0) / train.length;
  assert.ok(mean > bounds.meanAbove && mean < bounds.meanBelow, `mean length ${mean}`);
}

/** `task` regenerates seed 1 exactly, draws other records for seed 2, and never copies a training member into test. */
export async function assertRegenerates(task: BenchTask): Promise<void> {
  const first = await task.load('', 1);
  assert.deepEqual(await task.load('', 1), first);
  const other = await task.load('', 2);
  assert.notDeepEqual(other.train, first.train);
  assert.notDeepEqual(other.test, first.test);
  const trainSequences = new Set(first.train.map((r) => r.sequence));
  assert.ok(first.test.every((r) => !trainSequences.has(r.sequence)));
}
