/**
 * Interruptions, as batch systems deliver them, to real child processes: SIGINT and SIGTERM stop training with a
 * resumable last/ (exit 130 / 143), `kill -9` loses at most the epoch in progress, and in every case `--resume`
 * ends with the weights of a run never interrupted. A scan, classify or explain stopped by a signal leaves no
 * output file and no temp file behind, and a previous output of the same name untouched.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { readCheckpoint } from '../../src/io/checkpoint-store.js';
import { signalExitCode } from '../../src/io/interrupt.js';
import { plantedMotifFasta } from '../motif-data.js';
import { assertOneLineError, interruptWhen, litter, rnnseq } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnseq-interrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The epoch last/ holds, or 0 while there is none (or it is being replaced at this instant). */
function lastEpoch(run: string): number {
  try {
    const spec = JSON.parse(readFileSync(join(run, 'last', 'rnnseq.json'), 'utf8')) as {
      training?: { epoch?: number; state?: { epochsDone?: number } };
    };
    return spec.training?.state?.epochsDone ?? spec.training?.epoch ?? 0;
  } catch {
    return 0;
  }
}

// All at once, beside the uninterrupted reference run: --threads 1 makes each result independent of the load.
describe('training interrupted by SIGINT, SIGTERM or kill -9 resumes to the same weights', { concurrency: true }, () => {
  const data = join(dir, 'train.fa');
  writeFileSync(data, plantedMotifFasta(400, 16, 5).fasta);
  const EPOCHS = '6';
  const common = [
    '--hidden',
    '6',
    '--dropout',
    '0.2',
    '--batch-size',
    '16',
    '--patience',
    '0',
    '--seed',
    '9',
    '--threads',
    '1',
    '-q',
    data,
  ];
  const straight = rnnseq(['train', '-o', join(dir, 'straight'), '--epochs', EPOCHS, ...common]);

  /** Starts a run, waits until last/ holds `epoch`, delivers `signal`; returns the stopped run's result. */
  async function interrupted(name: string, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL', epoch: number) {
    const run = join(dir, name);
    const result = await interruptWhen(
      ['train', '-o', run, '--epochs', EPOCHS, ...common],
      {},
      () => lastEpoch(run) >= epoch,
      signal,
      `${name}: epoch ${epoch} in last/`,
    );
    return { run, result };
  }

  async function assertResumesLikeStraight(run: string): Promise<void> {
    const resumed = await rnnseq(['train', '-o', run, '--resume', '--epochs', EPOCHS, ...common]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const reference = await straight;
    assert.equal(reference.code, 0, reference.stderr);
    for (const file of ['last/weights.bin', 'best/weights.bin']) {
      assert.ok(
        readFileSync(join(run, file)).equals(readFileSync(join(dir, 'straight', file))),
        `${file} differs from the uninterrupted run`,
      );
    }
    assert.equal(lastEpoch(run), Number(EPOCHS));
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal}: exit ${signalExitCode(signal)}, a resumable last/, no litter`, async () => {
      const { run, result } = await interrupted(signal.toLowerCase(), signal, 1);
      assert.equal(result.code, signalExitCode(signal), result.stderr);
      assert.match(result.stderr, /^rnnseq: warning: interrupted; .*last holds epoch [1-5]: continue with --resume\n$/);
      assert.deepEqual(litter(run), []);
      await assertResumesLikeStraight(run);
    });
  }

  test('kill -9 after epoch 2 loses at most the epoch in progress', async () => {
    const { run, result } = await interrupted('kill9', 'SIGKILL', 2);
    assert.equal(result.signal, 'SIGKILL');
    // Read as --resume reads it: a kill between the two renames of a save leaves last/ in its previous copy.
    const { spec } = await readCheckpoint(join(run, 'last'), []);
    assert.ok(((spec as { training: { epoch: number } }).training.epoch ?? 0) >= 2, 'last/ survived the kill');
    await assertResumesLikeStraight(run);
    assert.deepEqual(litter(run), [], "the killed run's temp copies are gone once it resumed");
  });
});

describe('scan, classify and explain stopped by a signal leave no partial output', () => {
  const random = new Random(4);
  const genome = join(dir, 'genome.fa');
  writeFileSync(
    genome,
    `>chrS\n${Array.from({ length: 5000 }, () => Array.from({ length: 60 }, () => 'ACGT'[random.int(4)]).join('')).join('\n')}\n`,
  );
  const reads = join(dir, 'reads.fa');
  writeFileSync(
    reads,
    Array.from({ length: 20_000 }, (_, i) => `>r${i}\n${Array.from({ length: 60 }, () => 'ACGT'[random.int(4)]).join('')}\n`).join(''),
  );

  /** A temp file that has received data: the command is past its start and writing. */
  function writingTemp(work: string): boolean {
    return readdirSync(work).some((name) => name.startsWith('.rnnseq-tmp-') && statSync(join(work, name)).size > 0);
  }

  const runs: Array<{ name: string; signal: 'SIGINT' | 'SIGTERM'; args: string[]; outputs: string[] }> = [
    {
      name: 'scan',
      signal: 'SIGTERM',
      args: ['scan', '-q', '-m', 'chloroplast-cds', '--threshold', '0.5', '-o', 'calls.bed', '--bedgraph', 'scores.bg', genome],
      outputs: ['calls.bed', 'scores.bg'],
    },
    {
      name: 'classify',
      signal: 'SIGINT',
      args: ['classify', '-q', '-m', 'splice-primate', '--batch-size', '64', '-o', 'calls.tsv', reads],
      outputs: ['calls.tsv'],
    },
    {
      name: 'explain',
      signal: 'SIGTERM',
      args: ['explain', '-q', '-m', 'splice-primate', '--target', 'EI', '-o', 'effects.tsv', reads],
      outputs: ['effects.tsv'],
    },
  ];
  for (const { name, signal, args, outputs } of runs) {
    test(`${name} stopped by ${signal}: exit ${signalExitCode(signal)}, the previous output untouched, no temp file`, async () => {
      const work = join(dir, name);
      mkdirSync(work);
      writeFileSync(join(work, outputs[0]!), 'previous run\n');
      const stopped = await interruptWhen(args, { cwd: work }, () => writingTemp(work), signal, `${name} writes its output`);
      assertOneLineError(
        stopped,
        signalExitCode(signal),
        new RegExp(`^rnnseq: interrupted by ${signal}; ${outputs.join(', ')} not written$`),
      );
      assert.equal(readFileSync(join(work, outputs[0]!), 'utf8'), 'previous run\n');
      for (const output of outputs.slice(1)) assert.ok(!existsSync(join(work, output)), output);
      assert.deepEqual(litter(work), []);
    });
  }
});
