/**
 * Same inputs, seed and thread count give byte-identical checkpoints and outputs. The two runs work in
 * different directories with the same relative paths, as two batch jobs would, so the command line recorded in
 * rnnseq.json is the same too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { plantedMotifFasta } from '../motif-data.js';
import { rnnseq } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnseq-repro-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The JSON paths at which two documents differ, for a message that says what is not reproducible. */
function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [path || '(root)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) =>
    differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`),
  );
}

async function inBoth(args: string[], cwds: string[]): Promise<void> {
  const results = await Promise.all(cwds.map((cwd) => rnnseq(args, { cwd })));
  for (const result of results) assert.equal(result.code, 0, `${args.join(' ')}\n${result.stderr}`);
}

test('same data, seed and --threads give byte-identical checkpoints, TSV, BED and bedGraph', async () => {
  const random = new Random(8);
  const genome = `>chrR\n${Array.from({ length: 3000 }, () => 'ACGT'[random.int(4)]).join('')}\n`;
  const jobs = ['job1', 'job2'].map((name) => join(dir, name));
  for (const job of jobs) {
    mkdirSync(job);
    writeFileSync(join(job, 'train.fa'), plantedMotifFasta(160, 20, 4).fasta);
    writeFileSync(join(job, 'test.fa'), plantedMotifFasta(12, 20, 5).fasta);
    writeFileSync(join(job, 'genome.fa'), genome);
  }
  // Dropout and the validation split draw from the seed; both are exercised.
  await inBoth(
    [
      'train',
      '-o',
      'run',
      '--length',
      '20',
      '--cell',
      'gru',
      '--hidden',
      '6',
      '--dropout',
      '0.2',
      '--epochs',
      '3',
      '--batch-size',
      '16',
      '--seed',
      '5',
      '--threads',
      '1',
      '-q',
      'train.fa',
    ],
    jobs,
  );
  await inBoth(['classify', '-q', '-m', 'run', '--threads', '1', '-o', 'classes.tsv', 'test.fa'], jobs);
  await inBoth(
    [
      'scan',
      '-q',
      '-m',
      'run',
      '--class',
      'motif',
      '--threshold',
      '0.5',
      '--threads',
      '1',
      '-o',
      'calls.bed',
      '--bedgraph',
      'scores.bg',
      'genome.fa',
    ],
    jobs,
  );
  await inBoth(['explain', '-q', '-m', 'run', '--target', 'motif', '--threads', '1', '-o', 'effects.tsv', 'test.fa'], jobs);

  const [one, two] = jobs as [string, string];
  for (const file of [
    'run/best/weights.bin',
    'run/last/weights.bin',
    'run/last/optimizer.bin',
    'classes.tsv',
    'calls.bed',
    'scores.bg',
    'effects.tsv',
  ]) {
    assert.ok(readFileSync(join(one, file)).equals(readFileSync(join(two, file))), `${file} differs between two identical runs`);
  }
  assert.ok(readFileSync(join(one, 'scores.bg'), 'utf8').split('\n').length > 100, 'the scan scored the genome');
  for (const file of ['best/rnnseq.json', 'last/rnnseq.json']) {
    const [a, b] = jobs.map((job) => readFileSync(join(job, 'run', file), 'utf8'));
    assert.ok(a === b, `run/${file} differs between two identical runs at ${differingPaths(JSON.parse(a!), JSON.parse(b!)).join(', ')}`);
  }
});
