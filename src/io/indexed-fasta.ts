/**
 * FASTA with a samtools .fai index, plain or bgzip-compressed (then with its .gzi too): random access by the
 * index's line geometry, so a range costs reading its own bytes only.
 *
 * .fai columns: name, length (bp), offset of the first base, bases per line, bytes per line (bases plus the line
 * ending). An index that does not describe its FASTA (the FASTA was edited after indexing, or the wrong pair)
 * is reported as one line naming the .fai line; what is checked: every sequence ends inside the file, the
 * byte before each sequence ends its '>ID' header, and every line ending a fetched range crosses is where the
 * index says.
 */
import { dataError } from '../errors.js';
import { isGzip, openBgzf, type UncompressedFile } from './bgzf.js';
import { checkRange, type GenomeSource, unknownSequence } from './genome-source.js';
import { openRandomAccess } from './random-access.js';

interface FaiEntry {
  name: string;
  length: number;
  offset: number;
  lineBases: number;
  lineBytes: number;
  /** 1-based line in the .fai */
  line: number;
  /** the header checked and its description read, on first use */
  description?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;

export async function openIndexedFasta(path: string, faiPath = `${path}.fai`): Promise<GenomeSource> {
  const raw = await openRandomAccess(path);
  let data: UncompressedFile = raw;
  try {
    const head = await raw.read(0, 2);
    if (isGzip(head)) {
      await raw.close();
      data = await openBgzf(path);
    }
    const entries = parseFai(faiPath, (await readWhole(faiPath)).toString('utf8'));
    const genome = new IndexedFasta(path, faiPath, data, entries);
    genome.checkSizes();
    return genome;
  } catch (error) {
    await data.close().catch(() => undefined);
    throw error;
  }
}

async function readWhole(path: string): Promise<Buffer> {
  const file = await openRandomAccess(path);
  try {
    return await file.read(0, file.size);
  } finally {
    await file.close();
  }
}

export function parseFai(faiPath: string, text: string): FaiEntry[] {
  const entries: FaiEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((lineText, i) => {
    const line = i + 1;
    const fields = lineText.replace(/\r$/, '').split('\t');
    if (fields.length === 6)
      throw dataError({ file: faiPath, line }, 'this .fai indexes a FASTQ file (6 columns); rnnseq reads genomes from FASTA');
    if (fields.length !== 5)
      throw dataError(
        { file: faiPath, line },
        `a .fai line has 5 tab-separated columns (name, length, offset, line bases, line bytes), got ${fields.length}`,
      );
    const [name, ...numbers] = fields as [string, string, string, string, string];
    if (name === '') throw dataError({ file: faiPath, line }, 'empty sequence name');
    if (seen.has(name)) throw dataError({ file: faiPath, line }, `sequence '${name}' is indexed twice`);
    seen.add(name);
    const [length, offset, lineBases, lineBytes] = numbers.map((value) => {
      if (!/^\d{1,15}$/.test(value)) throw dataError({ file: faiPath, line }, `'${value}' is not a non-negative integer`);
      return Number(value);
    }) as [number, number, number, number];
    if (length > 0 && (lineBases < 1 || lineBytes < lineBases)) {
      throw dataError(
        { file: faiPath, line },
        `line bases ${lineBases} and line bytes ${lineBytes} cannot describe a FASTA (bytes per line must be >= bases per line >= 1)`,
      );
    }
    entries.push({ name, length, offset, lineBases, lineBytes, line });
  });
  if (entries.length === 0) throw dataError({ file: faiPath }, 'empty index: no sequences');
  return entries;
}

class IndexedFasta implements GenomeSource {
  private readonly byName = new Map<string, FaiEntry>();

  constructor(
    readonly path: string,
    private readonly faiPath: string,
    private readonly data: UncompressedFile,
    private readonly entries: FaiEntry[],
  ) {
    for (const entry of entries) this.byName.set(entry.name, entry);
  }

  get bytesRead(): number {
    return this.data.bytesRead;
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  length(name: string): number {
    return this.entry(name).length;
  }
  close(): Promise<void> {
    return this.data.close();
  }

  /** Every sequence's last base must lie inside the (uncompressed) FASTA. */
  checkSizes(): void {
    for (const entry of this.entries) {
      const end = entry.length > 0 ? this.position(entry, entry.length - 1) + 1 : entry.offset;
      if (end > this.data.size) {
        throw this.mismatch(entry, `sequence '${entry.name}' would end at byte ${end}, but the FASTA has ${this.data.size} bytes`);
      }
    }
  }

  async description(name: string): Promise<string> {
    const entry = this.entry(name);
    await this.checkHeader(entry);
    return entry.description!;
  }

  async fetch(name: string, start: number, end: number): Promise<string> {
    return (await this.fetchBytes(name, start, end)).toString('latin1');
  }

  async fetchBytes(name: string, start: number, end: number): Promise<Buffer> {
    const entry = this.entry(name);
    checkRange(this, name, start, end);
    if (entry.description === undefined) await this.checkHeader(entry);
    const out = Buffer.allocUnsafe(end - start);
    if (end === start) return out;
    const first = this.position(entry, start);
    const raw = await this.data.read(first, this.position(entry, end - 1) + 1 - first);
    const { lineBases, lineBytes } = entry;
    let filled = 0;
    for (let p = start; p < end; ) {
      const lineEnd = Math.min(end, (Math.floor(p / lineBases) + 1) * lineBases);
      const at = this.position(entry, p) - first;
      raw.copy(out, filled, at, at + (lineEnd - p));
      filled += lineEnd - p;
      if (lineEnd < end) {
        // The bytes between this line's last base and the next line's first must be a line ending.
        for (let k = at + (lineEnd - p); k < at + (lineEnd - p) + (lineBytes - lineBases); k++) {
          if (raw[k] !== LF && raw[k] !== CR)
            throw this.mismatch(entry, `no line ending after base ${lineEnd} of '${name}' where the index puts one`);
        }
      }
      p = lineEnd;
    }
    if (out.indexOf(LF) !== -1 || out.indexOf(CR) !== -1 || out.indexOf(GT) !== -1) {
      throw this.mismatch(entry, `a line of '${name}' in [${start}, ${end}) is not as long as the index says`);
    }
    return out;
  }

  private entry(name: string): FaiEntry {
    const entry = this.byName.get(name);
    if (!entry) throw unknownSequence(this, name);
    return entry;
  }

  /** Byte offset (in the uncompressed FASTA) of base p. */
  private position(entry: FaiEntry, p: number): number {
    return entry.offset + Math.floor(p / entry.lineBases) * entry.lineBytes + (p % entry.lineBases);
  }

  /** The header line just before the sequence must be '>NAME ...': reads back from the offset until its '>'. */
  private async checkHeader(entry: FaiEntry): Promise<void> {
    let from = entry.offset;
    let tail = Buffer.alloc(0);
    while (from > 0) {
      const step = Math.min(from, 4096);
      from -= step;
      tail = Buffer.concat([await this.data.read(from, step), tail]);
      // The header's newline is the last byte; the line before it starts after the previous newline.
      const start = tail.lastIndexOf(LF, tail.length - 2);
      if (start !== -1 || from === 0) {
        const header = tail.subarray(start + 1, tail.length).toString('utf8');
        const text = header.replace(/\r?\n$/, '');
        const ok =
          tail[tail.length - 1] === LF &&
          text.startsWith('>') &&
          (text.slice(1) === entry.name ||
            (/^\s/.test(text.slice(1 + entry.name.length)) && text.slice(1, 1 + entry.name.length) === entry.name));
        if (!ok) throw this.mismatch(entry, `the FASTA has no '>${entry.name}' header just before byte ${entry.offset}`);
        entry.description = text.slice(1 + entry.name.length).trim();
        return;
      }
      if (tail.length > 1 << 20) break;
    }
    throw this.mismatch(entry, `the FASTA has no '>${entry.name}' header just before byte ${entry.offset}`);
  }

  private mismatch(entry: FaiEntry, detail: string): Error {
    return dataError(
      { file: this.faiPath, line: entry.line },
      `does not match ${this.path}: ${detail}; rebuild it with samtools faidx ${this.path}`,
    );
  }
}
