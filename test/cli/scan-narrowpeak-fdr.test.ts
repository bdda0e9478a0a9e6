/**
 * scan --format narrowpeak with a model that stores a null: pValue and qValue are the calls' p and q as -log10
 * (not -1), for --fdr calls, for --threshold calls (p only), and for --gather of shard candidates, which must
 * equal the whole run's narrowPeak byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rewriteSpec } from '../../src/commands/shared/checkpoints.js';
import { buildNullDistribution } from '../../src/scan/null-model.js';
import { runCli, tempDir, useCpuBackend } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';
import { randomScanner } from './random-scanner.js';

await useCpuBackend();

const rows = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));

async function scan(args: string[]): Promise<string> {
  const result = await runCli(['scan', '-q', ...args]);
  assert.equal(result.code, 0, `${args.join(' ')}\n${result.stderr}`);
  return result.stdout;
}

/**
 * A random scanner given a null: the lower 80% of its own window scores on the genome, so its top windows are
 * significant and the calls are many. (What the null means does not matter here; that narrowPeak carries it does.)
 */
async function scannerWithNull(dir: string, genome: string): Promise<string> {
  const model = await randomScanner(dir);
  await scan(['-m', model, genome, '--threshold', '1', '--stride', '1', '--bedgraph', join(dir, 'all.bg'), '-o', join(dir, 'none.bed')]);
  const scores = rows(readFileSync(join(dir, 'all.bg'), 'utf8'))
    .map((r) => Number(r[3]))
    .sort((a, b) => a - b);
  const background = buildNullDistribution(scores.slice(0, Math.floor(scores.length * 0.8)));
  await rewriteSpec(model, (spec) => ({
    ...spec,
    nullScores: {
      source: 'test: the lower 80% of the genome windows',
      seed: 1,
      distributions: Object.fromEntries(['+', '-', 'both-max', 'both-mean'].map((strand) => [`hit|${strand}`, background])),
    },
  }));
  return model;
}

const minusLog10 = (p: string) => -Math.log10(Number(p));

test('scan --format narrowpeak writes -log10 p and q from --fdr calling, p alone for --threshold calls, and --gather of shards equals the whole run', async (t) => {
  const dir = tempDir(t);
  const genome = writeFasta(dir, 'g.fa', [
    ['chr1', randomBases(6000, 71)],
    ['chr2', randomBases(3000, 72)],
  ]);
  const model = await scannerWithNull(dir, genome);

  const bed = rows(await scan(['-m', model, genome, '--fdr', '0.05']));
  const peaks = rows(await scan(['-m', model, genome, '--fdr', '0.05', '--format', 'narrowpeak']));
  assert.ok(bed.length >= 5, `${bed.length} FDR calls`);
  assert.equal(peaks.length, bed.length);
  peaks.forEach((peak, i) => {
    const call = bed[i]!;
    assert.equal(peak.length, 10);
    assert.deepEqual(peak.slice(0, 6), call.slice(0, 6));
    const [p, q] = [call[9]!, call[10]!];
    assert.ok(Number(p) > 0 && Number(p) <= Number(q) && Number(q) <= 0.05, `p <= q <= 0.05: ${call.join(' ')}`);
    // BED rounds p and q to 3 significant digits; narrowPeak keeps 4 decimals of -log10 of the exact values.
    assert.ok(Math.abs(Number(peak[7]) - minusLog10(p)) < 0.003, `pValue ${peak[7]} = -log10(${p})`);
    assert.ok(Math.abs(Number(peak[8]) - minusLog10(q)) < 0.003, `qValue ${peak[8]} = -log10(${q})`);
    assert.ok(Number(peak[7]) >= Number(peak[8]), 'p <= q, so -log10 p >= -log10 q');
  });

  // --threshold with a null: each call's best-window p, no q.
  const thresholded = rows(await scan(['-m', model, genome, '--threshold', '0.5', '--format', 'narrowpeak']));
  assert.ok(thresholded.length > 0);
  assert.ok(
    thresholded.every((peak) => Number(peak[7]) > 0 && peak[8] === '-1'),
    'pValue from the null, qValue -1',
  );

  // Shards write candidate windows; --gather --format narrowpeak turns them into the whole run's narrowPeak.
  const parts: string[] = [];
  for (const shard of ['1/3', '2/3', '3/3']) {
    const part = join(dir, `part${shard[0]}.tsv`);
    await scan(['-m', model, genome, '--fdr', '0.05', '--shard', shard, '-o', part]);
    parts.push(part);
  }
  const gathered = await scan(['--gather', ...parts, '--format', 'narrowpeak']);
  assert.equal(gathered, await scan(['-m', model, genome, '--fdr', '0.05', '--format', 'narrowpeak']));
  assert.equal(rows(gathered).length, peaks.length);
});
