import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requirePackage, tf } from '../src/engine/tf.js';

// Registers the backend; require skips the ESM export scan of its bundle (see src/engine/tf.ts).
requirePackage('@tensorflow/tfjs-backend-cpu');

/** Repository root, from dist/test/helpers.js or test/helpers.ts alike. */
export const repoRoot = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${'/'}dist${'/'}`) || here.endsWith('/dist/test') ? join(here, '..', '..') : join(here, '..');
})();

export const sharedData = join(repoRoot, '..', 'shared', 'data');

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function tempDir(t: { after(fn: () => void): void }, prefix = 'rnnseq-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Retries: a child process that just exited may still be closing files in it.
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/rnnseq as a user would, optionally feeding stdin. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'rnnseq'), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Deterministic pseudo-random floats in [-scale, scale) for building test inputs. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/**
 * Trains `data` twice into dir: 4 epochs straight (dir/straight), and 2 epochs then --resume to 4 (dir/split), each
 * with the flags `common`; asserts each run exits 0. The caller compares what they saved.
 */
export async function trainStraightAndResumed(dir: string, common: readonly string[], data: string): Promise<void> {
  const straight = await runCli(['train', '-o', join(dir, 'straight'), '--epochs', '4', ...common, data]);
  assert.equal(straight.code, 0, straight.stderr);
  const first = await runCli(['train', '-o', join(dir, 'split'), '--epochs', '2', ...common, data]);
  assert.equal(first.code, 0, first.stderr);
  const resumed = await runCli(['train', '-o', join(dir, 'split'), '--epochs', '4', '--resume', ...common, data]);
  assert.equal(resumed.code, 0, resumed.stderr);
}
