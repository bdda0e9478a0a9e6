/**
 * train --background (src/commands/train/background-shuffles.ts) from the command line: the named or detected
 * background class gains shuffles of its training sequences, recorded in the checkpoint; the classifier's null then
 * shuffles held-out sequences only; the default and --background none leave training as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

/** 120 bp: 'te' carries a copy of one 60 bp family sequence with 10% substitutions, 'bg' is random. */
function familyFasta(dir: string): string {
  const family = randomBases(60, 7);
  const mutate = (s: string, seed: number) =>
    [...s].map((b, i) => ((seed * 31 + i * 17) % 10 === 0 ? 'ACGT'[(seed + i) % 4]! : b)).join('');
  const records: Array<[string, string]> = Array.from({ length: 240 }, (_, i) => {
    const flank = randomBases(120, 100 + i);
    const te = i % 2 === 0;
    return [`r${i} label=${te ? 'te' : 'bg'}`, te ? flank.slice(0, 30) + mutate(family, i) + flank.slice(90) : flank];
  });
  return writeFasta(dir, 'train.fa', records);
}

const FAST = ['--epochs', '2', '--hidden', '8', '--ensemble', '1', '--no-baseline', '--null-windows', '400', '--json'];

function records(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('train --background bg: shuffles of the background join it, the checkpoint says so, and the null shuffles held-out sequences only', async (t) => {
  const dir = tempDir(t);
  const fasta = familyFasta(dir);
  const run = join(dir, 'run');
  const result = await runCli(['train', '-o', run, fasta, '--background', 'bg', ...FAST]);
  assert.equal(result.code, 0, result.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  const shuffled = spec.training.shuffledBackground as { class: string; k: number; added: number };
  assert.equal(shuffled.class, 'bg');
  assert.equal(shuffled.k, 3, '120 bp sequences keep 3-lets (4-let walks would hand back long stretches)');
  // 240 records, a tenth validates: about 108 background training sequences, twice with reverse complements
  assert.ok(shuffled.added >= 90 && shuffled.added <= 240, `added ${shuffled.added}`);
  assert.ok(records(result.stderr).some((r) => String(r.message ?? '').includes('bg is the background')));
  assert.match(spec.nullScores.source, /shuffles of the validation sequences keeping every/);
  // --resume repeats what the checkpoint did, whatever --background says now.
  const resumed = await runCli(['train', '-o', run, fasta, '--resume', ...FAST.map((f) => (f === '2' ? '3' : f))]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const again = JSON.parse(readFileSync(join(run, 'last', 'rnnseq.json'), 'utf8'));
  assert.equal(again.training.epoch, 3);
  assert.deepEqual(again.training.shuffledBackground, shuffled);

  const auto = await runCli(['train', '-o', join(dir, 'auto'), fasta, '--background', 'auto', ...FAST]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'auto', 'best', 'rnnseq.json'), 'utf8')).training.shuffledBackground.class, 'bg');

  const plain = await runCli(['train', '-o', join(dir, 'plain'), fasta, ...FAST]);
  assert.equal(plain.code, 0, plain.stderr);
  const plainSpec = JSON.parse(readFileSync(join(dir, 'plain', 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(plainSpec.training.shuffledBackground, undefined, 'off by default');
  assert.match(plainSpec.nullScores.source, /shuffles of the training and validation sequences/);

  const unknown = await runCli(['train', '-o', join(dir, 'bad'), fasta, '--background', 'noise', ...FAST]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--background noise: no class of that name \(classes: bg, te\)/);
});
