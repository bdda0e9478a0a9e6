/** Child processes for the benchmark: timed, output to a log file, and a pool that runs N at a time. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ProcessRun {
  code: number | null;
  seconds: number;
}

/** Runs a command with stdout and stderr appended to `log`; resolves with its exit code and wall time. */
export function runLogged(
  command: string,
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
    child.on('error', (error) => {
      closeSync(fd);
      reject(error);
    });
    child.on('close', (code) => {
      closeSync(fd);
      resolve({ code, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The last non-empty line of a log, to say why a step failed. */
export function lastLine(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    return lines[lines.length - 1]?.slice(0, 300) ?? '';
  } catch {
    return '';
  }
}

/** Runs the tasks at most `jobs` at a time, in order of submission. */
export async function runPool<T>(tasks: Array<() => Promise<T>>, jobs: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, tasks.length)) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  });
  await Promise.all(workers);
  return results;
}
