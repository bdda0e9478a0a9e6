/**
 * The byte source under every text reader: a path or '-' (stdin), gunzipped transparently. Gzip is recognised by
 * its magic bytes (1f 8b), not by the name, so `reads.fa` that is really gzip and `x.gz` that is not both work.
 * Multi-member gzip (bgzip, `cat a.gz b.gz`) is read to the end.
 *
 * Every failure (missing file, directory, permission, read error, broken gzip) surfaces as an RnnseqError thrown
 * from the iterator; no stream 'error' event is ever left without a listener. Breaking out of `for await` or
 * aborting the signal destroys the streams and closes the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { dataError, RnnseqError } from '../errors.js';

export interface OpenInputOptions {
  signal?: AbortSignal;
  /**
   * Where the reader above has got to, asked only when the bytes stop part-way (a truncated gzip, a read error),
   * so the error names the last line (and record) that arrived whole: what a user checks against `zcat | tail`.
   */
  position?: () => { line?: number; record?: string };
}

/** Large reads: the parsers above work per chunk, so fewer, bigger chunks mean fewer async hops. */
const READ_CHUNK_BYTES = 1 << 20;
const GUNZIP_CHUNK_BYTES = 1 << 18;

/** Decompressed bytes of `file` ('-' = stdin), in chunks that are never reused by the source. */
export async function* openInput(file: string, options: OpenInputOptions = {}): AsyncGenerator<Buffer> {
  const { signal, position } = options;
  signal?.throwIfAborted();
  const raw = file === '-' ? process.stdin : await openFileStream(file);
  // Recorded, not thrown: the listener exists so an error emitted between awaits can never become uncaught.
  let streamError: unknown;
  raw.on('error', (err) => (streamError ??= err));
  // Aborting destroys the stream, which wakes a read that is waiting for data (a quiet stdin).
  if (signal) addAbortSignal(signal, raw);
  const rawChunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let source: AsyncIterable<Buffer>;
  let gunzip: Transform | undefined;
  try {
    // Enough leading chunks to see the magic bytes (a pipe may deliver a single byte first), then replayed.
    const head: Buffer[] = [];
    let headBytes = 0;
    while (headBytes < 2) {
      const next = await rawChunks.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
    }
    const start = Buffer.concat(head, Math.min(headBytes, 2));
    const replayed = replay(head, rawChunks);
    if (start.length === 2 && start[0] === 0x1f && start[1] === 0x8b) {
      gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
      gunzip.on('error', (err) => (streamError ??= err));
      if (signal) addAbortSignal(signal, gunzip);
      // pipeline forwards a read error into gunzip and tears both down together.
      source = pipeline(Readable.from(replayed, { objectMode: false }), gunzip, (err) => {
        if (err) streamError ??= err;
      });
    } else {
      source = replayed;
    }
    for await (const chunk of source) {
      yield chunk;
    }
    if (streamError !== undefined) throw streamError;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw toInputError(file, err, position?.());
  } finally {
    // No-op after a normal end; on early exit (break, throw, abort) this closes the file descriptor. Stdin is
    // destroyed too: nothing else reads it once its FASTA has been abandoned.
    gunzip?.destroy();
    raw.destroy();
  }
}

/** The chunks already taken from `rest`, then the rest of it; stopping early stops `rest` too. */
async function* replay(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

async function openFileStream(file: string): Promise<Readable> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw toInputError(file, err);
  }
  try {
    // open(2) succeeds on a directory on Linux; only fstat tells.
    const stats = await handle.stat();
    if (stats.isDirectory()) throw dataError({ file }, 'is a directory, not a FASTA file');
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw toInputError(file, err);
  }
  return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
}

const FS_ERROR_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a FASTA file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'I/O error while reading',
  EMFILE: 'too many open files',
};

function toInputError(file: string, err: unknown, at?: { line?: number; record?: string }): RnnseqError {
  if (err instanceof RnnseqError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  const where = { file, ...at };
  const after = at?.line !== undefined ? ' after this line' : '';
  if (code.startsWith('Z_') || /zlib|gzip|header check|unexpected end of file/i.test(detail)) {
    // zlib's own words ("unexpected end of file", "invalid distance too far back") after ours, for the curious.
    return dataError(where, `truncated or corrupt gzip${after} (${detail})`);
  }
  const known = FS_ERROR_TEXT[code];
  if (known !== undefined) return dataError(where, known + after);
  return dataError(where, `cannot read input${after}: ${detail}`);
}
