import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plantedMotifFasta } from '../motif-data.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

/** Trains on the planted-motif task with one engine and returns held-out accuracy and the final weights. */
async function trainAndScore(dir: string, name: string, engineArgs: string[], env: Record<string, string> = {}) {
  const run = join(dir, name);
  const trained = await runCli(
    [
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
      '--seed',
      '3',
      '--threads',
      '2',
      ...engineArgs,
      join(dir, 'train.fa'),
    ],
    { env },
  );
  assert.equal(trained.code, 0, trained.stderr);
  const classified = await runCli(['classify', '-q', '-m', run, ...engineArgs, join(dir, 'test.fa')], { env });
  assert.equal(classified.code, 0, classified.stderr);
  const labels = readFileSync(join(dir, 'test.fa'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('>'))
    .map((l) => l.split('label=')[1]);
  const predicted = classified.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t')[1]);
  const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
  return { accuracy, log: trained.stderr, weights: readFileSync(join(run, 'last', 'weights.bin')) };
}

test('native and reference engines both learn the planted motif, and say which one ran', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), plantedMotifFasta(600, 20, 21).fasta);
  writeFileSync(join(dir, 'test.fa'), plantedMotifFasta(200, 20, 22).fasta);
  const native = await trainAndScore(dir, 'native', ['--engine', 'native']);
  const nativeAgain = await trainAndScore(dir, 'native-again', ['--engine', 'native']);
  const reference = await trainAndScore(dir, 'reference', [], { RNNSEQ_ENGINE: 'ref' });
  assert.match(native.log, /engine native \((avx512f|avx2|generic), 2 threads\)/);
  assert.match(reference.log, /engine reference/);
  assert.ok(native.accuracy > 0.95, `native held-out accuracy ${native.accuracy}`);
  assert.ok(reference.accuracy > 0.95, `reference held-out accuracy ${reference.accuracy}`);
  assert.ok(native.weights.equals(nativeAgain.weights), 'same seed and threads must give identical weights');
});

test('--backend cpu with -q writes nothing to stderr (TensorFlow.js cpu banner off), and the same rows as wasm', async () => {
  const fixture = join(repoRoot, 'fixtures', 'splice-sample.fa');
  const cpu = await runCli(['classify', '-q', '-m', 'splice-primate', '--backend', 'cpu', fixture]);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.equal(cpu.stderr, '');
  const wasm = await runCli(['classify', '-q', '-m', 'splice-primate', fixture]);
  assert.equal(cpu.stdout.split('\n').length, 42);
  assert.equal(cpu.stdout, wasm.stdout);
});
