import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needTool } from '../system-tools.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

const fixture = join(repoRoot, 'fixtures', 'ypestis_pPCP1.fa');
const model = join(repoRoot, 'models', 'chloroplast-cds');

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('the Snakemake example scans the fixture as 3 shards and gathers exactly the unsharded scan', async (t) => {
  if (!needTool(t, 'snakemake')) return;
  assert.ok(existsSync(join(model, 'rnnseq.json')), 'the shipped chloroplast-cds model');
  const dir = tempDir(t);
  const out = join(dir, 'calls.bed');
  const result = await run(
    'snakemake',
    [
      '-s',
      join(repoRoot, 'examples', 'snakemake', 'Snakefile'),
      '--cores',
      '2',
      '-d',
      dir,
      '--quiet',
      '--config',
      `genome=${fixture}`,
      `model=${model}`,
      'shards=3',
      `out=${out}`,
      `rnnseq=${join(repoRoot, 'bin', 'rnnseq')}`,
    ],
    dir,
  );
  assert.equal(result.code, 0, result.output);
  const whole = await runCli(['scan', '-q', '-m', model, '--threads', '2', fixture]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.ok(whole.stdout.split('\n').length > 2, 'the fixture has calls');
  assert.equal(readFileSync(out, 'utf8'), whole.stdout);
  assert.ok(!existsSync(`${out}.shards/1-of-3.bed`), 'shard outputs are temporary');
});
