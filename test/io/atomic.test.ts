import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomically } from '../../src/io/atomic.js';
import { tempDir } from '../helpers.js';

// Linux pids stay below 2^22, so no process ever runs as this one: its temp files are a killed run's litter.
const DEAD_PID = 999_999_999;

test("removeStaleTemps removes only the dead processes' temp copies of that output", async (t) => {
  const dir = tempDir(t);
  const names = [
    `.rnnseq-tmp-${DEAD_PID}-calls.bed`, // a killed scan's half-written calls: removed
    `.rnnseq-tmp-${process.pid}-calls.bed`, // this process's own: kept
    '.rnnseq-tmp-1-calls.bed', // pid 1 runs: may be another rnnseq writing the same path, kept
    `.rnnseq-tmp-${DEAD_PID}-other.bed`, // another output's: not this call's business
    'calls.bed',
  ];
  for (const name of names) writeFileSync(join(dir, name), 'x');
  mkdirSync(join(dir, `.rnnseq-tmp-${DEAD_PID}-last`)); // a killed training's checkpoint directory
  writeFileSync(join(dir, `.rnnseq-tmp-${DEAD_PID}-last`, 'weights.bin'), 'x');
  await removeStaleTemps(join(dir, 'calls.bed'));
  await removeStaleTemps(join(dir, 'last'));
  assert.deepEqual(readdirSync(dir).sort(), names.filter((n) => !n.startsWith(`.rnnseq-tmp-${DEAD_PID}-calls`)).sort());
  await removeStaleTemps(join(dir, 'missing-dir', 'x.bed')); // nothing to do, no error
});

test('writeFileAtomically writes the whole file, clears stale temps and names the path when it cannot write', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'metrics.tsv');
  writeFileSync(join(dir, `.rnnseq-tmp-${DEAD_PID}-metrics.tsv`), 'half');
  await writeFileAtomically(path, 'a\tb\n');
  assert.equal(readFileSync(path, 'utf8'), 'a\tb\n');
  assert.deepEqual(readdirSync(dir), ['metrics.tsv']);
  mkdirSync(join(dir, 'taken'));
  await assert.rejects(writeFileAtomically(join(dir, 'taken'), 'x'), (error: Error) =>
    error.message.startsWith(`cannot write ${join(dir, 'taken')}:`),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['metrics.tsv', 'taken']);
});
