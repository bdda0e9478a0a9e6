/**
 * train --background (src/commands/train/background-shuffles.ts): which class is the background, and the shuffles of
 * its training sequences that join it: one per sequence, each keeping the k-lets of its original, deterministic for
 * a seed, other classes untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backgroundClass, withShuffledBackground } from '../../src/commands/train/background-shuffles.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { randomBases } from '../scan/scan-helpers.js';

test('--background auto takes the one class with a background name; a name given must exist; none is off', () => {
  assert.equal(backgroundClass('auto', ['te', 'bg']), 1);
  assert.equal(backgroundClass('auto', ['Background', 'enhancer']), 0, 'any case');
  assert.equal(backgroundClass('auto', ['Oct4', 'MafK']), undefined, 'no background name: none');
  assert.equal(backgroundClass('auto', ['none', 'other', 'site']), undefined, 'two background names: ambiguous, none');
  assert.equal(backgroundClass('MafK', ['Oct4', 'MafK']), 1);
  assert.equal(backgroundClass('none', ['te', 'bg']), undefined);
  assert.throws(() => backgroundClass('bkg', ['te', 'bg']), /--background bkg: no class of that name \(classes: te, bg\)/);
});

/** The sequence an encoded item spells (one-hot rows). */
function decode(encoded: Float32Array): string {
  let out = '';
  for (let t = 0; t < encoded.length / 4; t++) out += 'ACGT'[encoded.subarray(t * 4, t * 4 + 4).indexOf(1)];
  return out;
}

function counts(sequence: string, k: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + k <= sequence.length; i++) out.set(sequence.slice(i, i + k), (out.get(sequence.slice(i, i + k)) ?? 0) + 1);
  return out;
}

test('the background class gains one k-let shuffle of each of its sequences, labelled background; the rest is unchanged', () => {
  const dna = getAlphabet('dna');
  const sequences = Array.from({ length: 12 }, (_, i) => randomBases(300, 40 + i));
  const set = {
    items: sequences.map((s) => encodeSequence(s, dna, null)),
    labels: Int32Array.from(sequences, (_, i) => (i % 3 === 0 ? 0 : 1)),
  };
  const { set: out, k, added } = withShuffledBackground(set, 1, 4, 5);
  assert.equal(k, 4, '300 bp sequences keep 4-lets, as the null shuffles them');
  assert.equal(added, 8);
  assert.equal(out.items.length, 20);
  assert.deepEqual(Array.from(out.labels!.subarray(0, 12)), Array.from(set.labels));
  assert.ok(out.labels!.subarray(12).every((l) => l === 1));
  const backgroundSources = sequences.filter((_, i) => i % 3 !== 0);
  out.items.slice(12).forEach((item, j) => {
    const shuffled = decode(item.encoded);
    assert.notEqual(shuffled, backgroundSources[j], 'a shuffle, not a copy');
    assert.deepEqual(counts(shuffled, 4), counts(backgroundSources[j]!, 4), 'every 4-let kept');
    assert.equal(shuffled[0], backgroundSources[j]![0], 'an Eulerian walk starts where its original does');
  });
  const again = withShuffledBackground(set, 1, 4, 5);
  assert.deepEqual(
    again.set.items.map((i) => decode(i.encoded)),
    out.items.map((i) => decode(i.encoded)),
    'same seed, same shuffles',
  );
  const other = withShuffledBackground(set, 1, 4, 6);
  assert.notDeepEqual(
    other.set.items.slice(12).map((i) => decode(i.encoded)),
    out.items.slice(12).map((i) => decode(i.encoded)),
  );
});
