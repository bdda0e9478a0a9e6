/**
 * Random access to a genome's sequences, whatever file holds them: .2bit (src/io/twobit.ts), FASTA with a
 * samtools .fai index, or bgzip FASTA with .fai + .gzi (src/io/indexed-fasta.ts). Coordinates are BED's:
 * 0-based, half-open. Bases come back as stored: soft-masked (lower-case) bases stay lower case, N stays N.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dataError } from '../errors.js';

export interface GenomeSource {
  /** the file named by the user, for messages */
  readonly path: string;
  /** sequence names in file order */
  names(): string[];
  /** length in bp; throws a one-line error for an unknown name */
  length(name: string): number;
  has(name: string): boolean;
  /** bases [start, end) as latin1 bytes (one byte per base) */
  fetchBytes(name: string, start: number, end: number): Promise<Buffer>;
  /** bases [start, end) as a string */
  fetch(name: string, start: number, end: number): Promise<string>;
  /** the header text after the ID (FASTA), '' where the format keeps none (.2bit) */
  description(name: string): Promise<string>;
  /** bytes read from disk so far (for benches and tests) */
  readonly bytesRead: number;
  close(): Promise<void>;
}

export const TWOBIT_SIGNATURE = 0x1a412743;

/** Which reader a genome path calls for: '2bit' by magic bytes, 'indexed' when PATH.fai exists, else 'fasta'. */
export async function genomeKind(path: string): Promise<'2bit' | 'indexed' | 'fasta'> {
  if (path === '-') return 'fasta';
  let magic: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      magic = Buffer.alloc(4);
      await handle.read(magic, 0, 4, 0);
    } finally {
      await handle.close();
    }
  } catch {
    return 'fasta'; // the streaming reader reports a missing or unreadable file in its own words
  }
  if (magic.readUInt32LE(0) === TWOBIT_SIGNATURE || magic.readUInt32BE(0) === TWOBIT_SIGNATURE) return '2bit';
  return existsSync(`${path}.fai`) ? 'indexed' : 'fasta';
}

/** A random-access source for `path`, or undefined for a plain FASTA without an index (read it as a stream). */
export async function openGenomeSource(path: string): Promise<GenomeSource | undefined> {
  const kind = await genomeKind(path);
  if (kind === '2bit') return (await import('./twobit.js')).openTwoBit(path);
  if (kind === 'indexed') return (await import('./indexed-fasta.js')).openIndexedFasta(path);
  return undefined;
}

/** The one message for a sequence name a genome lacks. */
export function unknownSequence(source: { path: string; names(): string[] }, name: string, where?: { file: string; line: number }): Error {
  const names = source.names();
  const some = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
  return dataError(where ?? { file: source.path }, `${where ? `chromosome '${name}' is not in ${source.path}` : `no sequence named '${name}'`} (it has ${some || 'none'})`);
}

export function checkRange(source: GenomeSource, name: string, start: number, end: number): void {
  const length = source.length(name);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length)) {
    throw new RangeError(`${source.path}: ${name}:[${start}, ${end}) is outside [0, ${length})`);
  }
}
