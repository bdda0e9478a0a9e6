import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { accuracy, labelOf, parseTsv, reverseComplement, strandedMotifTask, toFasta } from './synthetic-tasks.js';

// AACC's reverse complement GGTT shares no 2-mer with it, so a model that saw only AACC has no partial cue for GGTT.
const MOTIF = 'AACC';
const QUICK = [
  '--cell',
  'gru',
  '--hidden',
  '16',
  '--pool',
  'max',
  '--epochs',
  '25',
  '--lr',
  '0.01',
  '--batch-size',
  '32',
  '--threads',
  '1',
  '-q',
];

test('a motif seen on one strand is found on the other with --rc-augment (>90%) and not without (~chance)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'plus.fa'), toFasta(strandedMotifTask(400, 20, 7, MOTIF, '+')));
  const minus = strandedMotifTask(200, 20, 8, MOTIF, '-');
  writeFileSync(join(dir, 'minus.fa'), toFasta(minus));
  const expected = minus.map(labelOf);

  const augmented = await runCli(['train', '-o', join(dir, 'aug'), ...QUICK, '--rc-augment', join(dir, 'plus.fa')]);
  assert.equal(augmented.code, 0, augmented.stderr);
  // The default recipe may choose reverse complements itself (when strand-merged k-mers do as well): say no.
  const plain = await runCli(['train', '-o', join(dir, 'plain'), ...QUICK, '--no-rc-augment', join(dir, 'plus.fa')]);
  assert.equal(plain.code, 0, plain.stderr);

  const augmentedCalls = await runCli(['classify', '-m', join(dir, 'aug'), '-q', join(dir, 'minus.fa')]);
  assert.equal(augmentedCalls.code, 0, augmentedCalls.stderr);
  const plainCalls = await runCli(['classify', '-m', join(dir, 'plain'), '-q', join(dir, 'minus.fa')]);
  assert.equal(plainCalls.code, 0, plainCalls.stderr);
  // At prediction, --rc max lets even the one-strand model find the motif on the other strand. Each class gets
  // its higher probability of the two strands, so (as in scan) the detector is read from the site column.
  const plainMax = await runCli(['classify', '-m', join(dir, 'plain'), '-q', '--rc', 'max', join(dir, 'minus.fa')]);
  assert.equal(plainMax.code, 0, plainMax.stderr);

  const withAugment = accuracy(parseTsv(augmentedCalls.stdout).rows, expected);
  const without = accuracy(parseTsv(plainCalls.stdout).rows, expected);
  const maxed = parseTsv(plainMax.stdout);
  const site = maxed.header.indexOf('p_site');
  const withRcMax = maxed.rows.filter((row, i) => (Number(row[site]) > 0.5 ? 'site' : 'none') === expected[i]).length / expected.length;
  t.diagnostic(`minus-strand accuracy: --rc-augment ${withAugment}, plain ${without}, plain with classify --rc max ${withRcMax}`);
  assert.ok(withAugment > 0.9, `--rc-augment: ${withAugment}`);
  assert.ok(without < 0.65, `without --rc-augment: ${without}`);
  assert.ok(withRcMax > 0.9, `plain model, classify --rc max: ${withRcMax}`);

  // --rc average is exactly strand-symmetric: a sequence and its reverse complement get the same row, even from
  // the one-strand model, which without it tells a + strand site from its reverse complement. (With --batch-size 30 the sequences and their reverse
  // complements fill one batch each.)
  const probe = strandedMotifTask(60, 20, 9, MOTIF, '+').filter((r) => labelOf(r) === 'site');
  const pairs = [...probe, ...probe.map((r) => ({ ...r, id: `${r.id}-rc`, sequence: reverseComplement(r.sequence) }))];
  writeFileSync(join(dir, 'pairs.fa'), toFasta(pairs));
  const probabilities: Record<string, string[][]> = {};
  for (const rc of ['none', 'average']) {
    const result = await runCli(['classify', '-m', join(dir, 'plain'), '-q', '--batch-size', '30', '--rc', rc, join(dir, 'pairs.fa')]);
    assert.equal(result.code, 0, result.stderr);
    const rows = parseTsv(result.stdout).rows;
    assert.deepEqual(
      rows.map((row) => row[0]),
      pairs.map((r) => r.id),
    );
    probabilities[rc] = rows.map((row) => row.slice(1));
  }
  const sameAsPartner = (rows: string[][]) => rows.slice(0, 30).filter((row, i) => row.join() === rows[30 + i]!.join()).length;
  assert.equal(sameAsPartner(probabilities.none!), 0, 'the one-strand model alone is not strand-symmetric');
  assert.equal(sameAsPartner(probabilities.average!), 30, 'with --rc average every sequence matches its reverse complement');
  for (const row of probabilities.average!)
    assert.ok(Math.abs(Number(row[1]) + Number(row[2]) - 1) < 1e-5, 'averaged probabilities still sum to 1');
});

test('--rc and --complement need a DNA or RNA model', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'p.fa'), '>p1 label=a\nMKVLAAGIVG\n>p2 label=b\nMKKLWWGIVG\n>p3 label=a\nMKVLAAGIVA\n>p4 label=b\nMKKLWWGIVA\n');
  const trained = await runCli([
    'train',
    '-o',
    join(dir, 'prot'),
    '--hidden',
    '4',
    '--epochs',
    '1',
    '--valid-fraction',
    '0',
    '--threads',
    '1',
    '-q',
    join(dir, 'p.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  for (const flag of [['--rc', 'average'], ['--complement']]) {
    const result = await runCli(['classify', '-m', join(dir, 'prot'), '-q', ...flag, join(dir, 'p.fa')]);
    assert.equal(result.code, 2, flag.join(' '));
    assert.match(result.stderr.trim(), /^rnnseq: --(rc average|complement) needs a DNA or RNA model; \S+ reads protein$/);
  }
  const reversed = await runCli(['classify', '-m', join(dir, 'prot'), '-q', '--reverse', join(dir, 'p.fa')]);
  assert.equal(reversed.code, 0, `a protein can still be shown reversed: ${reversed.stderr}`);
});
