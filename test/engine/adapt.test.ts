import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engine/gradients.js';
import type { Architecture } from '../../src/engine/architecture.js';
import { itemBits } from '../../src/engine/adapt.js';
import { nextSymbolClasses } from '../../src/engine/objective.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';
import { type EncodedSequence, packBatch } from '../../src/seq/batch.js';
import { Random } from '../../src/seq/random.js';
import { useCpuBackend } from '../helpers.js';

await useCpuBackend();

const LM: Architecture = {
  cell: 'lstm',
  inputSize: 4,
  hiddenSize: 6,
  layers: 1,
  bidirectional: false,
  dropout: 0,
  pool: 'mean',
  numClasses: 4,
  task: 'lm',
};

/** Ragged one-hot items, some shorter than four times the burn-in, one with an N inside the burn-in and one after. */
function items(count: number, seed: number): EncodedSequence[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = 6 + random.int(40);
    const encoded = new Float32Array(length * 4);
    for (let t = 0; t < length; t++) encoded[t * 4 + random.int(4)] = 1;
    if (i === 1) encoded.fill(0.25, 2 * 4, 3 * 4);
    if (i === 2) encoded.fill(0.25, (length - 2) * 4, (length - 1) * 4);
    return { encoded, length };
  });
}

/** One item's -log2 p at each position that predicts a definite next residue, scored alone (a batch of one). */
function positionBits(model: SequenceModel, item: EncodedSequence): Array<number | undefined> {
  const batch = packBatch([item], LM.inputSize);
  const targets = nextSymbolClasses(batch, [item.length]);
  const nats = model.positionLosses(batch, targets);
  return Array.from(targets, (k, t) => (k < 0 ? undefined : nats[t]! / Math.LN2));
}

for (const burnIn of [0, 5]) {
  test(`itemBits with burn-in ${burnIn}: each item's bits and counted positions, in any batch, skip at most a quarter of a short item`, () => {
    const model = SequenceModel.create(
      { alphabet: 'dna', classes: ['A', 'C', 'G', 'T'], architecture: LM, inputLength: null },
      3,
      new ReferenceCore(),
    );
    const sample = items(11, 7);
    const scored = itemBits(model, sample, 4, burnIn);
    sample.forEach((item, i) => {
      const skip = Math.min(burnIn, Math.floor(item.length / 4));
      const kept = positionBits(model, item)
        .slice(skip)
        .filter((b): b is number => b !== undefined);
      assert.equal(scored.positions[i], kept.length, `item ${i} (length ${item.length}) positions`);
      const expected = kept.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(scored.bits[i]! - expected) < 1e-3 * Math.max(1, expected), `item ${i}: ${scored.bits[i]} vs ${expected}`);
    });
    // Burn-in must actually drop positions from long items, and leave the shortest ones most of theirs.
    if (burnIn > 0) {
      const whole = itemBits(model, sample, 4, 0);
      sample.forEach((item, i) => {
        const dropped = whole.positions[i]! - scored.positions[i]!;
        assert.ok(dropped <= Math.min(burnIn, Math.floor(item.length / 4)), `item ${i} dropped ${dropped}`);
        if (item.length >= 4 * burnIn && i !== 1) assert.equal(dropped, burnIn, `item ${i} (length ${item.length})`);
      });
    }
    model.dispose();
  });
}
