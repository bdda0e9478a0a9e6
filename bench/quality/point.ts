/**
 * One point of the benchmark (task x training size x seed): its files on disk, shared by every method so they
 * all see the same split, and the metric every method is scored with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auroc } from '../../src/engine/metrics.js';
import { Random } from '../../src/seq/random.js';
import { stratifiedSplit } from '../../src/seq/dataset.js';
import { orderClasses } from '../../src/seq/labels.js';
import type { BenchRecord } from './records.js';
import { readTagged } from './records.js';
import type { Metric } from './tasks.js';

/** What rnnseq holds out for validation by default; the baselines choose their settings on the same records. */
export const RNNSEQ_VALID_FRACTION = 0.1;

export interface PointMeta {
  task: string;
  size: number;
  full: boolean;
  seed: number;
  alphabet: 'dna' | 'rna' | 'protein';
  metric: Metric;
  positive?: string;
  conditionTag?: string;
  /** every train and test sequence has this length (else null) */
  fixedLength: number | null;
  rdp: boolean;
  trainCount: number;
  testCount: number;
}

export const TRAIN_FILE = 'train.fa';
export const TEST_FILE = 'test.fa';
export const META_FILE = 'meta.json';

export function readMeta(dir: string): PointMeta {
  return JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as PointMeta;
}

export async function readPoint(dir: string): Promise<{ meta: PointMeta; train: BenchRecord[]; test: BenchRecord[] }> {
  const meta = readMeta(dir);
  const options = meta.conditionTag ? { conditionTag: meta.conditionTag } : {};
  return { meta, train: await readTagged(join(dir, TRAIN_FILE), options), test: await readTagged(join(dir, TEST_FILE), options) };
}

/**
 * rnnseq's own validation split of a training file (src/seq/record-training.ts: classes sorted, stratified 10%,
 * Random(seed)), rebuilt from the same functions so the baselines tune on exactly the records the model validates on.
 */
export function rnnseqSplit(
  train: readonly BenchRecord[],
  seed: number,
): { classes: string[]; labels: Int32Array; fit: number[]; valid: number[] } {
  const classes = orderClasses(train.map((r) => r.label));
  const labels = Int32Array.from(train, (r) => classes.indexOf(r.label));
  const split = stratifiedSplit(labels, RNNSEQ_VALID_FRACTION, new Random(seed));
  return { classes, labels, fit: split.train, valid: split.valid };
}

/**
 * The point's metric from per-class scores: AUROC of the positive class's score for binary tasks, accuracy of the
 * highest score otherwise. scores[i][c] follows `classes`.
 */
export function scorePoint(
  meta: PointMeta,
  classes: readonly string[],
  scores: readonly Float64Array[] | readonly number[][],
  test: readonly BenchRecord[],
): number {
  if (meta.metric === 'auroc') {
    const k = classes.indexOf(meta.positive!);
    if (k < 0) throw new Error(`positive class ${meta.positive} is not among ${classes.join(', ')}`);
    return auroc(
      scores.map((row) => row[k]!),
      test.map((r) => r.label === meta.positive),
    );
  }
  let right = 0;
  test.forEach((r, i) => {
    const row = scores[i]!;
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    if (classes[best] === r.label) right++;
  });
  return right / test.length;
}
