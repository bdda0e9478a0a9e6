/**
 * train --composition end to end: the branch is written into the checkpoint (strand-merged when the training set
 * holds reverse complements), and classify, embed and explain read the model; bad combinations are usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { gcContentTask, toFasta } from './synthetic-tasks.js';

const QUICK = ['--hidden', '4', '--epochs', '2', '--batch-size', '32', '--threads', '1', '--no-baseline', '-q'];

test('a model trained with --composition classifies, embeds and explains; the checkpoint holds the branch', async (t) => {
  const dir = tempDir(t);
  const records = gcContentTask(60, 40, 3).map((r) => ({ ...r, tags: `label=${r.gc > 0.5 ? 'rich' : 'poor'}` }));
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records));
  const model = join(dir, 'run');
  const trained = await runCli(['train', '-o', model, ...QUICK, '--composition', '3', '--rc-augment', fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(model, 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.architecture.composition.k, 3);
  assert.equal(spec.architecture.composition.canonical, true, 'reverse complements in training: strand-merged words');
  assert.equal(spec.architecture.composition.mean.length, 2 + 10 + 32);

  const query = join(dir, 'query.fa');
  writeFileSync(query, toFasta(records.slice(0, 5)));
  const classified = await runCli(['classify', '-m', model, '-q', query]);
  assert.equal(classified.code, 0, classified.stderr);
  assert.equal(classified.stdout.trim().split('\n').length, 1 + 5);
  const embedded = await runCli(['embed', '-m', model, '-q', query]);
  assert.equal(embedded.code, 0, embedded.stderr);
  assert.equal(embedded.stdout.trim().split('\n').length, 5 + 1);
  const explained = await runCli(['explain', '-m', model, '-q', '--target', 'rich', query]);
  assert.equal(explained.code, 0, explained.stderr);
  assert.ok(explained.stdout.trim().split('\n').length > 5);
});

test('--composition is refused for a language model, past 6, and where the alphabet makes too many words', async (t) => {
  const dir = tempDir(t);
  const protein = join(dir, 'protein.fa');
  writeFileSync(
    protein,
    '>a label=x\nMKVLAAGIVGLLLAWQ\n>b label=y\nMSTNPKPQRKTKRNTN\n>c label=x\nMKVLAAGIVGLLLAWQ\n>d label=y\nMSTNPKPQRKTKRNTN\n',
  );
  const cases: Array<[string[], RegExp]> = [
    [['--task', 'lm', '--composition', '2', protein], /--composition feeds a pooled head/],
    [['--composition', '7', protein], /--composition/],
    [['--composition', '3', protein], /k-mer frequencies for a \d+-letter alphabet/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(['train', '-o', join(dir, `run${args.length}${args[1]}`), ...QUICK, ...args]);
    assert.notEqual(result.code, 0, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  }
});
