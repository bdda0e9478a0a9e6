import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slabFloats } from '../../src/seq/float-slab.js';

test('slab arrays are zero-filled, of the asked length, and never overlap one another', () => {
  const arrays = Array.from({ length: 3000 }, (_, i) => slabFloats(1 + ((i * 37) % 400)));
  arrays.forEach((a, i) => {
    assert.equal(a.length, 1 + ((i * 37) % 400));
    assert.ok(a.every((v) => v === 0));
  });
  // Writing a distinct value everywhere and reading it back proves that no two share a float.
  arrays.forEach((a, i) => a.fill(i + 1));
  arrays.forEach((a, i) =>
    assert.ok(
      a.every((v) => v === i + 1),
      `array ${i} was overwritten`,
    ),
  );
  // A large request gets an array of its own.
  const big = slabFloats(1 << 20);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, 4 << 20);
});
