/**
 * gkm-SVM (LS-GKM, GPL-3) as an external program: its source from ../shared/peers/lsgkm/src is copied to a cache
 * directory outside the repository and outside ../shared (read-only in CI) and built there with make the first
 * time; never linked or copied into rnnseq. Binary nucleotide tasks only; RNA is written with T for U. Default
 * settings (l=11, k=7, d=3, C=1) and -T 1, trained on all training records (it has no validation-chosen setting).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PointMeta, scorePoint } from './point.js';
import { lastLine, runLogged } from './processes.js';
import type { BenchRecord } from './records.js';
import type { MethodResult } from './result.js';

export interface GkmTools {
  train: string;
  predict: string;
  /** where it was built from and into, for the report */
  note: string;
}

export async function ensureGkm(peersDir: string, cacheDir: string): Promise<GkmTools> {
  const buildDir = join(cacheDir, 'lsgkm', 'src');
  const tools = { train: join(buildDir, 'gkmtrain'), predict: join(buildDir, 'gkmpredict') };
  const note = `LS-GKM built from ${join(peersDir, 'lsgkm', 'src')} in ${buildDir}`;
  if (existsSync(tools.train) && existsSync(tools.predict)) return { ...tools, note };
  const source = join(peersDir, 'lsgkm', 'src');
  if (!existsSync(join(source, 'Makefile'))) throw new Error(`LS-GKM source not found at ${source} (give --peers DIR)`);
  mkdirSync(join(cacheDir, 'lsgkm'), { recursive: true });
  cpSync(source, buildDir, { recursive: true });
  const log = join(cacheDir, 'lsgkm', 'build.log');
  const made = await runLogged('make', ['-C', buildDir], log);
  if (made.code !== 0 || !existsSync(tools.train)) throw new Error(`building LS-GKM failed (see ${log}): ${lastLine(log)}`);
  return { ...tools, note: `${note} (built in ${made.seconds.toFixed(0)} s)` };
}

export function gkmApplies(meta: PointMeta): boolean {
  return meta.metric === 'auroc' && meta.alphabet !== 'protein';
}

function dnaFasta(records: Array<{ id: string; sequence: string }>): string {
  return records.map((r) => `>${r.id}\n${r.sequence.replace(/[Uu]/g, (u) => (u === 'U' ? 'T' : 't'))}\n`).join('');
}

/** Fits per condition value on a conditional task (a sequence-only tool cannot see the condition otherwise). */
export async function runGkm(
  tools: GkmTools,
  meta: PointMeta,
  train: BenchRecord[],
  test: BenchRecord[],
  workDir: string,
): Promise<MethodResult> {
  mkdirSync(workDir, { recursive: true });
  const log = join(workDir, 'gkm.log');
  const conditions = meta.conditionTag ? [...new Set(train.map((r) => r.condition ?? ''))].sort() : [undefined];
  const scores = test.map(() => [0, 0]);
  let trainSeconds = 0;
  let predictSeconds = 0;
  for (const [n, condition] of conditions.entries()) {
    const inGroup = (r: BenchRecord) => condition === undefined || r.condition === condition;
    const part = (suffix: string) => join(workDir, `${n}.${suffix}`);
    const positives = train.filter((r) => inGroup(r) && r.label === meta.positive).map((r, i) => ({ id: `p${i}`, sequence: r.sequence }));
    const negatives = train.filter((r) => inGroup(r) && r.label !== meta.positive).map((r, i) => ({ id: `n${i}`, sequence: r.sequence }));
    const testRows = test.map((r, i) => ({ r, i })).filter(({ r }) => inGroup(r));
    writeFileSync(part('pos.fa'), dnaFasta(positives));
    writeFileSync(part('neg.fa'), dnaFasta(negatives));
    writeFileSync(part('test.fa'), dnaFasta(testRows.map(({ r, i }) => ({ id: `t${i}`, sequence: r.sequence }))));
    const fitted = await runLogged(tools.train, ['-T', '1', part('pos.fa'), part('neg.fa'), part('gkm')], log);
    if (fitted.code !== 0) return { status: 'failed', detail: `gkmtrain: ${lastLine(log)}` };
    trainSeconds += fitted.seconds;
    const predicted = await runLogged(tools.predict, ['-T', '1', part('test.fa'), part('gkm.model.txt'), part('scores.txt')], log);
    if (predicted.code !== 0) return { status: 'failed', detail: `gkmpredict: ${lastLine(log)}` };
    predictSeconds += predicted.seconds;
    for (const line of readFileSync(part('scores.txt'), 'utf8').split('\n')) {
      const [id, score] = line.split('\t');
      if (id?.startsWith('t')) scores[Number(id.slice(1))] = [0, Number(score)];
    }
  }
  return {
    status: 'ok',
    metric: scorePoint(meta, ['other', meta.positive!], scores, test),
    trainSeconds,
    predictSeconds,
    detail: 'l=11 k=7 d=3 (defaults), -T 1',
  };
}
