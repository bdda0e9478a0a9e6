/**
 * Streaming FASTA reader. Works on bytes straight from the (possibly gunzipped) input chunks: sequence lines are
 * validated and copied byte by byte into one growing buffer and decoded to a string once per record (or per
 * chunk), so a chromosome costs linear time and no per-line strings. Headers are decoded as UTF-8.
 *
 * Accepted: LF, CRLF or mixed line endings; blank lines anywhere; spaces, tabs and CR inside sequence lines
 * (dropped); lowercase (soft-masked) bases, kept as they are; a UTF-8 byte-order mark; a last line without newline.
 * Coordinates: `FastaRecord.line` is the 1-based line of the header; `FastaChunk.offset` is the 0-based offset of
 * the chunk's first base within its record, so a chunk covers [offset, offset + sequence.length).
 */
import { constants as bufferConstants } from 'node:buffer';
import { dataError } from '../errors.js';
import { openInput } from './open-input.js';

export interface FastaRecord {
  id: string;
  description: string;
  sequence: string;
  /** 1-based line of the header */
  line: number;
}

export interface FastaReadOptions {
  /** 256-entry table, 1 where a byte is a valid sequence character; absent = accept letters, '*', '-', '.' */
  allowed?: Uint8Array;
  /** Text for the error message naming what is allowed, e.g. "dna: A C G T, N and IUPAC codes" */
  alphabetLabel?: string;
  /** Records with no sequence are an error unless this is set. */
  allowEmpty?: boolean;
  signal?: AbortSignal;
}

export interface FastaChunk {
  id: string;
  description: string;
  /** 1-based line of the record's header */
  line: number;
  /** 0-based bp offset of chunk start within record */
  offset: number;
  sequence: string;
  /** final chunk of the record */
  last: boolean;
  /** bases a random-access reader skipped (src/seq/genome-chunks.ts): Ns standing in, never read */
  placeholder?: true;
}

export const DEFAULT_CHUNK_BP = 1 << 20;

export function readFasta(file: string, options: FastaReadOptions = {}): AsyncGenerator<FastaRecord> {
  return parseFasta(file, options, Infinity, (id, description, line, _offset, sequence) => ({
    id,
    description,
    sequence,
    line,
  }));
}

/**
 * Same parsing and validation, but a record is delivered in pieces of at most chunkBp so a 250 Mbp chromosome
 * never becomes one string. Every chunk but a record's last holds exactly chunkBp bases; every record yields at
 * least one chunk (an allowed empty record yields one empty chunk with last = true).
 */
export function readFastaChunks(file: string, options: FastaReadOptions & { chunkBp?: number } = {}): AsyncGenerator<FastaChunk> {
  const chunkBp = options.chunkBp ?? DEFAULT_CHUNK_BP;
  if (!Number.isInteger(chunkBp) || chunkBp < 1 || chunkBp > bufferConstants.MAX_STRING_LENGTH) {
    throw new RangeError(`readFastaChunks: chunkBp must be an integer from 1 to ${bufferConstants.MAX_STRING_LENGTH}, got ${chunkBp}`);
  }
  return parseFasta(file, options, chunkBp, (id, description, line, offset, sequence, last) => ({
    id,
    description,
    line,
    offset,
    sequence,
    last,
  }));
}

const GT = 0x3e;
const LF = 0x0a;
const CR = 0x0d;

/** Byte classes used by the sequence loop. */
const INVALID = 0;
const BASE = 1;
const SKIP = 2; // whitespace that may sit inside or at the end of a sequence line (CR of CRLF, stray spaces)
const LINE_END = 3;

const INITIAL_CAPACITY = 1 << 16;
/** Far beyond any real header; stops a binary file that happens to start with '>' from filling memory. */
const MAX_HEADER_BYTES = 1 << 26;
const KEEP_CAPACITY = 1 << 24;

const DEFAULT_ALLOWED: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let b = 0x41; b <= 0x5a; b++) table[b] = 1;
  for (let b = 0x61; b <= 0x7a; b++) table[b] = 1;
  for (const ch of '*-.') table[ch.charCodeAt(0)] = 1;
  return table;
})();

function byteClasses(allowed: Uint8Array): Uint8Array {
  const classes = new Uint8Array(256);
  // Sequences are ASCII: bytes >= 0x80 and NUL are never bases, whatever the table says.
  for (let b = 1; b < 0x80; b++) if (allowed[b]) classes[b] = BASE;
  for (const b of [0x20, 0x09, CR, 0x0b, 0x0c]) classes[b] = SKIP;
  classes[LF] = LINE_END;
  classes[GT] = INVALID; // '>' only ever starts a header line
  return classes;
}

function describeByte(b: number): string {
  if (b === 0) return 'NUL byte (binary data, not FASTA?)';
  if (b > 0x20 && b < 0x7f) return `invalid character '${String.fromCharCode(b)}'`;
  return `invalid byte 0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}

/**
 * Sequence bytes of the current record: grown by doubling up to chunkBp (Infinity when whole records are
 * wanted), then handed out as one chunk.
 */
class SequenceBuffer {
  bytes: Buffer;
  length = 0;
  constructor(private readonly chunkBp: number) {
    this.bytes = Buffer.allocUnsafe(Math.min(chunkBp, INITIAL_CAPACITY));
  }
  get full(): boolean {
    return this.length === this.chunkBp;
  }
  /** Room for at least one more byte; only called when not full. */
  grow(): void {
    const capacity = Math.min(this.bytes.length * 2, this.chunkBp, bufferConstants.MAX_STRING_LENGTH);
    const bigger = Buffer.allocUnsafe(capacity);
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }
  take(): string {
    const text = this.bytes.toString('latin1', 0, this.length);
    this.length = 0;
    return text;
  }
  /** A chromosome-sized buffer is not kept around for the short records that may follow. */
  shrink(): void {
    if (this.bytes.length > KEEP_CAPACITY) this.bytes = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }
}

/**
 * The hot loop, kept in a plain function (not the generator) so V8 optimises it well: copies bases from
 * input[from, to) into seq and returns where it stopped: `to`, a line feed, a byte that is neither a base nor
 * skippable whitespace, or the first base that did not fit.
 */
function copyBases(input: Buffer, from: number, to: number, classes: Uint8Array, seq: SequenceBuffer): number {
  const bytes = seq.bytes;
  const capacity = bytes.length;
  let length = seq.length;
  let i = from;
  for (; i < to; i++) {
    const b = input[i]!;
    const cls = classes[b];
    if (cls === BASE) {
      if (length === capacity) break;
      bytes[length++] = b;
    } else if (cls !== SKIP) {
      break;
    }
  }
  seq.length = length;
  return i;
}

/** Builds what the parser hands out, so records need no second generator (an async hop per record) on top. */
type ItemBuilder<T> = (id: string, description: string, line: number, offset: number, sequence: string, last: boolean) => T;

function isHeaderSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === CR || code === 0x0b || code === 0x0c;
}

async function* parseFasta<T>(file: string, options: FastaReadOptions, chunkBp: number, build: ItemBuilder<T>): AsyncGenerator<T> {
  const classes = byteClasses(options.allowed ?? DEFAULT_ALLOWED);
  const alphabetLabel = options.alphabetLabel ?? 'letters, * - .';
  const allowEmpty = options.allowEmpty ?? false;
  const signal = options.signal;

  let lineNo = 1; // line of the byte at `pos`
  let column = 0; // bytes of the current line already consumed in earlier input chunks
  let inHeader = false;
  let headerParts: Buffer[] = [];
  let headerBytes = 0;
  let recordCount = 0;
  let firstChunk = true;

  // The record being read.
  let id: string | undefined;
  let description = '';
  let headerLine = 0;
  let offset = 0; // bases of this record already emitted in earlier chunks
  const seq = new SequenceBuffer(chunkBp);

  const emit = (last: boolean): T => {
    const length = seq.length;
    const item = build(id!, description, headerLine, offset, seq.take(), last);
    offset += length;
    return item;
  };

  const endRecord = (): T | undefined => {
    if (id === undefined) return undefined;
    if (offset + seq.length === 0 && !allowEmpty) {
      throw dataError({ file, line: headerLine, record: id }, 'record has no sequence');
    }
    const chunk = emit(true);
    seq.shrink();
    id = undefined;
    return chunk;
  };

  const startRecord = (header: Buffer): void => {
    const nul = header.indexOf(0);
    if (nul !== -1) {
      throw dataError({ file, line: lineNo }, `NUL byte in header at column ${nul + 2} (binary data, not FASTA?)`);
    }
    // The header line without '>' and without the line ending; any bytes are allowed and decoded as UTF-8.
    const text = header.toString('utf8');
    let idEnd = 0;
    while (idEnd < text.length && !isHeaderSpace(text.charCodeAt(idEnd))) idEnd++;
    if (idEnd === 0) {
      throw dataError(
        { file, line: lineNo },
        `header has no ID: '>' must be followed directly by an identifier (got '>${text.trimEnd()}')`,
      );
    }
    id = text.slice(0, idEnd);
    description = text.slice(idEnd).trim();
    headerLine = lineNo;
    offset = 0;
    recordCount++;
  };

  // The last line that arrived whole, for an input that breaks off (a truncated gzip).
  const position = () => ({ ...(lineNo > 1 ? { line: lineNo - 1 } : {}), ...(id !== undefined ? { record: id } : {}) });
  for await (const input of openInput(file, { ...(signal ? { signal } : {}), position })) {
    signal?.throwIfAborted();
    const end = input.length;
    let pos = 0;
    if (firstChunk) {
      firstChunk = false;
      if (end >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) pos = 3; // UTF-8 BOM
    }
    while (pos < end) {
      if (inHeader) {
        const newline = input.indexOf(LF, pos);
        if (newline === -1) {
          headerBytes += end - pos;
          if (headerBytes > MAX_HEADER_BYTES) {
            throw dataError({ file, line: lineNo }, `header line longer than ${MAX_HEADER_BYTES} bytes (not FASTA?)`);
          }
          // Copied: the input chunk is not ours to keep alive across chunks.
          headerParts.push(Buffer.from(input.subarray(pos, end)));
          break;
        }
        if (headerParts.length === 0) {
          startRecord(input.subarray(pos, newline));
        } else {
          headerParts.push(input.subarray(pos, newline));
          startRecord(Buffer.concat(headerParts));
          headerParts = [];
          headerBytes = 0;
        }
        inHeader = false;
        lineNo++;
        column = 0;
        pos = newline + 1;
        continue;
      }

      if (column === 0 && input[pos] === GT) {
        const finished = endRecord();
        if (finished) {
          yield finished;
          signal?.throwIfAborted();
        }
        inHeader = true;
        pos++;
        continue;
      }

      // A sequence line (or blank line), possibly continuing from the previous input chunk.
      const lineStart = pos - column; // may be negative: column counts bytes seen in earlier chunks
      let i: number;
      if (id === undefined) {
        for (i = pos; i < end && input[i] !== LF; i++) {
          if (classes[input[i]!] !== SKIP) {
            const what = input[i] === 0 ? 'found a NUL byte (binary data, not FASTA?)' : "expected a '>' header line";
            throw dataError({ file, line: lineNo }, what);
          }
        }
      } else {
        // The copy loop finds the line end itself: a Buffer.indexOf call per 60 bp line costs more than the scan.
        i = copyBases(input, pos, end, classes, seq);
        while (i < end && input[i] !== LF) {
          const b = input[i]!;
          if (classes[b] !== BASE) {
            const hint = b === 0x2d ? " (alignment gap? strip '-' for unaligned input)" : '';
            throw dataError(
              { file, line: lineNo, record: id },
              `${describeByte(b)} at column ${i - lineStart + 1}${hint}; allowed: ${alphabetLabel}`,
            );
          }
          // A base that did not fit: hand out a full chunk, or grow the buffer.
          if (seq.full) {
            yield emit(false);
            signal?.throwIfAborted();
          } else if (seq.length >= bufferConstants.MAX_STRING_LENGTH) {
            throw dataError(
              { file, line: headerLine, record: id },
              `record is longer than ${seq.length} bp, the longest string Node can hold; read it in chunks`,
            );
          } else {
            seq.grow();
          }
          i = copyBases(input, i, end, classes, seq);
        }
      }
      if (i === end) {
        column += end - pos;
        pos = end;
      } else {
        lineNo++;
        column = 0;
        pos = i + 1;
      }
    }
  }
  if (inHeader) startRecord(Buffer.concat(headerParts)); // a header on the last line, without newline
  const finished = endRecord();
  if (finished) yield finished;
  if (recordCount === 0) throw dataError({ file }, "no FASTA records (empty file, or no line starts with '>')");
}

/**
 * A FASTA input not yet opened: `name` is the path (or '-') for messages, and each call of `records` reads it
 * from the start. Commands make them (fastaInput); src/seq reads records from them and never opens a path.
 */
export interface FastaInput {
  name: string;
  records(options?: FastaReadOptions): AsyncIterable<FastaRecord>;
}

export function fastaInput(file: string): FastaInput {
  return { name: file, records: (options) => readFasta(file, options) };
}
