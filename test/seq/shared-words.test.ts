import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/seq/random.js';
import { FAMILY_WORD, canonicalWords, sharedWordOffset, sharedWordPairShare } from '../../src/seq/shared-words.js';

const CODES: Record<string, number> = { A: 0, C: 1, G: 2, T: 3 };

function encode(seq: string): Float32Array {
  const out = new Float32Array(seq.length * 4);
  [...seq].forEach((c, t) => {
    if (c in CODES) out[t * 4 + CODES[c]!] = 1;
    else out.fill(0.25, t * 4, t * 4 + 4); // N
  });
  return out;
}

const revcomp = (s: string) =>
  [...s]
    .reverse()
    .map((c) => ({ A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' })[c]!)
    .join('');

function randomSeq(random: Random, n: number): string {
  return Array.from({ length: n }, () => 'ACGT'[random.int(4)]).join('');
}

test('canonical 12-mers: a sequence and its reverse complement have the same words, and an N breaks the words spanning it', () => {
  const random = new Random(3);
  const seq = randomSeq(random, 60);
  const words = canonicalWords(encode(seq), 4);
  assert.equal(words.size, 60 - FAMILY_WORD + 1, 'random 60 bp: every word distinct');
  assert.deepEqual([...canonicalWords(encode(revcomp(seq)), 4)].sort(), [...words].sort());
  const broken = `${seq.slice(0, 30)}N${seq.slice(31)}`;
  assert.equal(canonicalWords(encode(broken), 4).size, 60 - FAMILY_WORD + 1 - FAMILY_WORD);
  // the words are those of the string, either strand
  const word = seq.slice(5, 5 + FAMILY_WORD);
  const code = (s: string) => [...s].reduce((v, c) => v * 4 + CODES[c]!, 0);
  assert.ok(words.has(Math.min(code(word), code(revcomp(word)))));
});

test('copies of one family share 12-mers pair by pair, unrelated sequences almost never', () => {
  const random = new Random(8);
  const family = randomSeq(random, 300);
  const copy = () => {
    const s = [...family].map((c) => (random.next() < 0.15 ? 'ACGT'.replace(c, '')[random.int(3)]! : c)).join('');
    return random.int(2) ? s : revcomp(s);
  };
  const copies = Array.from({ length: 80 }, () => encode(copy()));
  const unrelated = Array.from({ length: 80 }, () => encode(randomSeq(random, 300)));
  const familyShare = sharedWordPairShare(copies, 4, new Random(1));
  const randomShare = sharedWordPairShare(unrelated, 4, new Random(1));
  assert.ok(familyShare > 0.5, `copies: ${familyShare}`);
  assert.ok(randomShare < 0.01, `unrelated: ${randomShare}`);
  assert.equal(sharedWordPairShare(copies.slice(0, 1), 4, new Random(1)), 0, 'one sequence: no pairs');
  assert.equal(sharedWordPairShare(copies, 4, new Random(1)), familyShare, 'seeded');
});

test('the shift between copies: about 0 where every copy was cut at one place (either strand), the spread of the cuts where not', () => {
  const random = new Random(12);
  const family = randomSeq(random, 200);
  const mutate = (s: string) => [...s].map((c) => (random.next() < 0.08 ? 'ACGT'[random.int(4)]! : c)).join('');
  const flank = (n: number) => randomSeq(random, n);
  // 60 copies in 240 bp windows: cut at one place (20 bp of flank each side), or anywhere from 0 to 40 bp in
  const cut = (start: number) => {
    const copy = mutate(family);
    const window = flank(start) + copy + flank(40 - start);
    return random.int(2) ? window : revcomp(window);
  };
  const aligned = Array.from({ length: 60 }, () => encode(cut(20)));
  const spread = Array.from({ length: 60 }, () => encode(cut(random.int(41))));
  assert.equal(sharedWordOffset(aligned, 4, new Random(1)), 0);
  const apart = sharedWordOffset(spread, 4, new Random(1))!;
  assert.ok(apart >= 8 && apart <= 20, `copies up to 40 bp apart: median shift ${apart}`);
  // Unrelated sequences share too few words to say.
  assert.equal(
    sharedWordOffset(
      Array.from({ length: 60 }, () => encode(flank(240))),
      4,
      new Random(1),
    ),
    undefined,
  );
});
