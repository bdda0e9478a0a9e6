/**
 * A file read at chosen byte positions (the one small interface indexed readers share: .2bit, .fai, BGZF,
 * bigWig tests). It counts the bytes it reads, so a bench can show what an index saves.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dataError, RnnseqError } from '../errors.js';

export interface RandomAccessFile {
  readonly path: string;
  readonly size: number;
  /** bytes [position, position + length), fewer only at the end of the file */
  read(position: number, length: number): Promise<Buffer>;
  /** bytes read so far */
  readonly bytesRead: number;
  close(): Promise<void>;
}

const OPEN_ERROR_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
};

export async function openRandomAccess(path: string): Promise<RandomAccessFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw dataError({ file: path }, OPEN_ERROR_TEXT[code] ?? (error as Error).message);
  }
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    await handle.close();
    throw dataError({ file: path }, 'is a directory');
  }
  let bytesRead = 0;
  return {
    path,
    size: stats.size,
    get bytesRead() {
      return bytesRead;
    },
    async read(position, length) {
      const want = Math.max(0, Math.min(length, stats.size - position));
      const buffer = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead: n } = await handle.read(buffer, got, want - got, position + got);
        if (n === 0) break; // the file shrank under us: callers see a short read and call it truncated
        got += n;
      }
      bytesRead += got;
      return got === want ? buffer : buffer.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

/** Reads exactly `length` bytes or fails naming the file and what was being read: a truncated file. */
export async function readExactly(file: RandomAccessFile, position: number, length: number, what: string): Promise<Buffer> {
  const bytes = await file.read(position, length);
  if (bytes.length < length) {
    throw new RnnseqError(
      `${file.path}: truncated file: ${what} needs bytes ${position}-${position + length} but the file has ${file.size}`,
      2,
    );
  }
  return bytes;
}
