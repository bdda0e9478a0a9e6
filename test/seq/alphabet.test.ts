import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { RnnseqError } from '../../src/errors.js';
import { readFasta } from '../../src/io/fasta.js';
import { type Alphabet, type AlphabetName, ALPHABET_NAMES, detectAlphabet, getAlphabet } from '../../src/seq/alphabet.js';

const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** The encoding of one character as a plain array, one value per channel. */
function encodeChar(alphabet: Alphabet, char: string): number[] {
  const out = new Float32Array(alphabet.size);
  alphabet.encodeInto(char, out, 0);
  return [...out];
}

/** Expected probabilities: the listed symbols share the mass equally. */
function mix(alphabet: Alphabet, symbols: string): number[] {
  return alphabet.symbols.map((s) => (symbols.includes(s) ? 1 / symbols.length : 0));
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((value, k) => {
    assert.ok(Math.abs(value - expected[k]!) < 1e-6, `${what}: channel ${k} is ${value}, expected ${expected[k]}`);
  });
}

function allowedChars(alphabet: Alphabet): string {
  let chars = '';
  for (let b = 0; b < 256; b++) if (alphabet.allowed[b]) chars += String.fromCharCode(b);
  return chars;
}

const NUCLEOTIDE_CODES: Record<string, string> = {
  A: 'A',
  C: 'C',
  G: 'G',
  T: 'T',
  R: 'AG',
  Y: 'CT',
  S: 'CG',
  W: 'AT',
  K: 'GT',
  M: 'AC',
  B: 'CGT',
  D: 'AGT',
  H: 'ACT',
  V: 'ACG',
  N: 'ACGT',
};

describe('alphabets', () => {
  test('have the documented channel order and size', () => {
    assert.deepEqual(ALPHABET_NAMES, ['dna', 'rna', 'protein']);
    assert.deepEqual(getAlphabet('dna').symbols, ['A', 'C', 'G', 'T']);
    assert.deepEqual(getAlphabet('rna').symbols, ['A', 'C', 'G', 'U']);
    assert.equal(getAlphabet('protein').symbols.join(''), 'ACDEFGHIKLMNPQRSTVWY');
    for (const name of ALPHABET_NAMES) {
      const alphabet = getAlphabet(name);
      assert.equal(alphabet.name, name);
      assert.equal(alphabet.size, alphabet.symbols.length);
      assert.equal(alphabet.allowed.length, 256);
      assert.ok(alphabet.label.startsWith(`${name}: `));
    }
  });

  test('allow exactly their codes, in upper and lower case', () => {
    const upper = (chars: string) => [...chars].sort().join('');
    const both = (chars: string) => upper(chars + chars.toLowerCase());
    assert.equal(allowedChars(getAlphabet('dna')), both('ABCDGHKMNRSTUVWY'));
    assert.equal(allowedChars(getAlphabet('rna')), both('ABCDGHKMNRSTUVWY'));
    assert.equal(allowedChars(getAlphabet('protein')), upper(`*${both('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}`));
  });

  test('reject an unknown name with a message listing the valid ones', () => {
    assert.throws(
      () => getAlphabet('amino' as AlphabetName),
      (err: unknown) => err instanceof RnnseqError && /unknown alphabet 'amino'; choose one of dna, rna, protein/.test(err.message),
    );
  });
});

describe('dna and rna encoding', () => {
  test('encodes every IUPAC code as the matching probability mix, summing to 1', () => {
    const dna = getAlphabet('dna');
    for (const [code, meaning] of Object.entries(NUCLEOTIDE_CODES)) {
      const encoded = encodeChar(dna, code);
      assertClose(encoded, mix(dna, meaning), `dna ${code}`);
      assert.ok(Math.abs(encoded.reduce((a, b) => a + b, 0) - 1) < 1e-6, `dna ${code} sums to 1`);
    }
  });

  test('reads U as T in dna and T as U in rna, and rna codes mix A C G U', () => {
    const dna = getAlphabet('dna');
    const rna = getAlphabet('rna');
    assert.deepEqual(encodeChar(dna, 'U'), [0, 0, 0, 1]);
    assert.deepEqual(encodeChar(rna, 'U'), [0, 0, 0, 1]);
    assert.deepEqual(encodeChar(rna, 'T'), [0, 0, 0, 1]);
    for (const [code, meaning] of Object.entries(NUCLEOTIDE_CODES)) {
      assertClose(encodeChar(rna, code), mix(rna, meaning.replaceAll('T', 'U')), `rna ${code}`);
    }
  });

  test('encodes lowercase exactly like uppercase', () => {
    for (const name of ALPHABET_NAMES) {
      const alphabet = getAlphabet(name);
      for (const char of allowedChars(alphabet).replace(/[^A-Z]/g, '')) {
        assert.deepEqual(encodeChar(alphabet, char.toLowerCase()), encodeChar(alphabet, char), `${name} ${char}`);
      }
    }
  });

  test('writes a sequence position-major at the given offset and leaves the rest of the buffer alone', () => {
    const dna = getAlphabet('dna');
    const out = new Float32Array(2 + 3 * 4 + 2).fill(7);
    dna.encodeInto('GaN', out, 2);
    assert.deepEqual([...out], [7, 7, 0, 0, 1, 0, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 7, 7]);
  });

  test('a long mixed string encodes as its characters one by one: every code, both cases, disallowed bytes as zeros', () => {
    const dna = getAlphabet('dna');
    const codes = Object.keys(NUCLEOTIDE_CODES).join('');
    // 1,000+ positions so the loop runs long enough to be optimised part-way, plus bytes outside the table.
    const text = `${codes}${codes.toLowerCase()}#\u0100-`.repeat(30);
    const out = new Float32Array(text.length * 4);
    dna.encodeInto(text, out, 0);
    [...text].forEach((char, pos) => {
      const meaning = NUCLEOTIDE_CODES[char.toUpperCase()];
      const expected = meaning === undefined ? [0, 0, 0, 0] : mix(dna, meaning);
      assertClose([...out.subarray(pos * 4, pos * 4 + 4)], expected, `position ${pos} '${char}'`);
    });
  });

  test('refuses to write past the end of the output', () => {
    const dna = getAlphabet('dna');
    assert.throws(() => dna.encodeInto('ACGT', new Float32Array(15), 0), RangeError);
    assert.throws(() => dna.encodeInto('A', new Float32Array(8), 5), RangeError);
  });
});

describe('protein encoding', () => {
  const protein = getAlphabet('protein');

  test('gives each of the 20 amino acids its own channel', () => {
    protein.symbols.forEach((aa, channel) => {
      const expected = new Array<number>(20).fill(0);
      expected[channel] = 1;
      assert.deepEqual(encodeChar(protein, aa), expected, aa);
    });
  });

  test('encodes ambiguity codes and rare residues as their mixes, summing to 1', () => {
    const cases: Record<string, string> = { X: 'ACDEFGHIKLMNPQRSTVWY', B: 'DN', Z: 'EQ', J: 'IL', U: 'C', O: 'K' };
    for (const [code, meaning] of Object.entries(cases)) {
      const encoded = encodeChar(protein, code);
      assertClose(encoded, mix(protein, meaning), `protein ${code}`);
      assert.ok(Math.abs(encoded.reduce((a, b) => a + b, 0) - 1) < 1e-6, `protein ${code} sums to 1`);
    }
    assert.ok(Math.abs(encodeChar(protein, 'X')[0]! - 0.05) < 1e-7);
  });

  test("encodes the stop '*' as all zeros", () => {
    assert.deepEqual(encodeChar(protein, '*'), new Array<number>(20).fill(0));
  });
});

describe('detectAlphabet', () => {
  test('calls nucleotide samples with some N and rare ambiguity codes dna', () => {
    assert.equal(detectAlphabet(['ACGTACGTNNACGT', 'acgtrygg', 'GATTACA']), 'dna');
  });

  test('calls samples with U and no T rna, and samples with both dna', () => {
    assert.equal(detectAlphabet(['ACGUACGUNNAC', 'gauuaca']), 'rna');
    assert.equal(detectAlphabet(['ACGUACGT']), 'dna');
  });

  test('calls amino-acid samples protein, even short ones rich in A C G T', () => {
    assert.equal(detectAlphabet(['MKVLAAGIVGLLLAQPAMA', 'MSTNPKPQRKTKRNTNRRPQDVKFPGG*']), 'protein');
    assert.equal(detectAlphabet(['GATTACAEFILPQ']), 'protein');
  });

  test('ignores gaps and stops when counting', () => {
    assert.equal(detectAlphabet(['AC--GT..AC**', '----ACGT']), 'dna');
  });

  test('refuses a sample without letters', () => {
    assert.throws(() => detectAlphabet(['', '---']), RnnseqError);
  });

  test('recognises the real splice junctions as dna and miRBase hairpins as rna', async () => {
    const sample = async (file: string): Promise<string[]> => {
      const sequences: string[] = [];
      for await (const record of readFasta(join(SHARED_DATA, file))) {
        sequences.push(record.sequence);
        if (sequences.length === 500) break;
      }
      return sequences;
    };
    assert.equal(detectAlphabet(await sample('splice_statlog_mlbench/splice_statlog.fa')), 'dna');
    assert.equal(detectAlphabet(await sample('mirbase_hairpins_seqkit/hairpin.fa.gz')), 'rna');
  });
});
