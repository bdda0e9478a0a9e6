import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readerFuzzTargets } from '../hardening/reader-fuzz.js';

/** Open file descriptors of this process, from /proc (CI runs on Linux). */
function openFds(): number {
  assert.ok(existsSync('/proc/self/fd'), 'the descriptor-leak check needs /proc');
  return readdirSync('/proc/self/fd').length;
}

test('readers survive 10^4 random and damaged FASTA, gzip, BED, VCF and region inputs', { concurrency: true }, async (t) => {
  // Thousands of tiny files are rewritten: memory-backed /dev/shm makes that 100x cheaper than a disk.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rnnseq-fuzz-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const targets = readerFuzzTargets(dir);
  assert.ok(targets.reduce((sum, target) => sum + target.runs, 0) >= 10_000, 'at least 10^4 cases in CI');
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  const fdsBefore = openFds();
  // Concurrently: each case waits mostly on file-system round trips, which then overlap.
  await Promise.all(targets.map((target) => t.test(`${target.name} (${target.runs} cases)`, () => target.run(target.runs, seed))));
  // An error path that forgot to close its file would show up here long before it ran out of descriptors.
  assert.ok(openFds() <= fdsBefore + 4, `file descriptors leaked: ${fdsBefore} before, ${openFds()} after`);
});
