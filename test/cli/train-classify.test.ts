import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plantedMotifFasta } from '../motif-data.js';
import { runCli, tempDir } from '../helpers.js';

test('train then classify learns the planted motif end to end (>95% held-out)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), plantedMotifFasta(600, 24, 11).fasta);
  const heldOut = plantedMotifFasta(200, 24, 12);
  writeFileSync(join(dir, 'test.fa'), heldOut.fasta);
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-o',
    run,
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--pool',
    'max',
    '--epochs',
    '20',
    '--lr',
    '0.01',
    '--json',
    join(dir, 'train.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.equal(trained.stdout, '', 'train writes nothing to stdout');
  const events = trained.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(
    events.some((e) => e.backend),
    'the backend is announced in the JSON log',
  );
  assert.ok(events.filter((e) => e.event === 'epoch').length >= 1);
  for (const file of ['best/rnnseq.json', 'best/weights.bin', 'last/optimizer.bin', 'metrics.tsv'])
    assert.ok(existsSync(join(run, file)), file);
  assert.deepEqual(
    readdirSync(run).filter((f) => f.startsWith('.')),
    [],
    'no temp files left',
  );

  const classified = await runCli(['classify', '-m', run, '-q', join(dir, 'test.fa')]);
  assert.equal(classified.code, 0, classified.stderr);
  const rows = classified.stdout.trim().split('\n');
  assert.deepEqual(rows[0]!.split('\t'), ['id', 'label', 'p_background', 'p_motif']);
  assert.equal(rows.length, 201);
  let correct = 0;
  rows.slice(1).forEach((row, i) => {
    const [id, label, p0, p1] = row.split('\t');
    assert.equal(id, `s${i}`, 'input order is kept');
    assert.ok(Math.abs(Number(p0) + Number(p1) - 1) < 1e-5);
    if (label === heldOut.labels[i]) correct++;
  });
  assert.ok(correct / 200 > 0.95, `held-out accuracy ${correct / 200}`);

  const viaStdin = await runCli(['classify', '-m', join(run, 'best'), '-q', '-'], { input: readFileSync(join(dir, 'test.fa'), 'utf8') });
  assert.equal(viaStdin.stdout, classified.stdout, 'stdin gives the same answer as a file');
});

test('classify reports a bad character with file, line and record, exits 2 and leaves no output file', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.fa');
  writeFileSync(bad, '>ok\nACGT\n>broken desc\nACGT\nACXQ\n');
  const out = join(dir, 'out.tsv');
  const result = await runCli(['classify', '-m', 'splice-primate', '-o', out, bad]);
  assert.equal(result.code, 2);
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((l) => !/backend/.test(l));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /bad\.fa:5: record 'broken': invalid character 'X' at column 3/);
  assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(dir).sort(), ['bad.fa']);
});

test('train refuses a single-class data set and a missing file with one-line errors', async (t) => {
  const dir = tempDir(t);
  const one = join(dir, 'one.fa');
  writeFileSync(one, '>a label=x\nACGT\n>b label=x\nACGA\n');
  const single = await runCli(['train', '-o', join(dir, 'r'), '-q', one]);
  assert.equal(single.code, 2);
  assert.match(single.stderr, /at least two classes/);
  const missing = await runCli(['train', '-o', join(dir, 'r'), '-q', join(dir, 'nope.fa')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.fa/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const badOption = await runCli(['train', '-o', join(dir, 'r'), '--hidden', '0', one]);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /--hidden must be an integer >= 1/);
});

test('--help answers for every command and shows an example', async () => {
  for (const args of [['--help'], ['train', '--help'], ['classify', '--help'], ['doctor', '--help']]) {
    const result = await runCli(args);
    assert.equal(result.code, 0, args.join(' '));
    assert.match(result.stdout, /\$ rnnseq /);
  }
});
