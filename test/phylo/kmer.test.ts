import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { createKmerFeaturizer, maxKmerLength } from '../../src/phylo/kmer.js';

const dna = getAlphabet('dna');
const index = (kmer: string) => [...kmer].reduce((i, base) => i * 4 + 'ACGT'.indexOf(base), 0);

function nonZero(profile: Float32Array): Record<number, number> {
  const out: Record<number, number> = {};
  profile.forEach((v, i) => {
    if (v !== 0) out[i] = v;
  });
  return out;
}

test('k-mer profiles are frequencies of the k-mers made of plain bases', async () => {
  const featurizer = createKmerFeaturizer({ k: 2, alphabet: dna, canonical: false });
  assert.equal(featurizer.size, 16);
  assert.equal(featurizer.description, '2-mer frequencies');
  const [plain, withN, lower, rnaSpelling, none] = await featurizer.featurize(['ACGTACGT', 'ACNGT', 'acgtacgt', 'ACGUACGU', 'ANA']);
  // ACGTACGT: AC CG GT TA AC CG GT
  assert.deepEqual(nonZero(plain!), {
    [index('AC')]: Math.fround(2 / 7),
    [index('CG')]: Math.fround(2 / 7),
    [index('GT')]: Math.fround(2 / 7),
    [index('TA')]: Math.fround(1 / 7),
  });
  assert.deepEqual(nonZero(withN!), { [index('AC')]: 0.5, [index('GT')]: 0.5 }, 'N breaks the k-mers that span it');
  assert.deepEqual(lower, plain, 'soft-masked bases count');
  assert.deepEqual(rnaSpelling, plain, 'U counts as T');
  assert.deepEqual(nonZero(none!), {}, 'a window without a whole k-mer is all zeros');
});

test('canonical k-mers merge each k-mer with its reverse complement', async () => {
  const featurizer = createKmerFeaturizer({ k: 2, alphabet: dna, canonical: true });
  assert.equal(featurizer.size, 10, '16 dimers: 6 pairs and 4 palindromes');
  const [forward, reverse] = await featurizer.featurize(['AACGTTGCA', 'TGCAACGTT']);
  assert.deepEqual(forward, reverse, 'a sequence and its reverse complement have one profile');
  const [aa, tt] = await featurizer.featurize(['AAA', 'TTT']);
  assert.deepEqual(aa, tt);
  assert.equal(Math.max(...aa!), 1);
  const three = createKmerFeaturizer({ k: 3, alphabet: dna, canonical: true });
  assert.equal(three.size, 32);
});

test('protein k-mers use the 20 amino acids; stops and X break them', async () => {
  const protein = getAlphabet('protein');
  const featurizer = createKmerFeaturizer({ k: 1, alphabet: protein, canonical: false });
  assert.equal(featurizer.size, 20);
  const [profile] = await featurizer.featurize(['MKX*MW']);
  const m = protein.symbols.indexOf('M');
  assert.equal(profile![m], 0.5);
  assert.equal(profile![protein.symbols.indexOf('K')], 0.25);
  assert.equal(maxKmerLength(protein), 4);
  assert.equal(maxKmerLength(dna), 10);
  assert.throws(() => createKmerFeaturizer({ k: 5, alphabet: protein, canonical: false }), /more than/);
});
