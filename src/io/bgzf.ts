/**
 * Random access into a bgzip file (BGZF: a gzip of independent blocks of at most 64 KiB, each naming its own
 * compressed size) through its .gzi index, so positions are those of the uncompressed file. Only the blocks
 * that hold the asked range are read and inflated; the few last ones are kept for neighbouring reads.
 *
 * .gzi (htslib): uint64 count, then count pairs of uint64 (compressed offset, uncompressed offset), little
 * endian, one per block after the first (the first block, at 0/0, is implied).
 */
import { inflateRawSync } from 'node:zlib';
import { dataError } from '../errors.js';
import { openRandomAccess, type RandomAccessFile } from './random-access.js';

/** Reads of the uncompressed bytes; the same shape as RandomAccessFile for the readers above it. */
export interface UncompressedFile {
  readonly path: string;
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  readonly bytesRead: number;
  close(): Promise<void>;
}

const MAX_BLOCK_BYTES = 65536;
const CACHED_BLOCKS = 8;

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export async function openBgzf(path: string, gziPath = `${path}.gzi`): Promise<UncompressedFile> {
  const file = await openRandomAccess(path);
  try {
    const gzi = await openRandomAccess(gziPath).catch(() => {
      throw dataError(
        { file: path },
        `is gzip-compressed; random access needs bgzip and its index ${gziPath} (samtools faidx ${path} writes both .fai and .gzi)`,
      );
    });
    let entries: Float64Array;
    try {
      entries = await readGzi(gzi);
    } finally {
      await gzi.close();
    }
    const bgzf = new BgzfFile(file, entries);
    await bgzf.measure();
    return bgzf;
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** [compressed, uncompressed] offsets, interleaved, starting with the implied first block at 0, 0. */
async function readGzi(gzi: RandomAccessFile): Promise<Float64Array> {
  const bad = (message: string) => dataError({ file: gzi.path }, `not a valid .gzi index: ${message}`);
  const head = await gzi.read(0, 8);
  if (head.length < 8) throw bad('shorter than its 8-byte header');
  const count = Number(head.readBigUInt64LE(0));
  if (gzi.size !== 8 + count * 16) throw bad(`${count} entries need ${8 + count * 16} bytes, the file has ${gzi.size}`);
  const bytes = await gzi.read(8, count * 16);
  const entries = new Float64Array(2 * (count + 1));
  for (let i = 0; i < count; i++) {
    entries[2 * (i + 1)] = Number(bytes.readBigUInt64LE(16 * i));
    entries[2 * (i + 1) + 1] = Number(bytes.readBigUInt64LE(16 * i + 8));
    if (entries[2 * (i + 1)]! <= entries[2 * i]! || entries[2 * (i + 1) + 1]! < entries[2 * i + 1]!)
      throw bad(`entry ${i + 1} is out of order`);
  }
  return entries;
}

class BgzfFile implements UncompressedFile {
  size = 0;
  private readonly cache = new Map<number, Buffer>();

  constructor(
    private readonly file: RandomAccessFile,
    private readonly entries: Float64Array,
  ) {}

  get path(): string {
    return this.file.path;
  }
  get bytesRead(): number {
    return this.file.bytesRead;
  }
  close(): Promise<void> {
    return this.file.close();
  }

  /** The uncompressed size: the last indexed block's offset plus whatever follows it (one block and the EOF block). */
  async measure(): Promise<void> {
    const last = this.entries.length / 2 - 1;
    let compressed = this.entries[2 * last]!;
    let size = this.entries[2 * last + 1]!;
    while (compressed < this.file.size) {
      const { data, blockBytes } = await this.block(compressed);
      size += data.length;
      compressed += blockBytes;
    }
    this.size = size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - position));
    const out = Buffer.allocUnsafe(want);
    let filled = 0;
    let i = this.blockIndex(position);
    let compressed = this.entries[2 * i]!;
    let uncompressed = this.entries[2 * i + 1]!;
    // One read for all the blocks of the range when the index names where they end.
    let j = i;
    while (j < this.entries.length / 2 && this.entries[2 * j + 1]! < position + want) j++;
    const spanEnd = j < this.entries.length / 2 ? this.entries[2 * j]! : this.file.size;
    let span = want > 0 ? await this.file.read(compressed, spanEnd - compressed) : Buffer.alloc(0);
    let spanStart = compressed;
    while (filled < want) {
      if (compressed - spanStart + 18 > span.length) {
        span = await this.file.read(compressed, MAX_BLOCK_BYTES);
        spanStart = compressed;
      }
      const { data, blockBytes } = await this.block(compressed, span.subarray(compressed - spanStart));
      if (data.length === 0) break;
      const from = Math.max(position + filled, uncompressed);
      const to = Math.min(position + want, uncompressed + data.length);
      if (to > from) {
        data.copy(out, filled, from - uncompressed, to - uncompressed);
        filled += to - from;
      }
      uncompressed += data.length;
      compressed += blockBytes;
      i++;
    }
    if (filled < want)
      throw dataError({ file: this.path }, `truncated bgzip file: bytes ${position + filled}-${position + want} are missing`);
    return out;
  }

  private blockIndex(position: number): number {
    let lo = 0;
    let hi = this.entries.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entries[2 * mid + 1]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The block at compressed offset `at`, inflated; `bytes` may already hold it (read as part of a span). */
  private async block(at: number, bytes?: Buffer): Promise<{ data: Buffer; blockBytes: number }> {
    const corrupt = (message: string) => dataError({ file: this.path }, `not a valid bgzip file at byte ${at}: ${message}`);
    let raw = bytes && bytes.length >= 18 ? bytes : await this.file.read(at, MAX_BLOCK_BYTES);
    if (raw.length < 18) throw corrupt('truncated block header');
    if (!isGzip(raw) || raw[2] !== 8 || (raw[3]! & 4) === 0) throw corrupt('not a BGZF block (plain gzip? recompress with bgzip)');
    const extraLength = raw.readUInt16LE(10);
    let blockSize = -1;
    for (let p = 12; p + 4 <= 12 + extraLength; p += 4 + raw.readUInt16LE(p + 2)) {
      if (raw[p] === 66 && raw[p + 1] === 67 && raw.readUInt16LE(p + 2) === 2) blockSize = raw.readUInt16LE(p + 4) + 1;
    }
    if (blockSize < 0) throw corrupt('no BGZF block size (plain gzip? recompress with bgzip)');
    const cached = this.cache.get(at);
    if (cached) return { data: cached, blockBytes: blockSize };
    if (raw.length < blockSize) raw = await this.file.read(at, blockSize);
    if (raw.length < blockSize) throw corrupt('truncated block');
    let data: Buffer;
    try {
      data = inflateRawSync(raw.subarray(12 + extraLength, blockSize - 8));
    } catch (error) {
      throw corrupt(`cannot inflate (${(error as Error).message})`);
    }
    if (data.length !== raw.readUInt32LE(blockSize - 4)) throw corrupt('block size does not match its data');
    if (this.cache.size >= CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(at, data);
    return { data, blockBytes: blockSize };
  }
}
