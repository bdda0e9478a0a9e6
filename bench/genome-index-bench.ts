/**
 * Indexed genome input for sharded scans: bytes read and wall time of the genome reading of a 40-way sharded scan
 * of a 100 Mbp synthetic genome (10 x 10 Mbp, 60-column FASTA), before (plain FASTA: every shard measures the
 * whole genome, then streams it up to the end of its last sequence) and after (a .fai: lengths from the index,
 * only the shard's bases plus one window read). Model scoring is left out: it costs the same either way.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/genome-index-bench.js [DIR]
 *
 * Bytes are the process's read(2) bytes (/proc/self/io rchar), so they include read-ahead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFastaChunks } from '../src/io/fasta.js';
import { fastaLengths } from '../src/io/genome-source.js';
import { openGenomeSource } from '../src/io/open-genome.js';
import { getAlphabet } from '../src/seq/alphabet.js';
import { genomeChunks } from '../src/seq/genome-chunks.js';
import { parseShard, shardIntervals } from '../src/seq/regions.js';

const CHROMS = 10;
const CHROM_BP = 10_000_020; // whole 60-base lines: 100 Mbp in all
const SHARDS = 40;
const grid = { windowBp: 1000, strideBp: 250 };
const batchWindows = 256;

function rchar(): number {
  return Number(/rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

function writeGenome(path: string): void {
  const fd = openSync(path, 'w');
  let seed = 1;
  const line = Buffer.alloc(61);
  line[60] = 0x0a;
  const bases = Buffer.from('ACGT');
  let fai = '';
  let offset = 0;
  for (let c = 1; c <= CHROMS; c++) {
    const header = Buffer.from(`>chr${c}\n`);
    writeSync(fd, header);
    offset += header.length;
    fai += `chr${c}\t${CHROM_BP}\t${offset}\t60\t61\n`;
    const block: Buffer[] = [];
    for (let i = 0; i < CHROM_BP / 60; i++) {
      for (let k = 0; k < 60; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        line[k] = bases[seed >>> 30]!;
      }
      block.push(Buffer.from(line));
      if (block.length === 10_000) writeSync(fd, Buffer.concat(block.splice(0)));
    }
    writeSync(fd, Buffer.concat(block));
    offset += (CHROM_BP / 60) * 61;
  }
  closeSync(fd);
  writeFileSync(`${path}.fai`, fai);
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'rnnseq-genome-bench-'));
  const fasta = join(dir, 'genome.fa');
  const plain = join(dir, 'plain.fa'); // the same file without an index: a symlink would share the .fai
  try {
    writeGenome(fasta);
    writeFileSync(plain, readFileSync(fasta));
    const alphabet = getAlphabet('dna');
    const rows: Array<{ how: string; bytes: number; seconds: number }> = [];
    for (const how of ['plain FASTA (before)', '.fai index (after)']) {
      let bytes = 0;
      let seconds = 0;
      for (let k = 1; k <= SHARDS; k++) {
        const beforeBytes = rchar();
        const started = performance.now();
        let bases = 0;
        if (how.startsWith('plain')) {
          const lengths = await fastaLengths(plain, { allowed: alphabet.allowed, alphabetLabel: alphabet.label });
          const owned = shardIntervals(lengths, undefined, parseShard(`${k}/${SHARDS}`));
          const remaining = new Set(owned.keys());
          for await (const chunk of readFastaChunks(plain, { allowed: alphabet.allowed, alphabetLabel: alphabet.label })) {
            bases += chunk.sequence.length;
            if (chunk.last) remaining.delete(chunk.id);
            if (remaining.size === 0) break; // the scanner stops reading here
          }
        } else {
          const source = (await openGenomeSource(fasta))!;
          const lengths = source.names().map((name) => ({ name, length: source.length(name) }));
          const owned = shardIntervals(lengths, undefined, parseShard(`${k}/${SHARDS}`));
          // The scanner stops pulling once its owned windows are done: about one window past the shard's end.
          const ends = new Map([...owned].map(([chrom, list]) => [chrom, list[list.length - 1]![1] + grid.windowBp * 2]));
          for await (const chunk of genomeChunks(source, owned, { grid, batchWindows, alphabet })) {
            bases += chunk.sequence.length;
            if (chunk.offset + chunk.sequence.length >= ends.get(chunk.id)! && [...ends.keys()].pop() === chunk.id) break;
          }
          await source.close();
        }
        seconds += (performance.now() - started) / 1000;
        bytes += rchar() - beforeBytes;
        if (bases === 0) throw new Error('nothing read');
      }
      rows.push({ how, bytes, seconds });
    }
    console.log(
      `genome reading of a ${SHARDS}-way sharded scan, ${CHROMS} x ${(CHROM_BP / 1e6).toFixed(0)} Mbp synthetic genome (${((CHROMS * CHROM_BP * 61) / 60 / 1e6).toFixed(0)} MB FASTA)`,
    );
    for (const { how, bytes, seconds } of rows) {
      console.log(
        `${how.padEnd(22)} ${(bytes / 1e6).toFixed(1).padStart(9)} MB read in all shards (${(bytes / SHARDS / 1e6).toFixed(1)} MB per shard), ${seconds.toFixed(1)} s wall (${(seconds / SHARDS).toFixed(2)} s per shard)`,
      );
    }
  } finally {
    if (process.argv[2] === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
