import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { alignedDistances, encodeAlignment, pairCounts, pairDistance, resampleColumns } from '../../src/phylo/aligned-distance.js';

const close = (got: number, want: number, what: string, tolerance = 1e-6) =>
  assert.ok(Math.abs(got - want) < tolerance, `${what}: ${got} vs ${want}`);

test('p, JC69 and K2P distances with pairwise deletion match hand-computed values', () => {
  // b differs from a by one transition (C->T) in 10 sites; c by one transversion (T->A) in the 8 sites where
  // neither row has a gap or an N (columns 2 and 5 are dropped for that pair only).
  const alignment = encodeAlignment(['a', 'b', 'c'], ['ACGTACGTAC', 'ACGTACGTAT', 'A-GTNCGAAC'], true);
  assert.deepEqual(pairCounts(alignment.rows[0]!, alignment.rows[1]!, true), { sites: 10, transitions: 1, transversions: 0 });
  assert.deepEqual(pairCounts(alignment.rows[0]!, alignment.rows[2]!, true), { sites: 8, transitions: 0, transversions: 1 });
  const p = alignedDistances(alignment, 'p').matrix;
  close(p[0]![1]!, 0.1, 'p(a,b)');
  close(p[0]![2]!, 0.125, 'p(a,c)');
  // -3/4 ln(1 - 4/3 * 0.1) and -3/4 ln(1 - 4/3 * 0.125)
  const jc = alignedDistances(alignment, 'jc69').matrix;
  close(jc[0]![1]!, 0.107326, 'JC69(a,b)');
  close(jc[1]![0]!, 0.107326, 'symmetric');
  close(jc[0]![2]!, 0.136741, 'JC69(a,c)');
  // -1/2 ln(1 - 2P - Q) - 1/4 ln(1 - 2Q): P = 0.1, Q = 0 gives 0.111572; P = 0, Q = 0.125 gives 0.138686
  const k2p = alignedDistances(alignment, 'k2p').matrix;
  close(k2p[0]![1]!, 0.111572, 'K2P(a,b)');
  close(k2p[0]![2]!, 0.138686, 'K2P(a,c)');
  assert.equal(k2p[0]![0], 0);
  assert.equal(pairDistance({ sites: 5, transitions: 0, transversions: 0 }, 'k2p'), 0, 'identical rows: 0, not -0');
  assert.equal(pairDistance({ sites: 0, transitions: 0, transversions: 0 }, 'p'), undefined, 'no shared site: undefined');
});

test('saturated pairs get twice the largest defined distance and are reported', () => {
  // x and y differ everywhere (p = 1), y and z at 3 of 4 sites (p = 3/4): both beyond JC69's logarithm.
  const alignment = encodeAlignment(['x', 'y', 'z'], ['AAAA', 'CCCC', 'AAAC'], true);
  const { matrix, undefinedPairs } = alignedDistances(alignment, 'jc69');
  assert.deepEqual(undefinedPairs, [
    [0, 1],
    [1, 2],
  ]);
  const defined = -0.75 * Math.log(1 - (4 / 3) * 0.25);
  close(matrix[0]![2]!, defined, 'JC69(x,z)');
  close(matrix[0]![1]!, 2 * defined, 'saturated x,y');
  close(matrix[2]![1]!, 2 * defined, 'saturated y,z');
  assert.deepEqual(alignedDistances(alignment, 'p').undefinedPairs, [], 'p is always defined');
});

/**
 * Four rows of PHYLIP's primate example with gaps, Ns and an R put in by hand; IQ-TREE 2.0.7
 * (`iqtree2 -s excerpt.fa -m JC -te BIONJ`, the .mldist file) gives these JC distances: under JC a site missing
 * in either row adds nothing to the likelihood, so its ML distance is the pairwise-deletion JC69 distance.
 */
const EXCERPT: Array<[string, string]> = [
  [
    'Mouse',
    'CCAAAAAAAC------ACACCAACCCCAGCCCTTACGCAATAGCCATACAAAGAATATTATACAACCATAAATAAGACTAATCTATTAAAATAACCCATTACGATACAAAATCCCTTTCGTCTAGATACAAACCACAACACACAATTAATACACACCACAATTACAATACTAAACTCCCATCCCACCAAATCACCCTCCATCAAATCCACAAATTACACAACCATTAACCCA',
  ],
  [
    'Gibbon',
    'CTATACCCACCCAACTCGACCTACACCAATCCCCACATAGNNCACAGACCAACAACCTCCCACCTTCCATACCAAGCCCCGACTTTACCGCCAACGCACCNCATCAAAACATACCTACAACACAAACAAATGCCCCCCCACCCTCCTTCTTCAAGCCCACTAGACCATCCTACCTTCCTAGCACGCCAAGCTCTCTACCATCAAACGCACAACTTACACATACAGAACCACA',
  ],
  [
    'Gorilla',
    'CCCCATTTATCCATAAAAACCAACACCAACCCCCATCTAACACACAAACTAATGACCCCCCACCCTCAAAGCCAAACACCAACCCTATAATCAATACGCCTTATCAAAACACACCCCCAACATAAACCCACGCACCCCCACCCCTTCCGCRCATGCTCACCACATCATCTCTCCCCTTCAACACCTCAATCCACCTCCCCCCAAATACACAATTCACACAAACAATACCACA',
  ],
  [
    'Human',
    'CCCCACTCAC-CATACAAACCAACACCACTCTCCACCTAATATACAAATTAATAACCTCCCACCTTCAGAACTGAACGCCAATCTCATAACCAACACACCCCATCAAAGCACCCCTCCAACACAAACCCGCACACCTCCACCCCCCTCGTCTACGCTTACCACGTCATCCCTCCCTCTCAACACCTTAACTCACCTTCTC-CAAACGCACAATTCGCACACACAACGCCACA',
  ],
];
const IQTREE_JC: number[][] = [
  [0, 0.8040465, 0.9312848, 0.90113],
  [0.8040465, 0, 0.5068166, 0.4843699],
  [0.9312848, 0.5068166, 0, 0.2959554],
  [0.90113, 0.4843699, 0.2959554, 0],
];

test('JC69 with gaps and ambiguity codes matches IQ-TREE distances', () => {
  const alignment = encodeAlignment(
    EXCERPT.map(([name]) => name),
    EXCERPT.map(([, row]) => row),
    true,
  );
  const { matrix } = alignedDistances(alignment, 'jc69');
  IQTREE_JC.forEach((row, i) => row.forEach((want, j) => close(matrix[i]![j]!, want, `${EXCERPT[i]![0]}-${EXCERPT[j]![0]}`, 1e-6)));
});

test('a bootstrap replicate draws as many columns as the alignment has, and weights count them', () => {
  const weights = resampleColumns(50, new Random(3));
  assert.equal(
    weights.reduce((a, b) => a + b, 0),
    50,
  );
  assert.ok(weights.some((w) => w === 0) && weights.some((w) => w > 1), 'with replacement');
  const alignment = encodeAlignment(['a', 'b'], ['ACGT', 'ACGA'], true);
  // column 4 (the difference) twice, column 1 once: p = 2/3
  close(alignedDistances(alignment, 'p', Uint32Array.of(1, 0, 0, 2)).matrix[0]![1]!, 2 / 3, 'weighted p');
});
