/**
 * The recurrent model as a user runs it: `rnnseq train -o RUN train.fa` with data only (plus --seed, and
 * --condition-tag where the task's label depends on a header tag), then `rnnseq classify -m RUN test.fa`. A recipe
 * column adds its flags to train. The CLI is the one of the checkout this bench was built in (bin/rnnseq, run with
 * the same node), so the lead can run the bench in any checkout.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type PointMeta, TEST_FILE, TRAIN_FILE, scorePoint } from './point.js';
import { lastLine, runLogged } from './processes.js';
import type { BenchRecord } from './records.js';
import type { MethodResult } from './result.js';

export interface RnnseqCli {
  node: string;
  script: string;
}

export function rnnseqCli(repoRoot: string): RnnseqCli {
  const script = join(repoRoot, 'bin', 'rnnseq');
  if (!existsSync(join(repoRoot, 'dist', 'src', 'cli.js')))
    throw new Error(`${repoRoot} is not built (dist/src/cli.js missing): run npm run build`);
  return { node: process.execPath, script };
}

export async function runRnnseq(
  cli: RnnseqCli,
  meta: PointMeta,
  pointDir: string,
  workDir: string,
  flags: readonly string[],
  threads: number,
  test: BenchRecord[],
  keep: boolean,
): Promise<MethodResult> {
  const runDir = join(workDir, 'run');
  const predictions = join(workDir, 'predictions.tsv');
  const log = join(workDir, 'rnnseq.log');
  mkdirSync(workDir, { recursive: true });
  rmSync(runDir, { recursive: true, force: true });
  rmSync(log, { force: true });
  const env = { ...process.env, RNNSEQ_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const context = meta.conditionTag ? ['--condition-tag', meta.conditionTag] : [];
  const trained = await runLogged(
    cli.node,
    [cli.script, 'train', '-o', runDir, '--seed', String(meta.seed), ...context, ...flags, join(pointDir, TRAIN_FILE)],
    log,
    env,
  );
  if (trained.code !== 0) return { status: 'failed', detail: `train: ${lastLine(log)}` };
  const classified = await runLogged(
    cli.node,
    [cli.script, 'classify', '-m', runDir, '-o', predictions, join(pointDir, TEST_FILE)],
    log,
    env,
  );
  if (classified.code !== 0) return { status: 'failed', detail: `classify: ${lastLine(log)}` };

  const [header, ...rows] = readFileSync(predictions, 'utf8').trim().split('\n');
  const classes = header!
    .split('\t')
    .slice(2)
    .map((c) => c.replace(/^p_/, ''));
  const scores = rows.map((line) => line.split('\t').slice(2).map(Number));
  if (scores.length !== test.length)
    return { status: 'failed', detail: `classify wrote ${scores.length} rows for ${test.length} test records` };
  const detail = describeRun(join(runDir, 'metrics.tsv'));
  if (!keep) rmSync(runDir, { recursive: true, force: true });
  return {
    status: 'ok',
    metric: scorePoint(meta, classes, scores, test),
    trainSeconds: trained.seconds,
    predictSeconds: classified.seconds,
    detail,
  };
}

/** "20 epochs, best 14 (valid acc 0.9123, auroc 0.9500)" from metrics.tsv. */
function describeRun(metricsFile: string): string {
  if (!existsSync(metricsFile)) return '';
  const [header, ...lines] = readFileSync(metricsFile, 'utf8').trim().split('\n');
  const columns = header!.split('\t');
  const at = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
  const rows = lines.map((l) => l.split('\t'));
  let best = rows[0]!;
  for (const row of rows) if (at(row, 'improved') === 'true') best = row;
  const num = (s: string) => (s === '' || s === 'NaN' ? '-' : Number(s).toFixed(4));
  return `${rows.length} epochs, best ${at(best, 'epoch')} (valid acc ${num(at(best, 'validAccuracy'))}, auroc ${num(at(best, 'validAuroc'))})`;
}
