/**
 * UCSC .2bit reader with random access: the index (names and record offsets) is read at open, a record's N and
 * soft-mask blocks when it is first fetched, and only the packed bytes of the asked range after that.
 *
 * Format (both byte orders; version 0 with 32-bit offsets and version 1 with 64-bit ones): header signature,
 * version, sequence count, reserved; index of (name length, name, offset); per record: dnaSize, nBlockCount,
 * starts, sizes, maskBlockCount, starts, sizes, reserved, then 4 bases per byte (T C A G = 0 1 2 3, first base in
 * the high bits). N blocks become 'N', mask blocks lower case, as twoBitToFa writes them.
 */
import { dataError } from '../errors.js';
import { checkRange, type GenomeSource, TWOBIT_SIGNATURE, unknownSequence } from './genome-source.js';
import { openRandomAccess, type RandomAccessFile } from './random-access.js';

interface Blocks {
  starts: Uint32Array;
  sizes: Uint32Array;
}

interface TwoBitRecord {
  name: string;
  offset: number;
  /** filled on first fetch */
  loaded?: { length: number; packedOffset: number; nBlocks: Blocks; maskBlocks: Blocks };
}

const BASES = 'TCAG';
/** The four bases of every byte value, high bits first. */
const BYTE_TO_BASES: Uint8Array = (() => {
  const table = new Uint8Array(256 * 4);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 4; k++) table[b * 4 + k] = BASES.charCodeAt((b >> (6 - 2 * k)) & 3);
  return table;
})();

export async function openTwoBit(path: string): Promise<GenomeSource> {
  const file = await openRandomAccess(path);
  try {
    return await TwoBitGenome.open(file);
  } catch (error) {
    await file.close();
    throw error;
  }
}

class TwoBitGenome implements GenomeSource {
  private constructor(
    private readonly file: RandomAccessFile,
    private readonly littleEndian: boolean,
    private readonly records: Map<string, TwoBitRecord>,
    private readonly order: string[],
  ) {}

  get path(): string {
    return this.file.path;
  }
  get bytesRead(): number {
    return this.file.bytesRead;
  }

  static async open(file: RandomAccessFile): Promise<TwoBitGenome> {
    const corrupt = (message: string) => dataError({ file: file.path }, `not a valid .2bit file: ${message}`);
    const header = await file.read(0, 16);
    if (header.length < 16) throw corrupt(`truncated header (${header.length} of 16 bytes)`);
    const littleEndian = header.readUInt32LE(0) === TWOBIT_SIGNATURE;
    if (!littleEndian && header.readUInt32BE(0) !== TWOBIT_SIGNATURE) throw corrupt('wrong signature');
    const u32 = (buffer: Buffer, at: number) => (littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
    const version = u32(header, 4);
    if (version !== 0 && version !== 1) throw corrupt(`unknown version ${version}`);
    const count = u32(header, 8);
    const offsetBytes = version === 0 ? 4 : 8;
    // Names are at most 255 bytes: the index is at most this long, and usually far shorter.
    const maxIndex = count * (1 + 255 + offsetBytes);
    const index = await file.read(16, Math.min(maxIndex, Math.max(0, file.size - 16)));
    const records = new Map<string, TwoBitRecord>();
    const order: string[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (at + 1 > index.length) throw corrupt(`truncated index (sequence ${i + 1} of ${count})`);
      const nameLength = index[at]!;
      if (at + 1 + nameLength + offsetBytes > index.length) throw corrupt(`truncated index (sequence ${i + 1} of ${count})`);
      const name = index.toString('latin1', at + 1, at + 1 + nameLength);
      at += 1 + nameLength;
      const offset = offsetBytes === 4 ? u32(index, at) : Number(littleEndian ? index.readBigUInt64LE(at) : index.readBigUInt64BE(at));
      at += offsetBytes;
      if (name === '') throw corrupt(`sequence ${i + 1} has an empty name`);
      if (records.has(name)) throw corrupt(`sequence name '${name}' appears twice`);
      if (offset + 8 > file.size)
        throw corrupt(`sequence '${name}' starts at byte ${offset}, past the end of the file (${file.size} bytes): truncated?`);
      records.set(name, { name, offset });
      order.push(name);
    }
    const genome = new TwoBitGenome(file, littleEndian, records, order);
    // Lengths are part of the interface and cheap (8 bytes per record header, then the blocks): read them all now,
    // so a truncated file is reported at open, not half-way through a scan.
    for (const name of order) await genome.load(records.get(name)!);
    return genome;
  }

  names(): string[] {
    return this.order.slice();
  }

  has(name: string): boolean {
    return this.records.has(name);
  }

  length(name: string): number {
    return this.record(name).loaded!.length;
  }

  async description(name: string): Promise<string> {
    this.record(name);
    return '';
  }

  async fetch(name: string, start: number, end: number): Promise<string> {
    return (await this.fetchBytes(name, start, end)).toString('latin1');
  }

  async fetchBytes(name: string, start: number, end: number): Promise<Buffer> {
    const record = this.record(name);
    checkRange(this, name, start, end);
    const { packedOffset, nBlocks, maskBlocks } = record.loaded!;
    const out = Buffer.allocUnsafe(end - start);
    if (end === start) return out;
    const firstByte = start >> 2;
    const packed = await this.file.read(packedOffset + firstByte, ((end - 1) >> 2) - firstByte + 1);
    if (packed.length < ((end - 1) >> 2) - firstByte + 1) throw this.truncated(name);
    for (let p = start; p < end; p++) out[p - start] = BYTE_TO_BASES[packed[(p >> 2) - firstByte]! * 4 + (p & 3)]!;
    forBlocks(nBlocks, start, end, (from, to) => out.fill(0x4e, from - start, to - start));
    forBlocks(maskBlocks, start, end, (from, to) => {
      for (let p = from; p < to; p++) out[p - start] = out[p - start]! | 0x20; // upper to lower case (N to n too)
    });
    return out;
  }

  close(): Promise<void> {
    return this.file.close();
  }

  private record(name: string): TwoBitRecord {
    const record = this.records.get(name);
    if (!record) throw unknownSequence(this, name);
    return record;
  }

  private truncated(name: string): Error {
    return dataError({ file: this.file.path }, `not a valid .2bit file: sequence '${name}' is cut short (truncated file?)`);
  }

  private async load(record: TwoBitRecord): Promise<void> {
    const { file } = this;
    const u32 = (buffer: Buffer, at: number) => (this.littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
    let at = record.offset;
    const readBlocks = async (): Promise<Blocks> => {
      const countBytes = await file.read(at, 4);
      if (countBytes.length < 4) throw this.truncated(record.name);
      const count = u32(countBytes, 0);
      if (at + 4 + count * 8 > file.size) throw this.truncated(record.name);
      const bytes = await file.read(at + 4, count * 8);
      at += 4 + count * 8;
      const starts = new Uint32Array(count);
      const sizes = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        starts[i] = u32(bytes, i * 4);
        sizes[i] = u32(bytes, (count + i) * 4);
      }
      return { starts, sizes };
    };
    const sizeBytes = await file.read(at, 4);
    if (sizeBytes.length < 4) throw this.truncated(record.name);
    const length = u32(sizeBytes, 0);
    at += 4;
    const nBlocks = await readBlocks();
    const maskBlocks = await readBlocks();
    at += 4; // reserved
    const packedOffset = at;
    if (packedOffset + Math.ceil(length / 4) > file.size) throw this.truncated(record.name);
    for (const [what, blocks] of [
      ['N', nBlocks],
      ['mask', maskBlocks],
    ] as const) {
      for (let i = 0; i < blocks.starts.length; i++) {
        if (blocks.starts[i]! + blocks.sizes[i]! > length) {
          throw dataError(
            { file: file.path },
            `not a valid .2bit file: sequence '${record.name}' has a ${what} block past its end (${blocks.starts[i]! + blocks.sizes[i]!} > ${length})`,
          );
        }
      }
    }
    record.loaded = { length, packedOffset, nBlocks, maskBlocks };
  }
}

/** Calls visit(from, to) for the part of every block inside [start, end); blocks are sorted by start. */
function forBlocks(blocks: Blocks, start: number, end: number, visit: (from: number, to: number) => void): void {
  const { starts, sizes } = blocks;
  // The first block that may reach `start`: blocks do not overlap, so ends are sorted too.
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! + sizes[mid]! <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < starts.length && starts[i]! < end; i++) {
    const from = Math.max(start, starts[i]!);
    const to = Math.min(end, starts[i]! + sizes[i]!);
    if (to > from) visit(from, to);
  }
}
