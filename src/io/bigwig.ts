/**
 * bigWig writer (UCSC bbi format, version 4) in plain TypeScript on node:zlib, so a cluster node with only Node
 * can write browser tracks. Items arrive in order (per chromosome, each chromosome once, by start, no overlaps);
 * full-resolution data goes out as zlib sections of up to 1024 bedGraph items, indexed by an R-tree, and every
 * zoom level is summarised on the fly from the same stream and written after it.
 *
 * File layout: header (64 bytes), zoom headers (24 each), total summary (40), section count, data sections,
 * R-tree, then per zoom level its record count, blocks and R-tree, and last the chromosome B+ tree. Readers find
 * every part through the offsets in the header, so the chromosome tree may come last; that lets the data stream
 * out before the chromosomes are all known. Chromosome IDs are in order of appearance, which keeps the data
 * sorted by ID as the format requires; B+ tree keys are sorted by name as lookups require.
 */
import type { FileHandle } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';

export const BIGWIG_MAGIC = 0x888ffc26;
const CHROM_TREE_MAGIC = 0x78ca8c91;
const RTREE_MAGIC = 0x2468ace0;
const BBI_VERSION = 4;
export const ITEMS_PER_SLOT = 1024;
const BLOCK_SIZE = 256;
const HEADER_BYTES = 64;
const ZOOM_HEADER_BYTES = 24;
const SUMMARY_BYTES = 40;
const SECTION_HEADER_BYTES = 24;
const ITEM_BYTES = 12;
const ZOOM_RECORD_BYTES = 32;
const MAX_ZOOM_LEVELS = 10;
const WRITE_BATCH_BYTES = 1 << 20;

export interface BigWigChrom {
  name: string;
  length: number;
}

/** Bases per zoom record for each level: 4x the mean item span, then x4, until one record spans a chromosome. */
export function zoomReductions(meanItemBp: number, longestChromBp: number): number[] {
  const reductions: number[] = [];
  let reduction = Math.max(10, Math.ceil(meanItemBp * 4));
  while (reductions.length < MAX_ZOOM_LEVELS) {
    reductions.push(reduction);
    if (reduction >= longestChromBp) break;
    reduction *= 4;
  }
  return reductions;
}

interface Bounds {
  startChrom: number;
  startBase: number;
  endChrom: number;
  endBase: number;
  offset: number;
  size: number;
}

/** Sequential writes at known offsets, gathered into large writes. */
class FileAppender {
  position: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushedTo: number;
  constructor(
    private readonly handle: FileHandle,
    start: number,
  ) {
    this.position = start;
    this.flushedTo = start;
  }
  async append(bytes: Buffer): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await writeFully(this.handle, bytes, this.flushedTo);
    this.flushedTo += bytes.length;
  }
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** One zoom level's running summary: a record per reduction-wide bin that has data. */
class ZoomLevel {
  readonly blocks: Buffer[] = [];
  readonly bounds: Bounds[] = [];
  records = 0;
  private readonly block: Buffer;
  private inBlock = 0;
  private blockChrom = -1;
  private blockStart = 0;
  private current:
    | { chrom: number; start: number; end: number; valid: number; min: number; max: number; sum: number; sumSquares: number }
    | undefined;
  maxBlockBytes = 0;
  /** compressed bytes so far, for offsets once the level's place in the file is known */
  compressedBytes = 0;

  constructor(
    readonly reduction: number,
    private readonly itemsPerSlot: number,
  ) {
    this.block = Buffer.alloc(itemsPerSlot * ZOOM_RECORD_BYTES);
  }

  add(chrom: number, chromLength: number, start: number, end: number, value: number): void {
    const r = this.reduction;
    for (let bin = Math.floor(start / r); bin * r < end; bin++) {
      const binStart = bin * r;
      const overlap = Math.min(end, binStart + r) - Math.max(start, binStart);
      let c = this.current;
      if (!c || c.chrom !== chrom || c.start !== binStart) {
        this.closeRecord();
        c = this.current = {
          chrom,
          start: binStart,
          end: Math.min(binStart + r, chromLength),
          valid: 0,
          min: Infinity,
          max: -Infinity,
          sum: 0,
          sumSquares: 0,
        };
      }
      c.valid += overlap;
      c.min = Math.min(c.min, value);
      c.max = Math.max(c.max, value);
      c.sum += value * overlap;
      c.sumSquares += value * value * overlap;
    }
  }

  finish(): void {
    this.closeRecord();
    this.closeBlock();
  }

  private closeRecord(): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    if (this.inBlock === this.itemsPerSlot || (this.inBlock > 0 && c.chrom !== this.blockChrom)) this.closeBlock();
    if (this.inBlock === 0) {
      this.blockChrom = c.chrom;
      this.blockStart = c.start;
    }
    const at = this.inBlock * ZOOM_RECORD_BYTES;
    const b = this.block;
    b.writeUInt32LE(c.chrom, at);
    b.writeUInt32LE(c.start, at + 4);
    b.writeUInt32LE(c.end, at + 8);
    b.writeUInt32LE(c.valid, at + 12);
    b.writeFloatLE(c.min, at + 16);
    b.writeFloatLE(c.max, at + 20);
    b.writeFloatLE(c.sum, at + 24);
    b.writeFloatLE(c.sumSquares, at + 28);
    this.inBlock++;
    this.records++;
    this.lastEnd = c.end;
  }
  private lastEnd = 0;

  private closeBlock(): void {
    if (this.inBlock === 0) return;
    const raw = this.block.subarray(0, this.inBlock * ZOOM_RECORD_BYTES);
    const compressed = deflateSync(raw);
    this.maxBlockBytes = Math.max(this.maxBlockBytes, raw.length);
    this.bounds.push({
      startChrom: this.blockChrom,
      startBase: this.blockStart,
      endChrom: this.blockChrom,
      endBase: this.lastEnd,
      offset: this.compressedBytes,
      size: compressed.length,
    });
    this.blocks.push(compressed);
    this.compressedBytes += compressed.length;
    this.inBlock = 0;
  }
}

export interface BigWigWriterOptions {
  /** zoom reductions in bp, increasing (zoomReductions) */
  reductions: number[];
  /** items per compressed block (UCSC's default 1024; tests use fewer to build deep indexes from little data) */
  itemsPerSlot?: number;
}

/**
 * Writes a bigWig into an open file handle (the caller owns temp file, rename and removal: src/io/output.ts
 * conventions). Call add() per item in order, then finish().
 */
export class BigWigWriter {
  private readonly chroms: BigWigChrom[] = [];
  private readonly chromIds = new Map<string, number>();
  private readonly out: FileAppender;
  private readonly zooms: ZoomLevel[];
  private readonly sections: Bounds[] = [];
  private readonly section: Buffer;
  private readonly itemsPerSlot: number;
  private inSection = 0;
  private sectionChrom = -1;
  private sectionStart = 0;
  private sectionEnd = 0;
  private maxBlockBytes = 0;
  private readonly total = { bases: 0, min: Infinity, max: -Infinity, sum: 0, sumSquares: 0 };
  private dataStart: number;

  constructor(
    private readonly handle: FileHandle,
    options: BigWigWriterOptions,
  ) {
    this.itemsPerSlot = options.itemsPerSlot ?? ITEMS_PER_SLOT;
    this.section = Buffer.alloc(SECTION_HEADER_BYTES + this.itemsPerSlot * ITEM_BYTES);
    this.zooms = options.reductions.map((r) => new ZoomLevel(r, this.itemsPerSlot));
    this.dataStart = HEADER_BYTES + this.zooms.length * ZOOM_HEADER_BYTES + SUMMARY_BYTES;
    this.out = new FileAppender(handle, this.dataStart + 8); // after the section count
  }

  /** Declares a chromosome (its ID is the order of declaration); data for it may follow. */
  addChrom(chrom: BigWigChrom): void {
    if (this.chromIds.has(chrom.name)) throw new Error(`bigWig: chromosome ${chrom.name} declared twice`);
    this.chromIds.set(chrom.name, this.chroms.length);
    this.chroms.push(chrom);
  }

  /** One bedGraph item; the caller has checked order, bounds and that the value is finite. */
  async add(chrom: string, start: number, end: number, value: number): Promise<void> {
    const id = this.chromIds.get(chrom)!;
    if (this.inSection === this.itemsPerSlot || (this.inSection > 0 && id !== this.sectionChrom)) await this.closeSection();
    if (this.inSection === 0) {
      this.sectionChrom = id;
      this.sectionStart = start;
    }
    const at = SECTION_HEADER_BYTES + this.inSection * ITEM_BYTES;
    this.section.writeUInt32LE(start, at);
    this.section.writeUInt32LE(end, at + 4);
    this.section.writeFloatLE(value, at + 8);
    this.inSection++;
    this.sectionEnd = end;
    // Summaries use the value as stored (float32), so zoom levels agree with the full-resolution data.
    const stored = Math.fround(value);
    const span = end - start;
    const t = this.total;
    t.bases += span;
    t.min = Math.min(t.min, stored);
    t.max = Math.max(t.max, stored);
    t.sum += stored * span;
    t.sumSquares += stored * stored * span;
    const length = this.chroms[id]!.length;
    for (const zoom of this.zooms) zoom.add(id, length, start, end, stored);
  }

  private async closeSection(): Promise<void> {
    if (this.inSection === 0) return;
    const s = this.section;
    s.writeUInt32LE(this.sectionChrom, 0);
    s.writeUInt32LE(this.sectionStart, 4);
    s.writeUInt32LE(this.sectionEnd, 8);
    s.writeUInt32LE(0, 12); // item step: unused by bedGraph sections
    s.writeUInt32LE(0, 16); // item span: unused by bedGraph sections
    s.writeUInt8(1, 20); // section type 1: bedGraph
    s.writeUInt8(0, 21);
    s.writeUInt16LE(this.inSection, 22);
    const raw = s.subarray(0, SECTION_HEADER_BYTES + this.inSection * ITEM_BYTES);
    const compressed = deflateSync(raw);
    this.maxBlockBytes = Math.max(this.maxBlockBytes, raw.length);
    this.sections.push({
      startChrom: this.sectionChrom,
      startBase: this.sectionStart,
      endChrom: this.sectionChrom,
      endBase: this.sectionEnd,
      offset: this.out.position,
      size: compressed.length,
    });
    await this.out.append(compressed);
    this.inSection = 0;
  }

  async finish(): Promise<void> {
    await this.closeSection();
    const fullIndexOffset = this.out.position;
    await this.out.append(rTree(this.sections, fullIndexOffset));
    const zoomHeaders = Buffer.alloc(this.zooms.length * ZOOM_HEADER_BYTES);
    for (const [i, zoom] of this.zooms.entries()) {
      zoom.finish();
      const dataOffset = this.out.position;
      const count = Buffer.alloc(4);
      count.writeUInt32LE(zoom.records);
      await this.out.append(count);
      for (const block of zoom.blocks) await this.out.append(block);
      const indexOffset = this.out.position;
      await this.out.append(
        rTree(
          zoom.bounds.map((b) => ({ ...b, offset: b.offset + dataOffset + 4 })),
          indexOffset,
        ),
      );
      zoomHeaders.writeUInt32LE(zoom.reduction, i * ZOOM_HEADER_BYTES);
      zoomHeaders.writeBigUInt64LE(BigInt(dataOffset), i * ZOOM_HEADER_BYTES + 8);
      zoomHeaders.writeBigUInt64LE(BigInt(indexOffset), i * ZOOM_HEADER_BYTES + 16);
      this.maxBlockBytes = Math.max(this.maxBlockBytes, zoom.maxBlockBytes);
    }
    const chromTreeOffset = this.out.position;
    await this.out.append(chromTree(this.chroms, chromTreeOffset));
    await this.out.flush();

    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(BIGWIG_MAGIC, 0);
    header.writeUInt16LE(BBI_VERSION, 4);
    header.writeUInt16LE(this.zooms.length, 6);
    header.writeBigUInt64LE(BigInt(chromTreeOffset), 8);
    header.writeBigUInt64LE(BigInt(this.dataStart), 16);
    header.writeBigUInt64LE(BigInt(fullIndexOffset), 24);
    header.writeUInt16LE(0, 32); // field count: bigBed only
    header.writeUInt16LE(0, 34);
    header.writeBigUInt64LE(0n, 36); // no autoSql
    header.writeBigUInt64LE(BigInt(HEADER_BYTES + zoomHeaders.length), 44);
    header.writeUInt32LE(this.maxBlockBytes, 52);
    header.writeBigUInt64LE(0n, 56); // no extension header
    const summary = Buffer.alloc(SUMMARY_BYTES);
    const t = this.total;
    summary.writeBigUInt64LE(BigInt(t.bases), 0);
    summary.writeDoubleLE(t.bases > 0 ? t.min : 0, 8);
    summary.writeDoubleLE(t.bases > 0 ? t.max : 0, 16);
    summary.writeDoubleLE(t.sum, 24);
    summary.writeDoubleLE(t.sumSquares, 32);
    const sectionCount = Buffer.alloc(8);
    sectionCount.writeBigUInt64LE(BigInt(this.sections.length));
    await writeFully(this.handle, Buffer.concat([header, zoomHeaders, summary, sectionCount]), 0);
  }
}

/**
 * A node-per-level tree laid out root first (readers start at the node right after the header), each node padded
 * to blockSize items as UCSC's writers do. `leafItem`/`branchItem` write one item at an offset.
 */
function layoutTree<T>(
  items: readonly T[],
  blockSize: number,
  headerBytes: number,
  treeOffset: number,
  leafItemBytes: number,
  branchItemBytes: number,
  writeLeaf: (out: Buffer, at: number, item: T) => void,
  writeBranch: (out: Buffer, at: number, first: T, last: T, childOffset: number) => void,
): Buffer {
  // levels[0]: leaves, as [first item index, last item index] per node; higher levels group the nodes below.
  const levels: Array<Array<[number, number]>> = [];
  let nodes: Array<[number, number]> = [];
  for (let i = 0; i < Math.max(items.length, 1); i += blockSize) nodes.push([i, Math.min(items.length, i + blockSize) - 1]);
  levels.push(nodes);
  while (nodes.length > 1) {
    const up: Array<[number, number]> = [];
    for (let i = 0; i < nodes.length; i += blockSize) up.push([i, Math.min(nodes.length, i + blockSize) - 1]);
    levels.push(up);
    nodes = up;
  }
  const leafNodeBytes = 4 + blockSize * leafItemBytes;
  const branchNodeBytes = 4 + blockSize * branchItemBytes;
  // Offsets of each level, root (the last) first.
  const levelOffsets: number[] = new Array(levels.length);
  let offset = treeOffset + headerBytes;
  for (let l = levels.length - 1; l >= 0; l--) {
    levelOffsets[l] = offset;
    offset += levels[l]!.length * (l === 0 ? leafNodeBytes : branchNodeBytes);
  }
  const out = Buffer.alloc(offset - treeOffset - headerBytes);
  // The item range under node n of level l, to find the first and last item of a subtree.
  const itemRange = (l: number, n: number): [number, number] => {
    let [a, b] = levels[l]![n]!;
    for (let k = l - 1; k >= 0; k--) {
      a = levels[k]![a]![0];
      b = levels[k]![b]![1];
    }
    return [a, b];
  };
  for (let l = levels.length - 1; l >= 0; l--) {
    const nodeBytes = l === 0 ? leafNodeBytes : branchNodeBytes;
    levels[l]!.forEach(([a, b], n) => {
      const at = levelOffsets[l]! - treeOffset - headerBytes + n * nodeBytes;
      const count = items.length === 0 ? 0 : b - a + 1;
      out.writeUInt8(l === 0 ? 1 : 0, at);
      out.writeUInt16LE(count, at + 2);
      for (let k = 0; k < count; k++) {
        if (l === 0) writeLeaf(out, at + 4 + k * leafItemBytes, items[a + k]!);
        else {
          const [first, last] = itemRange(l - 1, a + k);
          writeBranch(
            out,
            at + 4 + k * branchItemBytes,
            items[first]!,
            items[last]!,
            levelOffsets[l - 1]! + (a + k) * (l - 1 === 0 ? leafNodeBytes : branchNodeBytes),
          );
        }
      }
    });
  }
  return out;
}

/** The R-tree ("CIR tree") over data blocks, written at `offset`. */
function rTree(bounds: readonly Bounds[], offset: number): Buffer {
  const header = Buffer.alloc(48);
  header.writeUInt32LE(RTREE_MAGIC, 0);
  header.writeUInt32LE(BLOCK_SIZE, 4);
  header.writeBigUInt64LE(BigInt(bounds.length), 8);
  const first = bounds[0];
  const last = bounds[bounds.length - 1];
  header.writeUInt32LE(first?.startChrom ?? 0, 16);
  header.writeUInt32LE(first?.startBase ?? 0, 20);
  header.writeUInt32LE(last?.endChrom ?? 0, 24);
  header.writeUInt32LE(last?.endBase ?? 0, 28);
  header.writeBigUInt64LE(BigInt(last ? last.offset + last.size : offset), 32);
  header.writeUInt32LE(1, 40); // items per slot: one block per leaf item
  const keys = (out: Buffer, at: number, a: Bounds, b: Bounds) => {
    out.writeUInt32LE(a.startChrom, at);
    out.writeUInt32LE(a.startBase, at + 4);
    out.writeUInt32LE(b.endChrom, at + 8);
    out.writeUInt32LE(b.endBase, at + 12);
  };
  // Blocks are sorted and do not overlap, so a subtree's bounds are its first block's start and last block's end.
  const body = layoutTree(
    bounds,
    BLOCK_SIZE,
    48,
    offset,
    32,
    24,
    (out, at, item) => {
      keys(out, at, item, item);
      out.writeBigUInt64LE(BigInt(item.offset), at + 16);
      out.writeBigUInt64LE(BigInt(item.size), at + 24);
    },
    (out, at, a, b, child) => {
      keys(out, at, a, b);
      out.writeBigUInt64LE(BigInt(child), at + 16);
    },
  );
  return Buffer.concat([header, body]);
}

/** The B+ tree from chromosome name to (ID, length); keys sorted bytewise, zero-padded to the longest name. */
function chromTree(chroms: readonly BigWigChrom[], offset: number): Buffer {
  const keyed = chroms.map((chrom, id) => ({ key: Buffer.from(chrom.name, 'utf8'), id, length: chrom.length }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const keySize = Math.max(1, ...keyed.map((k) => k.key.length));
  const blockSize = Math.max(1, Math.min(BLOCK_SIZE, keyed.length));
  const header = Buffer.alloc(32);
  header.writeUInt32LE(CHROM_TREE_MAGIC, 0);
  header.writeUInt32LE(blockSize, 4);
  header.writeUInt32LE(keySize, 8);
  header.writeUInt32LE(8, 12);
  header.writeBigUInt64LE(BigInt(keyed.length), 16);
  const body = layoutTree(
    keyed,
    blockSize,
    32,
    offset,
    keySize + 8,
    keySize + 8,
    (out, at, item) => {
      item.key.copy(out, at);
      out.writeUInt32LE(item.id, at + keySize);
      out.writeUInt32LE(item.length, at + keySize + 4);
    },
    (out, at, first, _last, child) => {
      first.key.copy(out, at);
      out.writeBigUInt64LE(BigInt(child), at + keySize);
    },
  );
  return Buffer.concat([header, body]);
}
