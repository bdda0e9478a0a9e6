/**
 * Opens a genome for random access by what the file is: .2bit (src/io/twobit.ts), or FASTA / bgzip FASTA with a
 * samtools .fai (src/io/indexed-fasta.ts). Apart from src/io/genome-source.ts so that the readers, which implement
 * its interface, and this chooser of readers do not import each other.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { type GenomeSource, TWOBIT_SIGNATURE } from './genome-source.js';

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
