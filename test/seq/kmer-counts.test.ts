import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import {
  countKmers,
  kmerColumnCount,
  kmerName,
  symbolCodesOf,
  symbolCodesOfEncoded,
  type KmerSpec,
  type SparseRows,
} from '../../src/seq/kmer-counts.js';
import { Random } from '../../src/seq/random.js';

const dna = getAlphabet('dna');
const rna = getAlphabet('rna');
const protein = getAlphabet('protein');

function row(counts: SparseRows, i: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let p = counts.rowStart[i]!; p < counts.rowStart[i + 1]!; p++) out.set(counts.column[p]!, counts.value[p]!);
  return out;
}

function named(seq: string, spec: KmerSpec, alphabet = dna): Record<string, number> {
  const counts = countKmers([symbolCodesOf(seq, alphabet)], spec, alphabet.size);
  return Object.fromEntries([...row(counts, 0)].map(([column, n]) => [kmerName(column, spec, alphabet), n]));
}

function reverseComplement(seq: string): string {
  const pair: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
  return [...seq]
    .reverse()
    .map((b) => pair[b]!)
    .join('');
}

test('forward 2-mers of a short sequence, lower case and U read as DNA symbols', () => {
  assert.deepEqual(named('ACGTA', { k: 2, strands: 'forward' }), { AC: 1, CG: 1, GT: 1, TA: 1 });
  assert.deepEqual(named('acgua', { k: 2, strands: 'forward' }), { AC: 1, CG: 1, GT: 1, TA: 1 });
  assert.deepEqual(named('AAAA', { k: 3, strands: 'forward' }), { AAA: 2 });
});

test('an N or an ambiguity code breaks the k-mers spanning it', () => {
  assert.deepEqual(named('ACNGT', { k: 2, strands: 'forward' }), { AC: 1, GT: 1 });
  assert.deepEqual(named('ACRGT', { k: 2, strands: 'forward' }), { AC: 1, GT: 1 });
  assert.deepEqual(named('ANA', { k: 2, strands: 'forward' }), {});
});

test('canonical counts merge a k-mer with its reverse complement', () => {
  assert.deepEqual(named('AAAA', { k: 2, strands: 'canonical' }), { AA: 3 });
  assert.deepEqual(named('TTTT', { k: 2, strands: 'canonical' }), { AA: 3 });
  assert.deepEqual(named('ACGT', { k: 2, strands: 'canonical' }), { AC: 2, CG: 1 }); // GT is AC's reverse complement
});

test('a sequence and its reverse complement have the same canonical counts, for every k', () => {
  const random = new Random(7);
  for (let trial = 0; trial < 20; trial++) {
    const seq = Array.from({ length: 30 + random.int(40) }, () => 'ACGTN'[random.int(5)]).join('');
    for (let k = 1; k <= 6; k++) {
      const spec: KmerSpec = { k, strands: 'canonical' };
      const counts = countKmers([symbolCodesOf(seq, dna), symbolCodesOf(reverseComplement(seq), dna)], spec, 4);
      assert.deepEqual(row(counts, 0), row(counts, 1), `${seq} k=${k}`);
    }
  }
});

test('canonical column counts match the number of distinct canonical k-mers', () => {
  for (let k = 1; k <= 6; k++) {
    const spec: KmerSpec = { k, strands: 'canonical' };
    const all: string[] = [];
    const names = new Set<string>();
    for (let index = 0; index < 4 ** k; index++) {
      let kmer = '';
      for (let i = 0, rest = index; i < k; i++, rest = Math.floor(rest / 4)) kmer = 'ACGT'[rest % 4] + kmer;
      all.push(kmer);
      names.add([kmer, reverseComplement(kmer)].sort()[0]!);
    }
    assert.equal(kmerColumnCount(spec, 4), names.size, `k=${k}`);
    const counts = countKmers(
      all.map((s) => symbolCodesOf(s, dna)),
      spec,
      4,
    );
    assert.equal(Math.max(...counts.column) + 1, names.size);
    for (let i = 0; i < all.length; i++)
      assert.equal(kmerName(counts.column[i]!, spec, dna), [all[i]!, reverseComplement(all[i]!)].sort()[0]);
  }
});

test('protein k-mers use 20 symbols and a stop breaks them', () => {
  assert.deepEqual(named('MKV*MK', { k: 2, strands: 'forward' }, protein), { MK: 2, KV: 1 });
  assert.equal(kmerColumnCount({ k: 3, strands: 'forward' }, 20), 8000);
  assert.throws(() => countKmers([symbolCodesOf('MK', protein)], { k: 2, strands: 'canonical' }, 20), /nucleotides/);
});

test('encoded sequences read back to the same symbols, ambiguity codes and padding as -1', () => {
  for (const [alphabet, seq] of [
    [dna, 'ACGTNRacgt'],
    [rna, 'ACGUNacgu'],
    [protein, 'MKVXBLW'],
  ] as const) {
    const item = encodeSequence(seq, alphabet, null);
    assert.deepEqual(Array.from(symbolCodesOfEncoded(item, alphabet.size)), Array.from(symbolCodesOf(seq, alphabet)));
  }
  const zeros = { encoded: new Float32Array(8), length: 2 }; // padding rows are all zero
  assert.deepEqual(Array.from(symbolCodesOfEncoded(zeros, 4)), [-1, -1]);
});
