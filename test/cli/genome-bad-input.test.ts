/**
 * Bad genome-format input at the command line (issue 18): each a one-line error naming the file (and line) or
 * the flags at fault, exit 2, and no output file or temp file left behind. The readers' own tests (test/io) check the messages in
 * detail; these check that every command that opens a genome, a --regions BED or a bigWig path reports them so.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { EXIT_USAGE } from '../../src/errors.js';
import { assertOneLineError, litter, rnnseq } from '../hardening/cli.js';
import { twoBit } from '../io/genome-tools.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';
import { randomScanner } from './random-scanner.js';

const shared = mkdtempSync(join(tmpdir(), 'rnnseq-genome-bad-'));
after(() => rmSync(shared, { recursive: true, force: true }));

const RECORDS: Array<[string, string]> = [
  ['chr1', randomBases(1200, 61)],
  ['chr2', randomBases(500, 62)],
];
let model = '';
let genome = '';
let twoBitGenome = '';

before(async () => {
  model = await randomScanner(shared);
  genome = writeFasta(shared, 'g.fa', RECORDS);
  twoBitGenome = join(shared, 'g.2bit');
  writeFileSync(twoBitGenome, twoBit(RECORDS));
});

/** The .fai samtools would write for `RECORDS` as FASTA of `width` columns. */
function faiFor(width: number): string {
  let offset = 0;
  return RECORDS.map(([name, seq]) => {
    offset += name.length + 2;
    const line = [name, seq.length, offset, width, width + 1].join('\t');
    offset += seq.length + Math.ceil(seq.length / width);
    return line;
  })
    .map((line) => `${line}\n`)
    .join('');
}

interface Case {
  name: string;
  setup(dir: string): void;
  args(dir: string): string[];
  message: RegExp;
  /** outputs (relative to the case directory) that must not exist afterwards */
  outputs: string[];
}

const classify = (...args: string[]) => ['classify', '-q', '-m', model, ...args];
const cases: Case[] = [
  {
    name: 'classify --regions: a BED line naming a chromosome the genome lacks (plain FASTA)',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t100\tok\nchrUn\t5\t50\n'),
    args: (dir) => classify('--genome', genome, '--regions', join(dir, 'r.bed'), '-o', join(dir, 'out.tsv')),
    message: /r\.bed:2: chromosome 'chrUn' is not in .*g\.fa \(it has chr1, chr2\)/,
    outputs: ['out.tsv'],
  },
  {
    name: 'classify --regions: a BED line past its chromosome end (.2bit)',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), '# header\nchr2\t400\t501\n'),
    args: (dir) => classify('--genome', twoBitGenome, '--regions', join(dir, 'r.bed'), '-o', join(dir, 'out.tsv')),
    message: /r\.bed:2: end 501 is past the end of chr2 \(500 bp in .*g\.2bit\)/,
    outputs: ['out.tsv'],
  },
  {
    name: 'embed --regions: a BED line past its chromosome end (FASTA + .fai)',
    setup: (dir) => {
      writeFasta(dir, 'i.fa', RECORDS);
      writeFileSync(join(dir, 'i.fa.fai'), faiFor(60));
      writeFileSync(join(dir, 'r.bed'), 'chr1\t1100\t1300\n');
    },
    args: (dir) => ['embed', '-q', '-m', model, '--genome', join(dir, 'i.fa'), '--regions', join(dir, 'r.bed'), '-o', join(dir, 'e.tsv')],
    message: /r\.bed:1: end 1300 is past the end of chr1 \(1200 bp in .*i\.fa\)/,
    outputs: ['e.tsv'],
  },
  {
    name: 'explain --regions: a BED line naming a chromosome the genome lacks (.2bit)',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), 'chrM\t0\t10\n'),
    args: (dir) => ['explain', '-q', '-m', model, '--genome', twoBitGenome, '--regions', join(dir, 'r.bed'), '-o', join(dir, 'x.tsv')],
    message: /r\.bed:1: chromosome 'chrM' is not in .*g\.2bit/,
    outputs: ['x.tsv'],
  },
  {
    name: 'scan of a .2bit cut short',
    setup: (dir) => {
      const good = readFileSync(twoBitGenome);
      writeFileSync(join(dir, 'cut.2bit'), good.subarray(0, good.length - 60));
    },
    args: (dir) => ['scan', '-q', '-m', model, join(dir, 'cut.2bit'), '-o', join(dir, 'calls.bed'), '--bedgraph', join(dir, 't.bg')],
    message: /cut\.2bit: not a valid \.2bit file: sequence 'chr2' is cut short/,
    outputs: ['calls.bed', 't.bg'],
  },
  {
    name: 'classify --regions of a .2bit with a corrupt header',
    setup: (dir) => {
      const good = Buffer.from(readFileSync(twoBitGenome));
      good.writeUInt32LE(7, 4); // version 7
      writeFileSync(join(dir, 'bad.2bit'), good);
      writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t100\n');
    },
    args: (dir) => classify('--genome', join(dir, 'bad.2bit'), '--regions', join(dir, 'r.bed'), '-o', join(dir, 'out.tsv')),
    message: /bad\.2bit: not a valid \.2bit file: unknown version 7/,
    outputs: ['out.tsv'],
  },
  {
    name: 'scan of a FASTA whose .fai indexes another line width',
    setup: (dir) => {
      writeFasta(dir, 'i.fa', RECORDS, 60);
      writeFileSync(join(dir, 'i.fa.fai'), faiFor(61));
    },
    args: (dir) => ['scan', '-q', '-m', model, join(dir, 'i.fa'), '-o', join(dir, 'calls.bed'), '--bedgraph', join(dir, 't.bg')],
    message: /i\.fa\.fai:1: does not match .*i\.fa: .*rebuild it with samtools faidx/,
    outputs: ['calls.bed', 't.bg'],
  },
  {
    name: 'classify --regions of a FASTA whose .fai indexes another line width',
    setup: (dir) => {
      writeFasta(dir, 'i.fa', RECORDS, 60);
      writeFileSync(join(dir, 'i.fa.fai'), faiFor(61));
      writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t40\nchr1\t50\t400\n');
    },
    args: (dir) => classify('--genome', join(dir, 'i.fa'), '--regions', join(dir, 'r.bed'), '-o', join(dir, 'out.tsv')),
    message: /i\.fa\.fai:1: does not match .*i\.fa: .*rebuild it with samtools faidx/,
    outputs: ['out.tsv'],
  },
  {
    name: 'scan --bigwig into a path whose directory is a file: refused before scanning',
    setup: (dir) => writeFileSync(join(dir, 'notadir'), 'x\n'),
    args: (dir) => [
      'scan',
      '-q',
      '-m',
      model,
      genome,
      '-o',
      join(dir, 'calls.bed'),
      '--bedgraph',
      join(dir, 't.bg'),
      '--bigwig',
      join(dir, 'notadir', 't.bw'),
    ],
    message: /--bigwig .*notadir\/t\.bw: cannot write there: .*notadir is a file, not a directory/,
    outputs: ['calls.bed', 't.bg', 'notadir/t.bw'],
  },
  {
    name: 'scan --bigwig naming a directory',
    setup: (dir) => mkdirSync(join(dir, 'track.bw')),
    args: (dir) => ['scan', '-q', '-m', model, genome, '-o', join(dir, 'calls.bed'), '--bigwig', join(dir, 'track.bw')],
    message: /--bigwig .*track\.bw: cannot write there: it is a directory/,
    outputs: ['calls.bed'],
  },
  {
    name: 'rnnseq bigwig -o into a path whose directory is a file',
    setup: (dir) => {
      writeFileSync(join(dir, 'notadir'), 'x\n');
      writeFileSync(join(dir, 't.bg'), 'chr1\t0\t10\t0.5\n');
    },
    args: (dir) => ['bigwig', '-q', join(dir, 't.bg'), '--genome', twoBitGenome, '-o', join(dir, 'notadir', 'sub', 't.bw')],
    message: /-o .*notadir\/sub\/t\.bw: cannot write there: .*notadir is a file, not a directory/,
    outputs: ['notadir/sub/t.bw'],
  },
  {
    name: 'classify --regions without --genome',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t100\n'),
    args: (dir) => classify('--regions', join(dir, 'r.bed'), '-o', join(dir, 'out.tsv')),
    message: /--regions needs --genome: the genome the BED coordinates refer to/,
    outputs: ['out.tsv'],
  },
  {
    name: 'embed --genome --regions with FASTA inputs too',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t100\n'),
    args: (dir) => ['embed', '-q', '-m', model, '--genome', genome, '--regions', join(dir, 'r.bed'), genome],
    message: /--regions reads its records from --genome; give no FASTA inputs with it/,
    outputs: [],
  },
  {
    name: 'explain --regions with --region',
    setup: (dir) => writeFileSync(join(dir, 'r.bed'), 'chr1\t0\t100\n'),
    args: (dir) => ['explain', '-q', '-m', model, '--genome', genome, '--regions', join(dir, 'r.bed'), '--region', 'chr1:1-50'],
    message: /--regions reads each BED line as a record.*does not combine with --region/,
    outputs: [],
  },
];

describe('bad genome input', { concurrency: 2 }, () => {
  cases.forEach((c, index) => {
    test(c.name, async () => {
      const dir = join(shared, `case-${index}`);
      mkdirSync(dir);
      c.setup(dir);
      const result = await rnnseq(c.args(dir), { cwd: dir });
      assertOneLineError(result, EXIT_USAGE, c.message, c.name);
      for (const name of c.outputs) assert.ok(!existsSync(join(dir, name)), `${name} was left behind by a failed run`);
      assert.deepEqual(litter(dir), [], 'no temp files left');
    });
  });
});
