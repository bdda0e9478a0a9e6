/**
 * The generated protein-family task (bench/quality/protein-families.ts): a point regenerates exactly from its seed,
 * has the promised shape (12 families, 30 train and 30 test members each), and holds only protein letters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMINO_ACIDS, mutate } from '../../bench/quality/protein-families.js';
import { findTask } from '../../bench/quality/tasks.js';
import { Random } from '../../src/seq/random.js';

const task = findTask('protein-families');

function countsByLabel(records: ReadonlyArray<{ label: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return counts;
}

test('protein-families regenerates the same records for a seed and different ones for another seed', async () => {
  const first = await task.load('', 1);
  const again = await task.load('', 1);
  const other = await task.load('', 2);
  assert.deepEqual(again, first);
  assert.notDeepEqual(other.train, first.train);
  assert.notDeepEqual(other.test, first.test);
  // the test members are not copies of the training members
  const trainSequences = new Set(first.train.map((r) => r.sequence));
  assert.ok(first.test.every((r) => !trainSequences.has(r.sequence)));
});

test('protein-families holds 12 families x 30 members per split, protein letters only, lengths near 120-300', async () => {
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
      // a 120-300 root, ~5% longer after two rounds of indels, cut by up to 1/4, padded by up to 80
      assert.ok(r.sequence.length >= 60 && r.sequence.length <= 480, `length ${r.sequence.length}`);
    }
  }
  const lengths = train.map((r) => r.sequence.length);
  const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  assert.ok(mean > 150 && mean < 300, `mean length ${mean}`);
});

test('mutate copies at rate 0 without indels, keeps the length without indels, and changes about the rate', () => {
  const random = new Random(7);
  const sequence = AMINO_ACIDS.repeat(50);
  assert.equal(mutate(sequence, 0, 0, random), sequence);
  const substituted = mutate(sequence, 0.3, 0, random);
  assert.equal(substituted.length, sequence.length);
  const changed = [...substituted].filter((c, i) => c !== sequence[i]).length / sequence.length;
  // 30% substituted, some back to the same residue (within a group, or a background draw)
  assert.ok(changed > 0.15 && changed < 0.3, `changed ${changed}`);
});
