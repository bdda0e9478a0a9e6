import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pearson, spearman } from '../../src/engine/metrics.js';
import { runCli, tempDir } from '../helpers.js';
import { gcContentTask, parseTsv, toFasta } from './synthetic-tasks.js';

test('a regressor learns GC content end to end and classify writes id, value with 6 significant digits', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), toFasta(gcContentTask(400, 30, 5)));
  const heldOut = gcContentTask(150, 30, 6);
  writeFileSync(join(dir, 'test.fa'), toFasta(heldOut.map((r) => ({ ...r, tags: '' }))));
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-o',
    run,
    '--task',
    'regress',
    '--cell',
    'gru',
    '--hidden',
    '8',
    '--epochs',
    '10',
    '--lr',
    '0.02',
    '--batch-size',
    '32',
    '--threads',
    '1',
    '-q',
    join(dir, 'train.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);

  const classified = await runCli(['classify', '-m', run, '-q', join(dir, 'test.fa')]);
  assert.equal(classified.code, 0, classified.stderr);
  const { header, rows } = parseTsv(classified.stdout);
  assert.deepEqual(header, ['id', 'value']);
  assert.deepEqual(
    rows.map((row) => row[0]),
    heldOut.map((r) => r.id),
    'one row per record, in input order',
  );
  for (const [, value] of rows) {
    assert.match(value!, /^-?\d+\.\d+$/, 'fixed-point, never exponent notation');
    assert.equal(value, Number(value).toPrecision(6), `${value} has 6 significant digits`);
  }
  const predicted = rows.map((row) => Number(row[1]));
  const truth = heldOut.map((r) => r.gc);
  const r = pearson(predicted, truth);
  t.diagnostic(`held-out Pearson ${r.toFixed(3)}, Spearman ${spearman(predicted, truth).toFixed(3)}`);
  assert.ok(r > 0.9, `held-out Pearson ${r}`);
  assert.ok(spearman(predicted, truth) > 0.85, `held-out Spearman ${spearman(predicted, truth)}`);

  // GC content is the same on both strands, so averaging the two strands keeps the fit.
  const averaged = await runCli(['classify', '-m', run, '-q', '--rc', 'average', join(dir, 'test.fa')]);
  assert.equal(averaged.code, 0, averaged.stderr);
  const both = parseTsv(averaged.stdout).rows.map((row) => Number(row[1]));
  assert.ok(pearson(both, truth) > 0.9, `--rc average Pearson ${pearson(both, truth)}`);
});
