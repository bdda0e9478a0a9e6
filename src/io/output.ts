import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { EXIT_RUNTIME, RnnseqError } from '../errors.js';
import { ensureParent, tempSibling } from './atomic.js';

/**
 * A line-oriented output that is either stdout or a file. A file is written under a temp name and renamed only
 * on commit(), so an interrupted or failed run never leaves a complete-looking partial file behind.
 */
export interface Output {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openOutput(path: string | undefined): Promise<Output> {
  if (path === undefined || path === '-') return stdoutOutput();
  await ensureParent(path);
  const temp = tempSibling(path);
  const stream = createWriteStream(temp);
  let failure: Error | undefined;
  stream.on('error', (error) => (failure = error));
  await Promise.race([once(stream, 'open'), once(stream, 'error')]).catch(() => undefined);
  const check = () => {
    if (failure) throw new RnnseqError(`cannot write ${path}: ${failure.message}`, EXIT_RUNTIME);
  };
  check();
  return {
    async write(text) {
      check();
      if (!stream.write(text)) await drain(stream);
      check();
    },
    async commit() {
      check();
      stream.end();
      await once(stream, 'finish').catch(() => undefined);
      check();
      await rename(temp, path);
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
}

function stdoutOutput(): Output {
  return {
    async write(text) {
      if (!process.stdout.write(text)) await drain(process.stdout);
    },
    async commit() {},
    async abort() {},
  };
}

/**
 * Waits for the stream to take more data. once() rejects on 'error' by itself; the listener of whichever event
 * did not fire is removed through the abort signal, so a long output does not pile up listeners.
 */
async function drain(stream: WriteStream | NodeJS.WriteStream): Promise<void> {
  const done = new AbortController();
  const waits = [once(stream, 'drain', { signal: done.signal }), once(stream, 'close', { signal: done.signal })];
  try {
    await Promise.race(waits);
  } finally {
    done.abort();
    for (const wait of waits) wait.catch(() => undefined);
  }
}
