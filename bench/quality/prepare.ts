/** Where the shared data live, and writing one point's files (train.fa, test.fa, meta.json) for every method to read. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { META_FILE, type PointMeta, TEST_FILE, TRAIN_FILE } from './point.js';
import { type BenchRecord, seededRandom, stratifiedSample, writeTagged } from './records.js';
import type { BenchTask } from './tasks.js';

/** The nearest shared/ above a checkout that holds data/ (a main checkout's sibling, or a worktree's). */
export function findShared(from: string): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'data'))) return join(dir, 'shared');
  }
  return join(dirname(from), 'shared');
}

/**
 * The training records of a point: the whole training split ('full'), or a stratified subsample of `size`, or
 * undefined when `size` is not below the split's size (that point is the full one).
 */
export function pointTraining(task: BenchTask, train: BenchRecord[], size: number | 'full', seed: number): BenchRecord[] | undefined {
  if (size === 'full') return train;
  if (size >= train.length) return undefined;
  return stratifiedSample(train, size, seededRandom(task.name, seed, `subsample-${size}`));
}

export function writePoint(
  dir: string,
  task: BenchTask,
  chosen: BenchRecord[],
  test: BenchRecord[],
  seed: number,
  full: boolean,
): PointMeta {
  mkdirSync(dir, { recursive: true });
  const lengths = new Set([...chosen, ...test].map((r) => r.sequence.length));
  const meta: PointMeta = {
    task: task.name,
    size: chosen.length,
    full,
    seed,
    alphabet: task.alphabet,
    metric: task.metric,
    ...(task.positive ? { positive: task.positive } : {}),
    ...(task.conditionTag ? { conditionTag: task.conditionTag } : {}),
    fixedLength: lengths.size === 1 ? [...lengths][0]! : null,
    rdp: task.rdp ?? false,
    trainCount: chosen.length,
    testCount: test.length,
  };
  writeTagged(join(dir, TRAIN_FILE), chosen, task.conditionTag);
  writeTagged(join(dir, TEST_FILE), test, task.conditionTag);
  writeFileSync(join(dir, META_FILE), `${JSON.stringify(meta, null, 1)}\n`);
  return meta;
}
