/**
 * What rnnseq leaves behind when it is stopped part-way: nothing. Outputs register here while they are being
 * written (src/io/output.ts). On SIGINT or SIGTERM (Ctrl-C, a scheduler's time limit) their temp files are
 * removed and the process exits at once with 128 + the signal's number, the status a shell reports for a process
 * the signal killed, so a batch system still sees "interrupted" rather than success. Any other exit before an
 * output is committed (`| head` closing stdout exits 0 from src/cli.ts) removes its temp file too.
 *
 * A scan or classify has nothing worth saving half-way, so once an output is open the signal is obeyed at once.
 * `rnnseq train` writes no Output while it trains: it listens for the signals itself and stops between batches,
 * its last/ checkpoint holding the last finished epoch.
 */
import { existsSync, rmSync } from 'node:fs';

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The exit status for a run stopped by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: StopSignal): number {
  return SIGNAL_EXIT_CODES[signal];
}

/** A run that stops its own way on SIGINT / SIGTERM: `signal` aborts with the signal's name as its reason. */
export interface StopRequest {
  readonly signal: AbortSignal;
  /** the exit status for the signal that stopped the run (130 or 143); only meaningful once `signal` aborted */
  exitCode(): number;
  /** stops listening; call it when the run ends, however it ends */
  release(): void;
}

/** Listens for SIGINT and SIGTERM once each, so a long run can stop between steps and report which signal it was. */
export function listenForStop(): StopRequest {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => abort.abort(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    exitCode: () => signalExitCode(abort.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'),
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

interface OpenOutput {
  /** what the user named: a path, or 'stdout' */
  target: string;
  /** the temp file being written, removed unless the output is committed */
  temp?: string;
}

const open = new Set<OpenOutput>();
let installed = false;

/** Registers an output being written; call the returned function once it is committed or removed. */
export function guardOutput(output: OpenOutput): () => void {
  install();
  open.add(output);
  return () => {
    open.delete(output);
  };
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeTempFiles);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.on(signal, onSignal);
}

function removeTempFiles(): void {
  for (const { temp } of open) {
    if (temp === undefined) continue;
    try {
      rmSync(temp, { force: true });
    } catch {
      // Exiting anyway; a file that cannot be removed (its directory vanished) is not worth a trace.
    }
  }
}

function onSignal(signal: StopSignal): void {
  // With no output open, a command that listens itself (train saving its checkpoint) finishes its own way.
  if (open.size === 0 && process.listenerCount(signal) > 1) return;
  // A temp file already renamed into place was committed a moment before the signal: it is complete, not lost.
  const removed = [...open].filter((output) => output.temp !== undefined && existsSync(output.temp)).map((output) => output.target);
  const partial = [...open].filter((output) => output.temp === undefined).map((output) => output.target);
  removeTempFiles();
  const what =
    (removed.length > 0 ? `; ${removed.join(', ')} not written` : '') + (partial.length > 0 ? `; ${partial.join(', ')} incomplete` : '');
  process.stderr.write(`rnnseq: interrupted by ${signal}${what}\n`);
  process.exit(signalExitCode(signal));
}
