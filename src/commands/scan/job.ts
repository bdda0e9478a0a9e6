/**
 * What every `rnnseq scan` run shares, window scanner or tagger: it listens for SIGINT / SIGTERM (a scheduler's
 * time limit), opens its outputs (calls, --bedgraph, --summary) only once the input has been checked, commits
 * them together at the end, and on any failure or interruption removes them all, so no half-written BED or
 * bedGraph is ever left looking complete.
 */
import { listenForStop } from '../../io/interrupt.js';
import { type Output, openOutput } from '../../io/output.js';
import type { Logger } from '../../log.js';
import type { ScanOptions } from './options.js';

export interface ScanOutputs {
  calls: Output;
  bedgraph: Output | undefined;
  summary: Output | undefined;
}

export interface ScanJob {
  /** aborted by SIGINT / SIGTERM: readers given it stop at once */
  signal: AbortSignal;
  /** opens -o (or stdout), --bedgraph and --summary */
  open(): Promise<ScanOutputs>;
  /** commits every opened output: each file appears only now, complete */
  commit(): Promise<void>;
}

export async function runScanJob(
  options: Pick<ScanOptions, 'out' | 'bedgraph' | 'summary'>,
  log: Logger,
  body: (job: ScanJob) => Promise<void>,
): Promise<void> {
  const stop = listenForStop();
  const opened: Output[] = [];
  const openOne = async (path: string | undefined): Promise<Output> => {
    const output = await openOutput(path);
    opened.push(output);
    return output;
  };
  const job: ScanJob = {
    signal: stop.signal,
    open: async () => ({
      calls: await openOne(options.out),
      bedgraph: options.bedgraph !== undefined ? await openOne(options.bedgraph) : undefined,
      summary: options.summary !== undefined ? await openOne(options.summary) : undefined,
    }),
    commit: async () => {
      for (const output of opened) await output.commit();
    },
  };
  try {
    await body(job);
  } catch (error) {
    for (const output of opened) await output.abort();
    if (stop.signal.aborted) {
      log.warn('interrupted; no output written');
      process.exitCode = stop.exitCode();
      return;
    }
    throw error;
  } finally {
    stop.release();
  }
}
