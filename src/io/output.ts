import { createWriteStream, type Stats, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from '../errors.js';
import { prepareTempSibling } from './atomic.js';
import { guardOutput } from './interrupt.js';

/**
 * A line-oriented output that is either stdout or a file. A file is written under a temp name and renamed only
 * on commit(), so an interrupted or failed run never leaves a complete-looking partial file behind (and a file
 * of the same name from an earlier run stays as it was). Temp files are removed on abort(), on SIGINT / SIGTERM
 * and on any early exit (src/io/interrupt.ts).
 */
export interface Output {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openOutput(path: string | undefined): Promise<Output> {
  if (path === undefined || path === '-') return stdoutOutput();
  const existing = await statIfExists(path);
  if (existing?.isDirectory()) throw new RnnseqError(`${path}: is a directory; give a file name to write to`, EXIT_USAGE);
  // A device or pipe (/dev/stdout, /dev/null, a FIFO, `-o >(gzip > calls.bed.gz)`) is written in place: renaming
  // a temp file over it would replace the device with a plain file, or fail outright.
  if (existing && !existing.isFile()) return streamOutput(path, path);
  return streamOutput(path, await prepareTempSibling(path));
}

async function streamOutput(path: string, writePath: string): Promise<Output> {
  const inPlace = writePath === path;
  const release = guardOutput(inPlace ? { target: path } : { target: path, temp: writePath });
  const stream = createWriteStream(writePath);
  let failure: NodeJS.ErrnoException | undefined;
  stream.on('error', (error) => (failure ??= error));
  await Promise.race([once(stream, 'open'), once(stream, 'error')]).catch(() => undefined);
  const check = () => {
    if (failure) throw writeError(path, failure);
  };
  const remove = async () => {
    stream.destroy();
    if (!inPlace) await rm(writePath, { force: true });
    release();
  };
  if (failure) {
    await remove();
    check();
  }
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
      if (!inPlace) await rename(writePath, path).catch((error: NodeJS.ErrnoException) => Promise.reject(writeError(path, error)));
      release();
    },
    abort: remove,
  };
}

function stdoutOutput(): Output {
  // Write errors on stdout (a full disk behind `> file`) are reported by src/cli.ts, which watches the stream.
  const release = guardOutput({ target: 'stdout' });
  return {
    async write(text) {
      if (!process.stdout.write(text)) await drain(process.stdout);
    },
    async commit() {
      release();
    },
    async abort() {
      release();
    },
  };
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined; // absent (or unreachable: creating it will say why)
  }
}

const WRITE_ERROR_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device (disk full)',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a component of the path is not a directory',
  EIO: 'I/O error',
};

function writeError(path: string, error: NodeJS.ErrnoException): RnnseqError {
  return new RnnseqError(`cannot write ${path}: ${WRITE_ERROR_TEXT[error.code ?? ''] ?? error.message}`, EXIT_RUNTIME);
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
