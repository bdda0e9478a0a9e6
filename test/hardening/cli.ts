/**
 * Running rnnseq as a batch job would: in a chosen directory, with stdout sent to a file or a device, and as a
 * child that can be signalled or killed. Plus the checks every hardening test shares.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

export interface RunOptions {
  cwd?: string;
  input?: string | Buffer;
  /** a path opened as the child's stdout (e.g. /dev/full) instead of a pipe */
  stdoutFile?: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startRnnseq(args: readonly string[], options: RunOptions = {}): ChildProcess {
  const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'rnnseq'), ...args], {
    cwd: options.cwd ?? repoRoot,
    stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  child.stdin!.on('error', () => undefined); // a child that exits before reading stdin is not the test's failure
  child.stdin!.end(options.input ?? '');
  return child;
}

export function finished(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function rnnseq(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return finished(startRnnseq(args, options));
}

/** The exit codes README's "Errors and exit codes" table documents. */
export function documentedExitCodes(): Set<number> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = /^## Errors and exit codes\n([\s\S]*?)(?=^## )/m.exec(readme);
  assert.ok(section, 'README has an "Errors and exit codes" section');
  return new Set([...section[1]!.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])));
}

/** What commander adds under its own usage errors; not part of the error itself. */
const HELP_HINT = '(run with --help for usage)';

/**
 * Asserts the failure a user sees: the exit code, one 'rnnseq:' line matching `message` (warnings printed on the
 * way there aside), no stack trace.
 */
export function assertOneLineError(result: RunResult, code: number, message: RegExp, what = ''): void {
  const context = `${what}\nstderr: ${result.stderr}`;
  assert.equal(result.code, code, `exit code${context}`);
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace${context}`);
  assert.doesNotMatch(result.stderr, /this is a bug|RNNSEQ_DEBUG/, `a known failure, not an internal error${context}`);
  const lines = result.stderr.split('\n').filter((line) => line !== '' && line !== HELP_HINT && !line.startsWith('rnnseq: warning: '));
  assert.equal(lines.length, 1, `exactly one line on stderr${context}`);
  assert.match(lines[0]!, /^rnnseq: /, context);
  assert.match(lines[0]!, message, context);
}

/** Temp files and directories an interrupted or failed write left anywhere under `dir`. */
export function litter(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.rnnseq-(tmp|previous)-/.test(name));
}

/** Polls until `ready()` holds, failing after `timeoutMs`. */
async function waitFor(ready: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts rnnseq, waits until `ready()` holds (the run is where the test wants it), then sends `signal` and returns
 * how the run ended. Fails if the run ended on its own first.
 */
export async function interruptWhen(
  args: readonly string[],
  options: RunOptions,
  ready: () => boolean,
  signal: NodeJS.Signals,
  what: string,
): Promise<RunResult> {
  const child = startRnnseq(args, options);
  const result = finished(child);
  let exited = false;
  void result.then(() => (exited = true));
  await waitFor(() => exited || ready(), what);
  if (exited) assert.fail(`the run ended before ${what}: ${(await result).stderr}`);
  child.kill(signal);
  return result;
}
