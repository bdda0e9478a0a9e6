import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestKnown, parseKnownMotifs } from '../../src/explain/known-motifs.js';

test('known motifs are read from bracketed and bare JASPAR text, and matched on either strand', () => {
  const known = parseKnownMotifs(
    '>MA1 Foo bar\nA [ 1 0 ]\nC [ 0 1 ]\nG [ 0 0 ]\nT [ 0 0 ]\n\n>MA2 Tbx\n0\t0\t5\n5 0 0\n0 5 0\n0 0 0\n',
    'k.jaspar',
  );
  assert.deepEqual(
    known.map((m) => [m.id, m.name, m.counts.length]),
    [
      ['MA1', 'Foo bar', 2],
      ['MA2', 'Tbx', 3],
    ],
  );
  assert.deepEqual(known[1]!.counts[0], [0, 5, 0, 0]);
  // CGA read backwards and complemented is TCG
  const match = closestKnown(
    [
      [0, 0, 0, 7],
      [0, 7, 0, 0],
      [0, 0, 7, 0],
    ],
    known,
  )!;
  assert.equal(match.known.id, 'MA2');
  assert.equal(match.strand, '-');
  assert.ok(match.correlation > 0.99);
});

test('a malformed known-motif file is named with its line', () => {
  assert.throws(() => parseKnownMotifs('A [ 1 2 ]\n', 'k.txt'), /k\.txt:1: expected a '>ID NAME' motif header/);
  assert.throws(() => parseKnownMotifs('>M1 x\n1 2\n3 4\n5 6\n', 'k.txt'), /k\.txt:1: record 'M1': expected 4 rows \(A C G T\), got 3/);
  assert.throws(() => parseKnownMotifs('>M1 x\n1 2\n3 x\n', 'k.txt'), /k\.txt:3: record 'M1': not a row of counts: '3 x'/);
});
