/**
 * HMMER 3 (BSD) as an external program, the tool users name for protein families: every test sequence is searched
 * with phmmer against all training sequences (one call per point, `--cpu 1`, default thresholds), and a class
 * scores the best full-sequence bit score of any of its training sequences: a nearest-neighbour classifier. It has
 * nothing to tune, so it sees all training records, like gkm-SVM. phmmer is looked up on PATH (Debian: hmmer).
 */
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type PointMeta, scorePoint } from './point.js';
import { lastLine, runLogged } from './processes.js';
import type { BenchRecord } from './records.js';
import type { MethodResult } from './result.js';

/**
 * The score of a class with no reported hit: below any bit score phmmer reports (E-value <= 10), and finite, so a
 * binary task's difference of two classes still ranks (one hit beats none; no hit on either side is a tie at 0).
 */
export const NO_HIT_BITS = -1e4;

/** The first executable `phmmer` on PATH, or undefined. */
export function findPhmmer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, 'phmmer');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function hmmerApplies(meta: PointMeta): boolean {
  return meta.alphabet === 'protein';
}

export interface PhmmerHit {
  /** index of the test sequence (the query) */
  query: number;
  /** index of the training sequence (the target) */
  target: number;
  bits: number;
}

/** Hits of a `--tblout` table whose queries are named q0, q1, ... and targets r0, r1, ... */
export function parseTblout(text: string): PhmmerHit[] {
  const hits: PhmmerHit[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // target, its accession, query, its accession, full-sequence E-value, full-sequence bit score, ...
    const fields = line.trim().split(/\s+/);
    hits.push({ target: Number(fields[0]!.slice(1)), query: Number(fields[2]!.slice(1)), bits: Number(fields[5]) });
  }
  return hits;
}

/**
 * Per test sequence and class, the best bit score of any training sequence of that class (NO_HIT_BITS where none
 * was reported). On a conditional task only training sequences of the test sequence's condition count, as the
 * other baselines are fitted per condition value.
 */
export function bestPerClass(
  hits: readonly PhmmerHit[],
  train: readonly BenchRecord[],
  test: readonly BenchRecord[],
  classes: readonly string[],
): number[][] {
  const best = test.map(() => classes.map(() => NO_HIT_BITS));
  for (const { query, target, bits } of hits) {
    const from = train[target]!;
    if (from.condition !== test[query]!.condition) continue;
    const c = classes.indexOf(from.label);
    if (bits > best[query]![c]!) best[query]![c] = bits;
  }
  return best;
}

function fasta(records: readonly BenchRecord[], prefix: string): string {
  return records.map((r, i) => `>${prefix}${i}\n${r.sequence}\n`).join('');
}

export async function runHmmer(
  phmmer: string,
  meta: PointMeta,
  train: readonly BenchRecord[],
  test: readonly BenchRecord[],
  workDir: string,
): Promise<MethodResult> {
  mkdirSync(workDir, { recursive: true });
  const started = performance.now();
  const trainFile = join(workDir, 'train.fa');
  const testFile = join(workDir, 'test.fa');
  const table = join(workDir, 'hits.tbl');
  writeFileSync(trainFile, fasta(train, 'r'));
  writeFileSync(testFile, fasta(test, 'q'));
  const trainSeconds = (performance.now() - started) / 1000;
  const log = join(workDir, 'phmmer.log');
  const searched = await runLogged(phmmer, ['--cpu', '1', '--noali', '--tblout', table, '-o', '/dev/null', testFile, trainFile], log);
  if (searched.code !== 0) return { status: 'failed', detail: `phmmer: ${lastLine(log)}` };
  const classes = [...new Set(train.map((r) => r.label))].sort();
  const best = bestPerClass(parseTblout(readFileSync(table, 'utf8')), train, test, classes);
  const noHit = best.filter((row) => row.every((bits) => bits === NO_HIT_BITS)).length;
  let metric: number;
  if (meta.metric === 'auroc') {
    // One ranking from two classes: how much better the nearest positive scores than the nearest other.
    const k = classes.indexOf(meta.positive!);
    if (k < 0) return { status: 'failed', detail: `no training sequence of the positive class ${meta.positive}` };
    const margin = best.map((row) => [0, row[k]! - Math.max(NO_HIT_BITS, ...row.filter((_, c) => c !== k))]);
    metric = scorePoint(meta, ['other', meta.positive!], margin, test);
  } else {
    // A test sequence with no hit at all goes to the first class (a tie scorePoint breaks in class order): wrong
    // unless by luck, as it should be.
    metric = scorePoint(meta, classes, best, test);
  }
  return {
    status: 'ok',
    metric,
    trainSeconds,
    predictSeconds: searched.seconds,
    detail: `phmmer nearest neighbour (best bit score per class), all training records; ${noHit} of ${test.length} test sequences without a hit`,
  };
}
