/**
 * The long fuzzing run: the reader properties of test/io/fuzz-readers.test.ts with 10x their CI cases (10^5 in
 * all) by default, or `--scale N` times, and `--seed S` to replay a failure that fast-check reported.
 *
 *   npm run build && node dist/bench/fuzz.js            # ~10^5 cases
 *   node dist/bench/fuzz.js --scale 100 --seed 42       # ~10^6, a fixed seed
 *
 * Exits 1 on the first property that fails, with fast-check's counterexample and seed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readerFuzzTargets } from '../test/hardening/reader-fuzz.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '10' }, seed: { type: 'string' } } });
const scale = Number(values.scale);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (!(scale > 0) || (seed !== undefined && !Number.isInteger(seed))) {
  process.stderr.write('usage: node dist/bench/fuzz.js [--scale N] [--seed S]\n');
  process.exit(2);
}

const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rnnseq-fuzz-'));
let failed = false;
let total = 0;
const started = performance.now();
try {
  for (const target of readerFuzzTargets(dir)) {
    const runs = Math.round(target.runs * scale);
    const t0 = performance.now();
    try {
      await target.run(runs, seed);
      total += runs;
      process.stdout.write(
        `ok    ${runs.toString().padStart(8)} cases  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${target.name}\n`,
      );
    } catch (error) {
      failed = true;
      process.stdout.write(`FAIL  ${target.name}\n${(error as Error).message}\n`);
      break;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${failed ? 'failed' : 'passed'}: ${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
process.exitCode = failed ? 1 : 0;
