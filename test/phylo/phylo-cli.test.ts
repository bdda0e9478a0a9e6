import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNewick, parseNewick } from '../../src/phylo/newick.js';
import { leafNamesOf } from '../../src/phylo/splits.js';
import { robinsonFoulds } from '../../src/phylo/rf.js';
import { runCli, tempDir } from '../helpers.js';
import { evolve, toFasta } from './evolve.js';

// Unequal rates on the leaves (no molecular clock), so it takes neighbour joining, not UPGMA, to get it right.
const TRUE_TREE = '(((A:0.02,B:0.09):0.05,(C:0.08,D:0.02):0.05):0.04,((E:0.05,F:0.02):0.05,(G:0.09,H:0.03):0.05):0.04);';

function oneLineError(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((line) => !/^rnnseq: (read|removed|features|tree)/.test(line));
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /\bat .*\.js:\d+/, 'no stack trace');
  return lines[0]!;
}

test('phylo --kmer 4 recovers the topology of a simulated 8-leaf evolution (RF 0), with a matching --matrix', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(TRUE_TREE, 'truth');
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(truth, 3000, 3)));
  writeFileSync(join(dir, 'truth.nwk'), `${TRUE_TREE}\n`);
  // 4-mers of 300 windows per leaf, seed 3: every tree method below reads the same sample.
  const KMER4 = ['--kmer', '4', '--windows-per-group', '300', '--seed', '3'];
  const built = await runCli(['phylo', ...KMER4, join(dir, 'sim.fa'), '-o', join(dir, 'tree.nwk'), '--matrix', join(dir, 'dist.tsv')]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(built.stdout, '', 'the tree went to -o');
  assert.match(built.stderr, /read 8 records in 8 groups \(dna\)/);
  assert.match(built.stderr, /features: 4-mer frequencies of 2400 windows \(200 bp, 300 sampled per group\)/);
  const tree = parseNewick(readFileSync(join(dir, 'tree.nwk'), 'utf8'), 'tree.nwk');
  assert.equal(robinsonFoulds(truth, tree).rf, 0, formatNewick(tree));

  const compared = await runCli(['phylo', '--compare', join(dir, 'truth.nwk'), join(dir, 'tree.nwk')]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.equal(compared.stdout, 'rf\tmax_rf\tnormalised_rf\tleaves\n0\t10\t0\t8\n');

  const rows = readFileSync(join(dir, 'dist.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  assert.equal(rows[0]![0], 'cosine distance of 4-mer frequencies');
  assert.deepEqual(rows[0]!.slice(1), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  assert.equal(rows.length, 9);
  const d = (x: number, y: number) => Number(rows[x + 1]![y + 1]);
  assert.ok(d(0, 1) < d(0, 4) && d(2, 3) < d(2, 6), 'sisters are closer than distant leaves');
  assert.deepEqual(readdirSync(dir).sort(), ['dist.tsv', 'sim.fa', 'tree.nwk', 'truth.nwk'], 'no temp files left');

  const clock = await runCli(['phylo', '-q', ...KMER4, '--method', 'upgma', join(dir, 'sim.fa')]);
  assert.equal(clock.code, 0, clock.stderr);
  assert.deepEqual(
    leafNamesOf(parseNewick(clock.stdout, 'stdout')).sort(),
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'],
    'UPGMA also writes a tree, to stdout',
  );

  // BIONJ: the same true tree, said in the log, with bootstrap support.
  const weighted = await runCli(['phylo', ...KMER4, '--method', 'bionj', '--bootstrap', '10', join(dir, 'sim.fa')]);
  assert.equal(weighted.code, 0, weighted.stderr);
  assert.match(weighted.stderr, /tree: BIONJ on .*support from 10 bootstrap replicates/);
  assert.equal(robinsonFoulds(truth, parseNewick(weighted.stdout, 'stdout')).rf, 0, weighted.stdout);
  assert.match(weighted.stdout, /\)\d+:/, 'support values on internal nodes');
});

test('the same --seed gives byte-identical trees and matrices, bootstrap included', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(parseNewick(TRUE_TREE, 'truth'), 1500, 9)));
  const args = (seed: string) => [
    'phylo',
    '-q',
    '--kmer',
    '3',
    '--bootstrap',
    '20',
    '--seed',
    seed,
    '--windows-per-group',
    '40',
    '--window',
    '100',
    join(dir, 'sim.fa'),
  ];
  const first = await runCli([...args('7'), '--matrix', join(dir, 'a.tsv')]);
  const second = await runCli([...args('7'), '--matrix', join(dir, 'b.tsv')]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, second.stdout);
  assert.equal(readFileSync(join(dir, 'a.tsv'), 'utf8'), readFileSync(join(dir, 'b.tsv'), 'utf8'));
  assert.match(first.stdout, /\)\d+:/, 'support values on internal nodes');
  const other = await runCli(args('8'));
  assert.equal(other.code, 0, other.stderr);
  assert.notEqual(other.stdout, first.stdout, 'another seed samples other windows');
});

test('the windows are spread over each group (one per stratum), so another --seed moves the distances little', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(parseNewick(TRUE_TREE, 'truth'), 3000, 3)));
  const matrix = async (seed: string) => {
    const file = join(dir, `d${seed}.tsv`);
    const built = await runCli([
      'phylo',
      '-q',
      '--kmer',
      '4',
      '--seed',
      seed,
      join(dir, 'sim.fa'),
      '--matrix',
      file,
      '-o',
      join(dir, 't.nwk'),
    ]);
    assert.equal(built.code, 0, built.stderr);
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split('\t').slice(1).map(Number));
  };
  const first = await matrix('1');
  const largest = Math.max(...first);
  for (const seed of ['2', '3']) {
    const other = await matrix(seed);
    assert.notDeepEqual(other, first, 'another offset, other windows');
    // 100 windows of 200 bp over a 3-kb sequence: drawn at random positions instead, the same distances moved by
    // about a fifth of the largest between seeds; one window in each stratum, by 3-5%.
    const moved = Math.max(...other.map((d, i) => Math.abs(d - first[i]!)));
    assert.ok(moved < 0.08 * largest, `seed ${seed} moved a distance by ${moved} of ${largest}`);
  }
});

test('aligned input: gaps are stripped with one notice and give the same tree as unaligned input', async (t) => {
  const dir = tempDir(t);
  const sequences = evolve(parseNewick('((p:0.05,q:0.05):0.1,(r:0.05,s:0.05):0.1);', 't'), 800, 4);
  writeFileSync(join(dir, 'plain.fa'), toFasta(sequences));
  const gapped = new Map([...sequences].map(([name, seq], i) => [name, i === 0 ? seq : `--${seq.slice(0, 300)}-..-${seq.slice(300)}`]));
  writeFileSync(join(dir, 'aligned.fa'), toFasta(gapped));
  const plain = await runCli(['phylo', '--kmer', '3', join(dir, 'plain.fa')]);
  const aligned = await runCli(['phylo', '--kmer', '3', join(dir, 'aligned.fa')]);
  assert.equal(aligned.code, 0, aligned.stderr);
  assert.equal(aligned.stdout, plain.stdout);
  assert.equal(aligned.stderr.match(/removed alignment gaps/g)?.length, 1);
  assert.match(aligned.stderr, /removed alignment gaps \('-', '\.'\) from 3 of 4 records/);
  assert.doesNotMatch(plain.stderr, /gaps/);
});

test('records are grouped by header tag, by id regex, or by file', async (t) => {
  const dir = tempDir(t);
  const sequences = [...evolve(parseNewick('((a:0.04,b:0.04):0.1,(c:0.04,d:0.04):0.1);', 't'), 900, 5)];
  const fasta = sequences
    .flatMap(([name, seq]) => [
      `>${name}_1 species=sp_${name}\n${seq.slice(0, 450)}\n`,
      `>${name}_2 species=sp_${name}\n${seq.slice(450)}\n`,
    ])
    .join('');
  writeFileSync(join(dir, 'all.fa'), fasta);
  for (const [name, seq] of sequences) writeFileSync(join(dir, `${name}.fa`), `>x\n${seq}\n`);

  const byTag = await runCli(['phylo', '--kmer', '3', '--group-tag', 'species', join(dir, 'all.fa')]);
  assert.equal(byTag.code, 0, byTag.stderr);
  assert.match(byTag.stderr, /read 8 records in 4 groups/);
  assert.deepEqual(leafNamesOf(parseNewick(byTag.stdout, 'o')).sort(), ['sp_a', 'sp_b', 'sp_c', 'sp_d']);
  const byRegex = await runCli(['phylo', '-q', '--kmer', '3', '--group-regex', '^(.)_\\d$', join(dir, 'all.fa')]);
  assert.equal(byRegex.code, 0, byRegex.stderr);
  assert.equal(byRegex.stdout, byTag.stdout.replaceAll('sp_', ''), 'the same groups give the same tree');
  const byFile = await runCli([
    'phylo',
    '-q',
    '--kmer',
    '3',
    ...sequences.map(([name]) => `--group=${name} grp=${join(dir, `${name}.fa`)}`),
  ]);
  assert.equal(byFile.code, 0, byFile.stderr);
  assert.deepEqual(leafNamesOf(parseNewick(byFile.stdout, 'o')).sort(), ['a grp', 'b grp', 'c grp', 'd grp']);
  assert.match(byFile.stdout, /'a grp'/, 'names with blanks are quoted');

  const untagged = join(dir, 'untagged.fa');
  writeFileSync(untagged, `${fasta}>e_1 genus=x\nACGTACGTAC\n`);
  const out = join(dir, 'tree.nwk');
  const missing = await runCli(['phylo', '--kmer', '3', '--group-tag', 'species', untagged, '-o', out]);
  assert.equal(missing.code, 2);
  assert.match(oneLineError(missing.stderr), /untagged\.fa:17: record 'e_1': no 'species=' tag in the header/);
  assert.ok(!existsSync(out), 'no output on error');
  const unmatched = await runCli(['phylo', '--kmer', '3', '--group-regex', '^(.)_1$', join(dir, 'all.fa')]);
  assert.equal(unmatched.code, 2);
  assert.match(oneLineError(unmatched.stderr), /all\.fa:3: record 'a_2': the id does not match --group-regex/);
});

test('phylo --compare prints RF for a known pair and names leaves that differ', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ref.nwk'), '((A:1,B:1):1,C:1,(D:1,E:1):1);\n');
  writeFileSync(join(dir, 'other.nwk'), '[a comment]((A,C)90,B,(D,E)100);\n');
  writeFileSync(join(dir, 'renamed.nwk'), '((A,B),C,(D,X));');
  writeFileSync(join(dir, 'broken.nwk'), '((A,B),C,(D,E);');
  const result = await runCli(['phylo', '--compare', join(dir, 'ref.nwk'), join(dir, 'other.nwk')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'rf\tmax_rf\tnormalised_rf\tleaves\n2\t4\t0.5\t5\n');
  const renamed = await runCli(['phylo', '--compare', join(dir, 'ref.nwk'), join(dir, 'renamed.nwk')]);
  assert.equal(renamed.code, 2);
  assert.match(oneLineError(renamed.stderr), /different leaves \(only in .*ref\.nwk: 'E'; only in .*renamed\.nwk: 'X'\)/);
  const broken = await runCli(['phylo', '--compare', join(dir, 'ref.nwk'), join(dir, 'broken.nwk')]);
  assert.equal(broken.code, 2);
  assert.match(oneLineError(broken.stderr), /broken\.nwk: Newick error at character 15: expected ',' or '\)' but found ';'/);
});

test('bad input and bad options give one-line errors and a non-zero exit', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.fa');
  writeFileSync(good, '>a\nACGTACGTTT\n>b\nACGTACGAAA\n>c\nACGTTCGAAA\n');
  const cases: Array<[string[], RegExp, string?]> = [
    [['--kmer', '3', join(dir, 'missing.fa')], /missing\.fa/],
    [[good], /say where distances come from: --kmer K/],
    [['--aligned', '--distance', 'cosine', good], /--aligned takes --distance p, jc69, k2p, not cosine/],
    [['--kmer', '3', '--distance', 'jc69', good], /--distance jc69 needs --aligned/],
    [
      ['--aligned', 'RAGGED'],
      /good\.fa:3: record 'b': the row is 7 columns long, but 'a' has 8: --aligned needs aligned input/,
      '>a\nACGTACGT\n>b\nACG-ACG\n>c\nACGTTCGA\n',
    ],
    [
      ['--aligned', '--group-regex', '^(.)', 'RAGGED'],
      /good\.fa:3: record 'a2': group 'a' has 2 records; --aligned takes one alignment row per leaf/,
      '>a1\nACGT\n>a2\nACGA\n>b\nACGA\n>c\nTCGA\n',
    ],
    [['--kmer', '3', '-m', 'x', good], /give one of -m, --kmer, not several/],
    [['--kmer', '3', '--ensemble', '2', good], /--ensemble applies to the model divergence/],
    [['--train', '--ensemble', '0', good], /--ensemble/],
    [['--kmer', '11', good], /--kmer must be an integer >= 1 and <= 10/],
    [['--kmer', '3', '--all-positions', '--windows-per-group', '5', good], /--windows-per-group or --all-positions, not both/],
    [['--kmer', '3', '--group-regex', '^a', good], /exactly one capture group/],
    [['--kmer', '3', '--method', 'ml', good], /--method/],
    [
      ['--kmer', '3', 'DUP'],
      /good\.fa:5: record 'a': the id was already used \(.*good\.fa:1\)/,
      '>a\nACGTACGTTT\n>b\nACGTACGAAA\n>a\nACGTTCGAAA\n',
    ],
    [['--kmer', '3', 'TWO'], /a tree needs at least 3 groups, found 2 \(a, b\)/, '>a\nACGT\n>b\nACGA\n'],
    [
      ['--kmer', '3', 'BAD'],
      /good\.fa:3: record 'b': invalid character 'J' at position 4 for the detected alphabet \(dna/,
      '>a\nACGTACGT\n>b\nAC-JACGT\n>c\nACGTTCGA\n',
    ],
    [
      ['--kmer', '3', '--alphabet', 'dna', 'BAD'],
      /good\.fa:5: record 'b': invalid character 'J' at column 2/,
      '>a\nACGTACGT\n>b\nAC-A\nAJGT\n>c\nACGTTCGA\n',
    ],
    [
      ['--kmer', '5', '--alphabet', 'protein', 'good.fa'],
      /--kmer 5 is too long for protein: profiles are dense, so k <= 4/,
      '>a\nMKV\n>b\nMKW\n>c\nMKL\n',
    ],
  ];
  for (const [args, message, content] of cases) {
    if (content !== undefined) writeFileSync(good, content);
    const fixed = args.map((a) => (a === 'DUP' || a === 'TWO' || a === 'BAD' || a === 'RAGGED' || a === 'good.fa' ? good : a));
    const result = await runCli(['phylo', ...fixed, '-o', join(dir, 'out.nwk')]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
    assert.ok(!existsSync(join(dir, 'out.nwk')), `${args.join(' ')}: no output file`);
  }
});

test('phylo --help documents every option with real examples', async () => {
  const help = await runCli(['phylo', '--help']);
  assert.equal(help.code, 0);
  for (const flag of [
    '--kmer',
    '--canonical',
    '--aligned',
    '--adapt-epochs',
    '--ensemble',
    '--model-features',
    '-m, --model',
    '--train',
    '--matrix',
    '--method',
    '--distance',
    '--window',
    '--windows-per-group',
    '--all-positions',
    '--bootstrap',
    '--seed',
    '--group-tag',
    '--group-regex',
    '--group <name=file>',
    '--alphabet',
    '--compare',
  ]) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  assert.match(help.stdout, /Examples:\n {2}\$ rnnseq phylo --kmer 5 /);
});

test('phylo --aligned: JC69 neighbour joining on the alignment, column bootstrap, same seed same bytes', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(TRUE_TREE, 'truth');
  const sequences = evolve(truth, 1500, 11);
  // Gaps at the same columns in two rows, and a whole-column gap: pairwise deletion drops them.
  const rows = new Map([...sequences].map(([name, s], i) => [name, i < 2 ? `${s.slice(0, 700)}----${s.slice(704)}` : s]));
  writeFileSync(join(dir, 'aln.fa'), toFasta(rows));
  writeFileSync(join(dir, 'truth.nwk'), `${TRUE_TREE}\n`);
  const args = ['phylo', '--aligned', '--bootstrap', '50', '--seed', '4', join(dir, 'aln.fa'), '--matrix', join(dir, 'd.tsv')];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /features: jc69 distances over 1500 alignment columns/);
  assert.match(first.stderr, /tree: neighbour joining on JC69 distances, support from 50 bootstrap replicates/);
  assert.doesNotMatch(first.stderr, /removed alignment gaps/, 'gaps are data here, not stripped');
  const tree = parseNewick(first.stdout, 'stdout');
  assert.equal(robinsonFoulds(truth, tree).rf, 0, first.stdout);
  assert.match(first.stdout, /\)\d+:/, 'support values');
  const header = readFileSync(join(dir, 'd.tsv'), 'utf8').split('\n')[0]!;
  assert.match(header, /^jc69 distance \(substitutions per site\) over 1500 alignment columns\tA\tB/);
  const again = await runCli(args);
  assert.equal(again.stdout, first.stdout, 'same seed, same bytes');
  const k2p = await runCli(['phylo', '-q', '--aligned', '--distance', 'k2p', '--method', 'upgma', join(dir, 'aln.fa')]);
  assert.equal(k2p.code, 0, k2p.stderr);
  assert.equal(leafNamesOf(parseNewick(k2p.stdout, 'o')).length, 8);
  const saturated = join(dir, 'sat.fa');
  writeFileSync(saturated, '>x\nAAAA\n>y\nCCCC\n>z\nAAAC\n>w\nAAAA\n');
  const warned = await runCli(['phylo', '--aligned', saturated]);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /3 pair\(s\) have no defined jc69 distance .*e\.g\. x and y.*set to twice the largest defined distance/);
});
