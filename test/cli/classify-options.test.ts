import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatValue } from '../../src/commands/classify/run.js';
import { runCli, tempDir } from '../helpers.js';
import { accuracy, labelOf, parseTsv, splitMotifTask, strandedMotifTask, toFasta } from './synthetic-tasks.js';

const MOTIF = 'AACC';
const QUICK = [
  '--plain',
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

test('--circular (or topology=circular) finds a motif split across the ends; linear reading does not', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), toFasta(strandedMotifTask(400, 20, 11, MOTIF, '+')));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, '--cell', 'gru', ...QUICK, join(dir, 'train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);

  const junction = splitMotifTask(120, 20, 12, MOTIF);
  const expected = junction.map(labelOf);
  writeFileSync(join(dir, 'junction.fa'), toFasta(junction));
  const linear = await runCli(['classify', '-m', run, '-q', join(dir, 'junction.fa')]);
  assert.equal(linear.code, 0, linear.stderr);
  const circular = await runCli(['classify', '-m', run, '-q', '--circular', join(dir, 'junction.fa')]);
  assert.equal(circular.code, 0, circular.stderr);
  const linearAccuracy = accuracy(parseTsv(linear.stdout).rows, expected);
  const circularAccuracy = accuracy(parseTsv(circular.stdout).rows, expected);
  t.diagnostic(`junction motifs: accuracy read linearly ${linearAccuracy}, with --circular ${circularAccuracy}`);
  assert.ok(circularAccuracy > 0.9, `--circular: ${circularAccuracy}`);
  assert.ok(linearAccuracy < 0.65, `linear: ${linearAccuracy}`);

  // The header tag marks single records circular; linear and circular records go through the model in separate
  // batches, and rows come back in input order whatever the batching.
  const mixed = junction.map((r, i) => (i % 3 === 0 ? { ...r, tags: `${r.tags} topology=circular` } : r));
  writeFileSync(join(dir, 'mixed.fa'), toFasta(mixed));
  const tagged = await runCli(['classify', '-m', run, '-q', '--batch-size', '7', join(dir, 'mixed.fa')]);
  assert.equal(tagged.code, 0, tagged.stderr);
  const rows = parseTsv(tagged.stdout).rows;
  const reference = [parseTsv(linear.stdout).rows, parseTsv(circular.stdout).rows];
  assert.deepEqual(
    rows.map((row) => row[0]),
    junction.map((r) => r.id),
    'input order is kept',
  );
  rows.forEach((row, i) => {
    const want = reference[i % 3 === 0 ? 1 : 0]![i]!;
    assert.equal(row[1], want[1], `${row[0]}: label as read ${i % 3 === 0 ? 'circularly' : 'linearly'}`);
    assert.ok(Math.abs(Number(row[2]) - Number(want[2])) < 1e-4, `${row[0]}: ${row[2]} vs ${want[2]}`);
  });
});

test('a bounded cifg model (--cell cifg --bounded) trains and classifies end to end', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), toFasta(strandedMotifTask(400, 20, 13, MOTIF, '+')));
  const heldOut = strandedMotifTask(200, 20, 14, MOTIF, '+');
  writeFileSync(join(dir, 'test.fa'), toFasta(heldOut));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, '--cell', 'cifg', '--bounded', ...QUICK, join(dir, 'train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8')) as { architecture: { cell: string; bounded?: boolean } };
  assert.equal(spec.architecture.cell, 'cifg');
  assert.equal(spec.architecture.bounded, true, 'the checkpoint records the bounded cell');
  const classified = await runCli(['classify', '-m', run, '-q', join(dir, 'test.fa')]);
  assert.equal(classified.code, 0, classified.stderr);
  const score = accuracy(parseTsv(classified.stdout).rows, heldOut.map(labelOf));
  t.diagnostic(`bounded cifg held-out accuracy ${score}`);
  assert.ok(score > 0.9, `held-out accuracy ${score}`);

  // classify answers only for per-sequence models: a language model or a tagger is pointed to the command for it.
  for (const [task, command] of [
    ['lm', 'rnnseq embed'],
    ['tag', 'rnnseq scan'],
  ] as const) {
    const copy = join(dir, task);
    cpSync(join(run, 'best'), copy, { recursive: true });
    const file = join(copy, 'rnnseq.json');
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { task: string; architecture: { task?: string } };
    edited.task = task;
    edited.architecture.task = task;
    writeFileSync(file, JSON.stringify(edited));
    const refused = await runCli(['classify', '-m', copy, '-q', join(dir, 'test.fa')]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr.trim(), new RegExp(`^rnnseq: [^\\n]*--task ${task}[^\\n]*use '${command}'[^\\n]*$`));
  }
});

test('regression values have 6 significant digits and never exponent notation', () => {
  assert.equal(formatValue(0.5), '0.500000');
  assert.equal(formatValue(-12.3456789), '-12.3457');
  assert.equal(formatValue(0.000123456789), '0.000123457');
  assert.equal(formatValue(1234567.89), '1234568');
  assert.equal(formatValue(1.5e-7), '0.000000150000');
  assert.equal(formatValue(0), '0.00000');
});

test('a long record goes through alone and gets the prediction it gets by itself; one over --max-memory is refused', async (t) => {
  const dir = tempDir(t);
  // A model of no fixed length (--plain: the default recipe would fix it to the training sequences' one length).
  writeFileSync(join(dir, 'train.fa'), toFasta(strandedMotifTask(64, 20, 3, MOTIF, '+')));
  const model = join(dir, 'run');
  const trained = await runCli(['train', '-q', '-o', model, '--plain', '--bidirectional', '--epochs', '1', join(dir, 'train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);
  let state = 7;
  const bases = (n: number) =>
    Array.from({ length: n }, () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return 'ACGT'[state >>> 30];
    }).join('');
  // 60 kbp among 60 bp windows: batched with them it would be padded together with them (and at 1 Mbp asked for
  // a 5-billion-float array).
  const records = [
    ['w1', bases(60)],
    ['contig', bases(60_000)],
    ['w2', bases(60)],
  ] as const;
  writeFileSync(join(dir, 'mixed.fa'), records.map(([id, seq]) => `>${id}\n${seq}\n`).join(''));
  const mixed = await runCli(['classify', '-q', '-m', model, join(dir, 'mixed.fa')]);
  assert.equal(mixed.code, 0, mixed.stderr);
  const { rows } = parseTsv(mixed.stdout);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['w1', 'contig', 'w2'],
  );
  writeFileSync(join(dir, 'contig.fa'), `>contig\n${records[1][1]}\n`);
  const alone = parseTsv((await runCli(['classify', '-q', '-m', model, join(dir, 'contig.fa')])).stdout).rows;
  assert.deepEqual(rows[1], alone[0]);

  // The native pass reads 60 kbp in a few MB; 400 kbp (about 16 MB) is over a 10 MB budget, refused before it runs.
  const budgeted = await runCli(['classify', '-q', '-m', model, '--max-memory', '0.01', join(dir, 'mixed.fa')]);
  assert.equal(budgeted.code, 0, budgeted.stderr);
  assert.equal(budgeted.stdout, mixed.stdout);
  writeFileSync(join(dir, 'mixed.fa'), `>w1\n${records[0][1]}\n>contig\n${bases(400_000)}\n`);
  const refused = await runCli(['classify', '-q', '-m', model, '--max-memory', '0.01', '-o', join(dir, 'out.tsv'), join(dir, 'mixed.fa')]);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /mixed\.fa:3: record 'contig': 400000 bp is too long to read whole \(classify reads each sequence whole\): about 1\d MB, over --max-memory 10 MB; .*rnnseq scan/,
  );
  assert.ok(!existsSync(join(dir, 'out.tsv')));
});
