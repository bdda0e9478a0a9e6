import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNewick, parseNewick } from '../../src/phylo/newick.js';
import { robinsonFoulds } from '../../src/phylo/rf.js';
import { runCli, tempDir } from '../helpers.js';
import { evolve, evolveBalanced, evolveGenome, toFasta } from './evolve.js';

// Unequal rates on the leaves (no molecular clock), as in phylo-cli.test.ts's k-mer simulation.
const TRUE_TREE = '(((A:0.02,B:0.09):0.05,(C:0.08,D:0.02):0.05):0.04,((E:0.05,F:0.02):0.05,(G:0.09,H:0.03):0.05):0.04);';

test('phylo --train (cross-entropy divergence) recovers a simulated 8-leaf evolution, bootstrap included', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(TRUE_TREE, 'truth');
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(truth, 3000, 3)));
  const built = await runCli([
    'phylo',
    '--train',
    '--seed',
    '3',
    '--bootstrap',
    '20',
    join(dir, 'sim.fa'),
    '-o',
    join(dir, 'tree.nwk'),
    '--matrix',
    join(dir, 'd.tsv'),
  ]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /tree: neighbour joining on excess cross-entropy/);
  const tree = parseNewick(readFileSync(join(dir, 'tree.nwk'), 'utf8'), 'tree.nwk');
  assert.equal(robinsonFoulds(truth, tree).rf, 0, formatNewick(tree));
  assert.match(formatNewick(tree), /\)\d+:/, 'bootstrap support on internal branches');
  assert.match(
    readFileSync(join(dir, 'd.tsv'), 'utf8'),
    /^excess cross-entropy \(fraction of the way to a shuffled sequence, symmetrised\)/,
  );
});

test('with equal base composition in every species, the divergence still recovers the tree, and aligned input gives the same tree as degapped', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(TRUE_TREE, 'truth');
  const sequences = evolveBalanced(truth, 3000, 5);
  const counts = [...sequences.values()].map((s) => [...'ACGT'].map((b) => s.split(b).length - 1).join(','));
  assert.equal(new Set(counts).size, 1, 'every leaf has the same base counts');
  // The same sequences as an "alignment": gap runs inserted at the same columns in every row but one.
  const gapped = new Map(
    [...sequences].map(([name, s], i) => [name, i === 0 ? `${s}-----` : `${s.slice(0, 1000)}---${s.slice(1000, 2000)}--${s.slice(2000)}`]),
  );
  writeFileSync(join(dir, 'plain.fa'), toFasta(sequences));
  writeFileSync(join(dir, 'aligned.fa'), toFasta(gapped));

  // Composition alone (1-mer profiles) sees no difference at all.
  const composition = await runCli([
    'phylo',
    '-q',
    '--kmer',
    '1',
    '--all-positions',
    '--window',
    '100000',
    join(dir, 'plain.fa'),
    '--matrix',
    join(dir, 'k1.tsv'),
    '-o',
    join(dir, 'k1.nwk'),
  ]);
  assert.equal(composition.code, 0, composition.stderr);
  const k1 = readFileSync(join(dir, 'k1.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((line) => line.split('\t').slice(1).map(Number));
  assert.ok(
    k1.every((d) => d < 1e-12),
    `1-mer distances are all 0: ${k1.join(' ')}`,
  );

  // One model (--ensemble 1) is enough to show it, at a quarter of the default's cost.
  const args = (file: string) => ['phylo', '-q', '--train', '--ensemble', '1', '--seed', '2', join(dir, file)];
  const plain = await runCli(args('plain.fa'));
  assert.equal(plain.code, 0, plain.stderr);
  const tree = parseNewick(plain.stdout, 'stdout');
  assert.equal(robinsonFoulds(truth, tree).rf, 0, plain.stdout);
  const aligned = await runCli(args('aligned.fa'));
  assert.equal(aligned.code, 0, aligned.stderr);
  assert.equal(aligned.stdout, plain.stdout, 'the model reads residues, never alignment columns');
});

test('--ensemble N averages N models over the same windows: deterministic for a seed, named in the matrix, not one model', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick('((A:0.05,B:0.08):0.04,(C:0.06,D:0.03):0.05,E:0.1);', 'truth');
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(truth, 800, 9)));
  const matrix = async (ensemble: number, name: string) => {
    const file = join(dir, `${name}.tsv`);
    const args = ['phylo', '-q', '--train', '--ensemble', String(ensemble), '--seed', '4', join(dir, 'sim.fa'), '-o', join(dir, 't.nwk')];
    const result = await runCli([...args, '--matrix', file]);
    assert.equal(result.code, 0, result.stderr);
    return readFileSync(file, 'utf8');
  };
  const values = (tsv: string) =>
    tsv
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split('\t').slice(1).map(Number));
  const [one, two, again] = [await matrix(1, 'one'), await matrix(2, 'two'), await matrix(2, 'again')];
  assert.equal(again, two, 'the same seed gives the same matrix, byte for byte');
  assert.match(two.split('\t')[0]!, /the mean of 2 models$/);
  assert.doesNotMatch(one.split('\t')[0]!, /mean of/);
  // The first member is the single model itself (same seed, same windows): averaging in a second moves the distances.
  const [a, b] = [values(one), values(two)];
  assert.ok(
    a.some((v, i) => Math.abs(v - b[i]!) > 1e-4),
    'a second model changes the distances',
  );
});

// Yeast-like: a close clade, then ever longer branches; Scas and Calb drift to AT on their own, so composition
// pulls them together.
const YEAST_LIKE = '((((((Scer:0.04,Spar:0.04):0.03,Smik:0.08):0.02,Skud:0.1):0.02,Sbay:0.11):0.06,Scas:0.3):0.03,Sklu:0.3,Calb:0.55);';

test('long genomes: the default sample covers each group several times, which a fixed 100 windows do not', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(YEAST_LIKE, 'truth');
  // 10 kb per taxon and 50-bp windows stand in for ~100 kb and the default 200 bp, at a tenth of the cost.
  writeFileSync(join(dir, 'genomes.fa'), toFasta(evolveGenome(truth, 10_000, 1, new Set(['Scas', 'Calb']))));
  const rf = async (extra: string[]) => {
    const out = join(dir, `tree${extra.length}.nwk`);
    const args = ['phylo', '--train', '--ensemble', '1', '--window', '50', '--seed', '1', ...extra, join(dir, 'genomes.fa'), '-o', out];
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);
    const tree = parseNewick(readFileSync(out, 'utf8'), 'tree');
    return { rf: robinsonFoulds(truth, tree).rf, stderr: result.stderr, newick: formatNewick(tree) };
  };
  const covering = await rf([]);
  assert.match(covering.stderr, /\b\d{3}-\d{3} sampled \(at least 100, enough to cover each group 4 times\)/);
  const fixed = await rf(['--windows-per-group', '100']);
  assert.ok(covering.rf <= 2, `covering sample: RF ${covering.rf} of 10, ${covering.newick}`);
  assert.ok(fixed.rf > covering.rf, `100 windows (a fifth of each genome): RF ${fixed.rf}, no worse than covering's ${covering.rf}`);
});

test('a group too long for the capped sample to cover is named in a warning', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick('((A:0.05,B:0.05):0.05,C:0.1,D:0.1);', 'truth');
  // With 10-bp windows the cap (4,000 windows, 4 times over) covers 10 kb; A is 12 kb, the others 4 kb.
  const sequences = evolve(truth, 4000, 2);
  sequences.set('A', sequences.get('A')!.repeat(3));
  writeFileSync(join(dir, 'sim.fa'), toFasta(sequences));
  const args = [
    'phylo',
    '--train',
    '--ensemble',
    '1',
    '--adapt-epochs',
    '1',
    '--window',
    '10',
    join(dir, 'sim.fa'),
    '-o',
    join(dir, 't.nwk'),
  ];
  const result = await runCli(args);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /1 group\(s\) hold more than 10 kb \(e\.g\. A\): 4000 windows cover them less than 4 times/);
  assert.match(result.stderr, /1600-4000 sampled/);
  const quiet = await runCli([...args, '--windows-per-group', '50']);
  assert.doesNotMatch(quiet.stderr, /cover them less/, "an explicit sample size is the user's choice");
});
