import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';
import { plantedMotifFasta } from '../motif-data.js';
import { Random } from '../../src/seq/random.js';
import { randomDna, toFasta } from './synthetic-tasks.js';

/** A short classifier run on a planted motif (the k-mer baseline finds it), with or without --no-baseline. */
async function train(dir: string, name: string, extra: string[]) {
  const out = join(dir, name);
  const result = await runCli([
    'train',
    '-o',
    out,
    '--hidden',
    '4',
    '--epochs',
    '2',
    '--batch-size',
    '64',
    '--seed',
    '3',
    ...extra,
    join(dir, 'train.fa'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  return { out, result };
}

test('a classifier run fits the k-mer baseline: one log line, a constant metrics column, data.baseline; --no-baseline leaves it out', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), plantedMotifFasta(300, 40, 7).fasta);

  // A learning rate too small to learn anything in 2 epochs: the baseline must win, and train must say so (no
  // k-mer branch candidate, which would start from the baseline: test/cli/train-kmer-branch.test.ts).
  const { out, result } = await train(dir, 'with', ['--lr', '0.00001', '--no-kmer-branch']);
  const line = result.stderr.split('\n').find((l) => l.includes('k-mer baseline ('));
  assert.ok(line, result.stderr);
  assert.match(line, /^k-mer baseline \((?:[a-z-]+ )?\d+-mers, lambda [^)]+\): validation AUROC (\d\.\d{4}) \(\d+\.\d s\)$/);
  const shown = Number(/AUROC (\d\.\d{4})/.exec(line)![1]);
  // The motif decides the label, so a linear model on k-mer counts must clearly beat chance.
  assert.ok(shown > 0.75, `baseline AUROC ${shown}`);

  const spec = JSON.parse(readFileSync(join(out, 'best', 'rnnseq.json'), 'utf8'));
  const modelAuroc = spec.metrics.validAuroc as number;
  assert.ok(modelAuroc < shown, `an untrained model (${modelAuroc}) loses to the baseline (${shown})`);
  assert.match(
    result.stderr,
    new RegExp(`the k-mer baseline beats the model on validation \\(AUROC ${shown.toFixed(4)} vs ${modelAuroc.toFixed(4)}\\)`),
  );
  const baseline = spec.data.baseline;
  assert.equal(baseline.name, 'kmer');
  assert.equal(baseline.metric, 'auroc');
  assert.equal(baseline.validMetric.toFixed(4), shown.toFixed(4));
  assert.equal(baseline.seconds, undefined, 'no wall-clock time in the checkpoint');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'last', 'rnnseq.json'), 'utf8')).data.baseline, baseline);

  const [header, ...rows] = readFileSync(join(out, 'metrics.tsv'), 'utf8').trim().split('\n');
  const columns = header!.split('\t');
  assert.equal(columns.at(-1), 'kmerValidAuroc');
  assert.equal(rows.length, 2);
  for (const row of rows) assert.equal(Number(row.split('\t').at(-1)), baseline.validMetric);

  const report = await runCli(['report', out, '-q']);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, new RegExp(`k-mer baseline at validation</th><td>validAuroc ${shown.toFixed(4)}`));

  const json = await train(dir, 'json', ['--json']);
  const records = json.result.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const recorded = records.find((r) => r.event === 'baseline');
  assert.ok(recorded, json.result.stderr);
  assert.equal(recorded.validMetric, baseline.validMetric, 'the same split, the same baseline');

  const { out: without, result: quiet } = await train(dir, 'without', ['--no-baseline']);
  assert.doesNotMatch(quiet.stderr, /k-mer baseline/);
  assert.equal(JSON.parse(readFileSync(join(without, 'best', 'rnnseq.json'), 'utf8')).data.baseline, undefined);
  assert.ok(!readFileSync(join(without, 'metrics.tsv'), 'utf8').includes('kmer'));
});

/** 40 bp windows that all carry GATTACA: near the start for class 'early', near the end for 'late'. */
function placedFasta(count: number, seed: number): string {
  const random = new Random(seed);
  return toFasta(
    Array.from({ length: count }, (_, i) => {
      const early = i % 2 === 0;
      const at = early ? 1 + random.int(4) : 28 + random.int(4);
      const background = randomDna(random, 40);
      return {
        id: `s${i}`,
        tags: `label=${early ? 'early' : 'late'}`,
        sequence: `${background.slice(0, at)}GATTACA${background.slice(at + 7)}`,
      };
    }),
  );
}

test('small aligned data: positional baseline candidates, the choices by cross-validation, and a model that learns place', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), placedFasta(120, 11));
  writeFileSync(join(dir, 'test.fa'), placedFasta(200, 12));
  const out = join(dir, 'run');
  const trained = await runCli(['train', '-o', out, '--ensemble', '1', '--threads', '1', join(dir, 'train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);
  const cv = trained.stderr.match(
    /small data: 5-fold cross-validation of the k-mer model over all 120 labelled sequences: ([12]-mers at each of 40 positions) best \(lambda ([^)]+)\).*/,
  );
  assert.ok(cv, trained.stderr);
  const classifyBest = cv[0].match(/; ([^;]+) classify best \(lambda ([^)]+)\)/);
  // On small data the baseline (and so a k-mer branch) takes the cross-validation's features that classify best
  // (where they differ from those of the lowest loss, the line names them) and their penalty, not what 12
  // validation sequences would pick.
  const [features, lambda] = classifyBest ? [classifyBest[1], classifyBest[2]] : [cv[1], cv[2]];
  assert.ok(trained.stderr.includes(`k-mer baseline (${features}, lambda ${lambda}): validation AUROC`), trained.stderr);
  assert.match(trained.stderr, /a learned bias per position/);
  assert.doesNotMatch(trained.stderr, /reverse complements too/);
  const spec = JSON.parse(readFileSync(join(out, 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.data.baseline.bins, 40);

  const classified = await runCli(['classify', '-m', out, '-q', join(dir, 'test.fa')]);
  assert.equal(classified.code, 0, classified.stderr);
  const rows = classified.stdout.trim().split('\n').slice(1);
  const correct = rows.filter((row, i) => row.split('\t')[1] === (i % 2 === 0 ? 'early' : 'late')).length;
  t.diagnostic(`held-out accuracy ${correct / rows.length}`);
  assert.ok(correct / rows.length > 0.9, `held-out accuracy ${correct / rows.length}`);
});
