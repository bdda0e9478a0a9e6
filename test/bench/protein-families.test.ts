/**
 * The generated protein-family task (bench/quality/protein-families.ts): a point regenerates exactly from its seed,
 * has the promised shape (12 families, 30 train and 30 test members each), and holds only protein letters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMINO_ACIDS, mutate } from '../../bench/quality/protein-families.js';
import { findTask } from '../../bench/quality/tasks.js';
import { assertFamilySplits, assertRegenerates } from './family-splits.js';
import { Random } from '../../src/seq/random.js';

const task = findTask('protein-families');

test('protein-families regenerates the same records for a seed and different ones for another seed', async () => {
  await assertRegenerates(task);
});

test('protein-families holds 12 families x 30 members per split, protein letters only, lengths near 120-300', async () => {
  // a 120-300 root, ~5% longer after two rounds of indels, cut by up to 1/4, padded by up to 80
  await assertFamilySplits(task, { min: 60, max: 480, meanAbove: 150, meanBelow: 300 });
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
