import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { EXIT_RUNTIME, RnnseqError } from '../errors.js';
import { prepareTempSibling } from './atomic.js';
import { guardOutput } from './interrupt.js';

/**
 * A float32 matrix in NumPy's .npy format (version 1.0), written row block by row block without knowing the row
 * count in advance: the header is reserved at a fixed size and filled in at commit. Written under a temp name
 * and renamed, like every rnnseq output. numpy.load reads it as shape (rows, columns), dtype float32.
 */
const HEADER_BYTES = 128; // magic + version + length + dict, padded with spaces: room for any realistic shape

export interface NpyWriter {
  append(rows: Float32Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openNpy(path: string, columns: number): Promise<NpyWriter> {
  const temp = await prepareTempSibling(path);
  const release = guardOutput({ target: path, temp });
  let file: FileHandle;
  try {
    file = await open(temp, 'w');
  } catch (error) {
    release();
    throw new RnnseqError(`cannot write ${path}: ${(error as Error).message}`, EXIT_RUNTIME);
  }
  let position = HEADER_BYTES;
  let values = 0;
  return {
    async append(rows) {
      const bytes = Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength);
      await file.write(bytes, 0, bytes.length, position);
      position += bytes.length;
      values += rows.length;
    },
    async commit() {
      await file.write(npyHeader(values / columns, columns), 0, HEADER_BYTES, 0);
      await file.close();
      await rename(temp, path);
      release();
    },
    async abort() {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      release();
    },
  };
}

export function npyHeader(rows: number, columns: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  const prefix = 10; // \x93NUMPY, version 1.0, 2-byte header length
  const header = Buffer.alloc(HEADER_BYTES, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(HEADER_BYTES - prefix, 8);
  if (prefix + dict.length + 1 > HEADER_BYTES)
    throw new RnnseqError(`npy shape (${rows}, ${columns}) does not fit the header`, EXIT_RUNTIME);
  header.write(dict, prefix, 'latin1');
  header[HEADER_BYTES - 1] = 0x0a; // the format ends the header with a newline
  return header;
}
