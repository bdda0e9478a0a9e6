/**
 * What every `rnnseq scan` run shares, window scanner or tagger: it listens for SIGINT / SIGTERM (a scheduler's
 * time limit), opens its outputs (calls, --bedgraph, --summary) only once the input has been checked, commits
 * them together at the end, and on any failure or interruption removes them all, so no half-written BED or
 * bedGraph is ever left looking complete.
 */
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bedGraphToBigWig } from '../../io/bedgraph-to-bigwig.js';
import { guardOutput, listenForStop } from '../../io/interrupt.js';
import { type Output, openOutput } from '../../io/output.js';
import type { Logger } from '../../log.js';
import type { SequenceLength } from '../../seq/regions.js';
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
  /**
   * commits every opened output: each file appears only now, complete. With --bigwig, the track written so far
   * (a hidden bedGraph) becomes the bigWig, with these sequence lengths.
   */
  commit(lengths?: readonly SequenceLength[]): Promise<void>;
  /** runs when the job ends, however it ends (closing a genome file) */
  onEnd(cleanup: () => Promise<void>): void;
}

/** Both outputs get every line: --bedgraph and the hidden track behind --bigwig. */
function tee(a: Output | undefined, b: Output | undefined): Output | undefined {
  if (!a || !b) return a ?? b;
  return {
    write: async (text) => {
      await a.write(text);
      await b.write(text);
    },
    commit: async () => {
      await a.commit();
      await b.commit();
    },
    abort: async () => {
      await a.abort();
      await b.abort();
    },
  };
}

/** The bedGraph behind --bigwig: a temp sibling of the bigWig, so a killed run's copy is found and removed. */
function hiddenTrackPath(bigwig: string): string {
  return join(dirname(bigwig), `.rnnseq-tmp-${process.pid}-track-${basename(bigwig)}`);
}

export async function runScanJob(
  options: Pick<ScanOptions, 'out' | 'bedgraph' | 'summary' | 'bigwig'>,
  log: Logger,
  body: (job: ScanJob) => Promise<void>,
): Promise<void> {
  const stop = listenForStop();
  const opened: Output[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const track = options.bigwig !== undefined ? hiddenTrackPath(options.bigwig) : undefined;
  const openOne = async (path: string | undefined): Promise<Output> => {
    const output = await openOutput(path);
    opened.push(output);
    return output;
  };
  const job: ScanJob = {
    signal: stop.signal,
    open: async () => ({
      calls: await openOne(options.out),
      bedgraph: tee(
        options.bedgraph !== undefined ? await openOne(options.bedgraph) : undefined,
        track !== undefined ? await openOne(track) : undefined,
      ),
      summary: options.summary !== undefined ? await openOne(options.summary) : undefined,
    }),
    commit: async (lengths) => {
      if (track === undefined) {
        for (const output of opened) await output.commit();
        return;
      }
      // The bigWig is built before anything is committed, so a failure leaves no output at all.
      const trackOutput = opened[opened.length - 1]!;
      await trackOutput.commit();
      const release = guardOutput({ target: options.bigwig!, temp: track });
      try {
        await bedGraphToBigWig(
          track,
          (lengths ?? []).map((l) => ({ name: l.name, length: l.length })),
          options.bigwig!,
          { signal: stop.signal, sizesSource: 'the genome' },
        );
      } finally {
        await rm(track, { force: true });
        release();
      }
      for (const output of opened.slice(0, -1)) await output.commit();
    },
    onEnd: (cleanup) => {
      cleanups.push(cleanup);
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
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    stop.release();
  }
}
