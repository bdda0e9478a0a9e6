import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { AS_READ, orientEncoded } from '../../src/seq/orientation.js';

function encoded(sequence: string, alphabet: 'dna' | 'rna' | 'protein'): Float32Array {
  return encodeSequence(sequence, getAlphabet(alphabet), null).encoded;
}

test('orientEncoded reverses, complements (ambiguity codes included) and reverse-complements DNA and RNA', () => {
  const cases: Array<[string, 'dna' | 'rna', string, string, string]> = [
    // sequence, alphabet, reversed, complemented, reverse-complemented
    ['AACGTRN', 'dna', 'NRTGCAA', 'TTGCAYN', 'NYACGTT'],
    ['GAUUKM', 'rna', 'MKUUAG', 'CUAAMK', 'KMAAUC'],
  ];
  for (const [sequence, alphabet, reversed, complemented, both] of cases) {
    const channels = getAlphabet(alphabet).size;
    const input = encoded(sequence, alphabet);
    assert.deepEqual(
      orientEncoded(input, channels, { reverse: true, complement: false }),
      encoded(reversed, alphabet),
      `${sequence} reversed`,
    );
    assert.deepEqual(
      orientEncoded(input, channels, { reverse: false, complement: true }),
      encoded(complemented, alphabet),
      `${sequence} complemented`,
    );
    assert.deepEqual(
      orientEncoded(input, channels, { reverse: true, complement: true }),
      encoded(both, alphabet),
      `${sequence} reverse-complemented`,
    );
    assert.equal(orientEncoded(input, channels, AS_READ), input, 'as read is the input itself');
  }
});

test('orientEncoded reverses a protein residue by residue', () => {
  const channels = getAlphabet('protein').size;
  assert.deepEqual(orientEncoded(encoded('MKVW', 'protein'), channels, { reverse: true, complement: false }), encoded('WVKM', 'protein'));
});
