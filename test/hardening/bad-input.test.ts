/**
 * The bad-input matrix: every subcommand, fed what batch jobs meet in files nobody looked at. A bad input must
 * give one 'rnnseq:' line naming the file / record / line or the option, an exit code README documents, no stack
 * trace, and no output file (or the previous one untouched). Odd but valid input (CRLF, soft-masked bases,
 * strange header bytes, gzip under any name) must give exactly the output of the plain file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXIT_DATA, EXIT_RUNTIME, EXIT_USAGE } from '../../src/errors.js';
import { Random } from '../../src/seq/random.js';
import { repoRoot } from '../helpers.js';
import { plantedMotifFasta } from '../motif-data.js';
import { type RunResult, assertOneLineError, documentedExitCodes, litter, rnnseq, startRnnseq } from './cli.js';

const shared = mkdtempSync(join(tmpdir(), 'rnnseq-matrix-'));
after(() => rmSync(shared, { recursive: true, force: true }));

/** A 1-epoch GRU on 20 bp planted-motif windows: a fixed-length classifier that also scans (with --class motif). */
const TINY = join(shared, 'tiny');
const TINY_DATA = join(shared, 'tiny.fa');
const SPLICE = join(repoRoot, 'models', 'splice-primate');
const GENOME = join(shared, 'genome.fa');
const LONG_GENOME = join(shared, 'long.fa');

const SEQ1 = 'ACGTTGCAAGGCTTACCGTAGGCAATTCGAGGCATCGATCGGATCGATTAGCAGCATCGAT';
const SEQ2 = 'TTGACCAGTAGGATCCAAGTCCGATGCATGCAGGTACGTTAGCTAGGCTAACGGATGCTAGG';
const PLAIN = `>s1 first\n${SEQ1}\n>s2\n${SEQ2}\n`;
let plainOutput = '';

function randomDna(length: number, seed: number): string {
  const random = new Random(seed);
  return Array.from({ length }, () => 'ACGT'[random.int(4)]).join('');
}

function wrap(sequence: string, width = 60): string {
  return sequence.replace(new RegExp(`(.{${width}})`, 'g'), '$1\n').replace(/\n?$/, '\n');
}

before(async () => {
  writeFileSync(TINY_DATA, plantedMotifFasta(120, 20, 3).fasta);
  writeFileSync(GENOME, `>chr1\n${wrap(randomDna(600, 1))}>chr2\n${wrap(randomDna(400, 2))}`);
  writeFileSync(LONG_GENOME, `>chrL\n${wrap(randomDna(300_000, 3))}`);
  const trained = await rnnseq([
    'train',
    '-o',
    TINY,
    '--length',
    '20',
    '--cell',
    'gru',
    '--hidden',
    '4',
    '--epochs',
    '1',
    '--batch-size',
    '32',
    '--threads',
    '1',
    '-q',
    TINY_DATA,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const plain = await rnnseq(['classify', '-q', '-m', 'splice-primate', '-'], { input: PLAIN });
  assert.equal(plain.code, 0, plain.stderr);
  plainOutput = plain.stdout;
});

interface Case {
  name: string;
  /** files written into the case's own directory (its cwd) before the run */
  files?: Record<string, string | Buffer>;
  setup?(dir: string): void;
  args: string[];
  input?: string | Buffer;
  stdoutFile?: string;
  /** the failure expected; absent for valid input */
  fails?: { code: number; message: RegExp };
  /** for valid input: what the output must be */
  succeeds?(result: RunResult, dir: string): void;
  /** outputs (relative to the case directory) that a failure must not leave, or must leave as they were */
  outputs?: string[];
}

const PREVIOUS = 'previous run\n';
const classify = (...args: string[]) => ['classify', '-q', '-m', 'splice-primate', ...args];
const sameAsPlain = (result: RunResult) => assert.equal(result.stdout, plainOutput);
const gzipped = (text: string | Buffer) => gzipSync(text);
const corruptTrailer = (gz: Buffer) =>
  Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.from([0xde, 0xad, 0xbe, 0xef]), gz.subarray(gz.length - 4)]);
const scan = (...args: string[]) => ['scan', '-q', '-m', TINY, '--class', 'motif', ...args];
const train = (...args: string[]) => ['train', '-q', '--hidden', '4', '--epochs', '1', '--threads', '1', ...args];
const trainGenome = (bed: string, ...args: string[]) =>
  train('-o', 'run', '--genome', GENOME, '--positives', bed, '--window', '20', ...args);
const explain = (...args: string[]) => ['explain', '-q', '-m', 'splice-primate', '--target', 'EI', ...args];

function copySplice(dir: string, change: (files: { spec: Record<string, unknown>; weights: Buffer }) => void): void {
  const spec = JSON.parse(readFileSync(join(SPLICE, 'rnnseq.json'), 'utf8')) as Record<string, unknown>;
  const files = { spec, weights: readFileSync(join(SPLICE, 'weights.bin')) };
  change(files);
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'rnnseq.json'), JSON.stringify(files.spec));
  writeFileSync(join(dir, 'model', 'weights.bin'), files.weights);
}

/**
 * Adam state that makes the next step overflow: first moments at the float32 limit, second moments zero. A
 * real way for training to reach NaN from the command line (the optimiser state carries no checksum), where no
 * learning rate rnnseq accepts diverges on its own: its gates and softmax saturate instead.
 */
function poisonOptimizer(runDir: string): void {
  const spec = JSON.parse(readFileSync(join(runDir, 'last', 'rnnseq.json'), 'utf8')) as {
    training: { optimizerTensors: Array<{ shape: number[]; offset: number }> };
  };
  const entries = spec.training.optimizerTensors;
  const bytes = readFileSync(join(runDir, 'last', 'optimizer.bin'));
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const moments = (entries.length - 1) / 2; // [iterations, first moments..., second moments...]
  entries.slice(1).forEach((entry, i) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    floats.fill(i < moments ? 3e38 : 0, entry.offset, entry.offset + size);
  });
  writeFileSync(join(runDir, 'last', 'optimizer.bin'), bytes);
}

const VCF_HEADER = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n';

const cases: Case[] = [
  // --- FASTA inputs that are not there or not FASTA
  {
    name: 'missing file',
    args: classify('-o', 'out.tsv', 'nope.fa'),
    fails: { code: EXIT_DATA, message: /nope\.fa: no such file/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'unreadable file (read fails with EIO)',
    args: classify('-o', 'out.tsv', '/proc/self/mem'),
    fails: { code: EXIT_DATA, message: /\/proc\/self\/mem: I\/O error while reading/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'directory given as a file',
    setup: (dir) => mkdirSync(join(dir, 'reads')),
    args: classify('-o', 'out.tsv', 'reads'),
    fails: { code: EXIT_DATA, message: /reads: is a directory/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'empty file',
    files: { 'e.fa': '', 'out.tsv': PREVIOUS },
    args: classify('-o', 'out.tsv', 'e.fa'),
    fails: { code: EXIT_DATA, message: /e\.fa: no FASTA records/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'no header line',
    files: { 'n.fa': 'ACGTACGT\n' },
    args: classify('-o', 'out.tsv', 'n.fa'),
    fails: { code: EXIT_DATA, message: /n\.fa:1: expected a '>' header line/ },
    outputs: ['out.tsv'],
  },
  {
    name: "'>' only",
    files: { 'g.fa': '>\nACGT\n' },
    args: classify('g.fa'),
    fails: { code: EXIT_DATA, message: /g\.fa:1: header has no ID/ },
  },
  {
    name: 'binary junk',
    files: { 'junk.fa': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) },
    args: classify('-o', 'out.tsv', 'junk.fa'),
    fails: { code: EXIT_DATA, message: /junk\.fa:1: / },
    outputs: ['out.tsv'],
  },
  {
    name: 'NUL bytes in a sequence',
    files: { 'nul.fa': Buffer.from('>s1\nAC\0GT\n') },
    args: classify('-o', 'out.tsv', 'nul.fa'),
    fails: { code: EXIT_DATA, message: /nul\.fa:2: record 's1': NUL byte/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'letters outside the alphabet',
    files: { 'x.fa': '>s1\nACGT\n>s2 second\nACGT\nACJT\n', 'out.tsv': PREVIOUS },
    args: classify('-o', 'out.tsv', 'x.fa'),
    fails: { code: EXIT_DATA, message: /x\.fa:5: record 's2': invalid character 'J' at column 3; allowed: dna/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'protein given to a DNA model',
    files: { 'p.fa': '>p53_human\nMEEPQSDPSVEPPLSQETFSDLWKLL\n' },
    args: classify('-o', 'out.tsv', 'p.fa'),
    fails: { code: EXIT_DATA, message: /p\.fa:2: record 'p53_human': invalid character 'E' at column 2; allowed: dna/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'truncated gzip',
    files: { 't.fa.gz': gzipped(PLAIN.repeat(50)).subarray(0, 60), 'out.tsv': PREVIOUS },
    args: classify('-o', 'out.tsv', 't.fa.gz'),
    fails: {
      code: EXIT_DATA,
      message: /t\.fa\.gz(:\d+: record 's\d')?: truncated or corrupt gzip( after this line)? \(unexpected end of file\)$/,
    },
    outputs: ['out.tsv'],
  },
  {
    name: 'corrupt gzip (bad checksum)',
    files: { 'c.fa.gz': corruptTrailer(gzipped(PLAIN)) },
    args: classify('-o', 'out.tsv', 'c.fa.gz'),
    fails: {
      code: EXIT_DATA,
      message: /c\.fa\.gz(:4: record 's2')?: truncated or corrupt gzip( after this line)? \(incorrect data check\)$/,
    },
    outputs: ['out.tsv'],
  },
  {
    name: 'gzip of a non-FASTA file',
    files: { 'table.gz': gzipped('gene\tcount\nBRCA1\t12\n') },
    args: classify('-o', 'out.tsv', 'table.gz'),
    fails: { code: EXIT_DATA, message: /table\.gz:1: expected a '>' header line/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'corrupt gzip on stdin',
    args: classify('-o', 'out.tsv', '-'),
    input: corruptTrailer(gzipped(PLAIN)),
    fails: {
      code: EXIT_DATA,
      message: /<stdin>(:4: record 's2')?: truncated or corrupt gzip( after this line)? \(incorrect data check\)$/,
    },
    outputs: ['out.tsv'],
  },

  // --- odd but valid FASTA: the same answer as the plain file
  { name: 'CRLF line endings', files: { 'crlf.fa': PLAIN.replaceAll('\n', '\r\n') }, args: classify('crlf.fa'), succeeds: sameAsPlain },
  {
    name: 'mixed line endings, blank lines, a BOM and no final newline',
    files: { 'mixed.fa': `\ufeff${PLAIN.replace('\n', '\r\n').replace('>s2', '\n\r\n>s2').trimEnd()}` },
    args: classify('mixed.fa'),
    succeeds: sameAsPlain,
  },
  {
    name: 'lowercase and soft-masked bases',
    files: {
      'soft.fa': `>s1 first\n${SEQ1.toLowerCase()}\n>s2\n${SEQ2.slice(0, 20)}${SEQ2.slice(20, 40).toLowerCase()}${SEQ2.slice(40)}\n`,
    },
    args: classify('soft.fa'),
    succeeds: sameAsPlain,
  },
  {
    name: 'gzip named .fa, and .gz read from stdin',
    files: { 'z.fa': gzipped(PLAIN) },
    args: classify('z.fa', '-'),
    input: gzipped(PLAIN),
    succeeds: (result) => assert.equal(result.stdout, plainOutput + plainOutput.split('\n').slice(1).join('\n')),
  },
  {
    name: 'headers with quotes, backslashes, tabs and UTF-8',
    files: { 'odd.fa': PLAIN.replace('>s1 first', '>"s1\'\\x\tfirst \\n "quoted"').replace('>s2', '>séquence_α→2 ü') },
    args: classify('odd.fa'),
    succeeds: (result) => {
      const rows = result.stdout.split('\n');
      assert.equal(rows[1]!.split('\t')[0], '"s1\'\\x');
      assert.equal(rows[2]!.split('\t')[0], 'séquence_α→2');
      assert.deepEqual(
        rows.map((row) => row.split('\t').slice(1).join('\t')),
        plainOutput.split('\n').map((row) => row.split('\t').slice(1).join('\t')),
      );
    },
  },
  {
    name: 'output into a missing directory is created',
    files: { 'a.fa': PLAIN },
    args: classify('-o', 'new/deeper/out.tsv', 'a.fa'),
    succeeds: (_result, dir) => assert.equal(readFileSync(join(dir, 'new', 'deeper', 'out.tsv'), 'utf8'), plainOutput),
  },

  // --- outputs that cannot be written
  {
    name: 'stdout on a full disk (classify)',
    files: { 'a.fa': PLAIN },
    args: classify('a.fa'),
    stdoutFile: '/dev/full',
    fails: { code: EXIT_RUNTIME, message: /cannot write to stdout: no space left on device \(disk full\)/ },
  },
  {
    name: '-o on a full disk',
    files: { 'a.fa': PLAIN },
    args: classify('-o', '/dev/full', 'a.fa'),
    fails: { code: EXIT_RUNTIME, message: /cannot write \/dev\/full: no space left on device \(disk full\)/ },
  },
  {
    name: 'stdout on a full disk (doctor)',
    args: ['doctor'],
    stdoutFile: '/dev/full',
    fails: { code: EXIT_RUNTIME, message: /cannot write to stdout: no space left on device/ },
  },
  {
    name: '-o names a directory',
    files: { 'a.fa': PLAIN },
    setup: (dir) => mkdirSync(join(dir, 'results')),
    args: classify('-o', 'results', 'a.fa'),
    fails: { code: EXIT_USAGE, message: /results: is a directory/ },
  },
  {
    name: '-o under a path that is a file',
    files: { 'a.fa': PLAIN },
    args: classify('-o', 'a.fa/out.tsv', 'a.fa'),
    fails: { code: EXIT_RUNTIME, message: /cannot create directory a\.fa/ },
  },

  // --- checkpoints
  {
    name: 'model that does not exist',
    files: { 'a.fa': PLAIN },
    args: ['classify', '-q', '-m', 'runs/nothing', '-o', 'out.tsv', 'a.fa'],
    fails: { code: EXIT_USAGE, message: /runs\/nothing: no such model/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'directory that is not a checkpoint',
    files: { 'a.fa': PLAIN },
    setup: (dir) => mkdirSync(join(dir, 'empty')),
    args: ['classify', '-q', '-m', 'empty', 'a.fa'],
    fails: { code: EXIT_DATA, message: /empty: not an rnnseq checkpoint/ },
  },
  {
    name: 'checkpoint from a newer version',
    files: { 'a.fa': PLAIN },
    setup: (dir) =>
      copySplice(dir, (f) => {
        f.spec.formatVersion = 99;
        f.spec.rnnseqVersion = '9.0.0';
      }),
    args: ['classify', '-q', '-m', 'model', '-o', 'out.tsv', 'a.fa'],
    fails: { code: EXIT_DATA, message: /model: checkpoint format version 99 \(written by rnnseq 9\.0\.0\).*upgrade rnnseq/ },
    outputs: ['out.tsv'],
  },
  {
    name: 'truncated rnnseq.json',
    files: { 'a.fa': PLAIN },
    setup: (dir) => {
      copySplice(dir, () => undefined);
      writeFileSync(join(dir, 'model', 'rnnseq.json'), '{"format": "rnnseq-checkpoint", "formatVer');
    },
    args: ['classify', '-q', '-m', 'model', 'a.fa'],
    fails: { code: EXIT_DATA, message: /model\/rnnseq\.json: bad checkpoint: cannot parse/ },
  },
  {
    name: 'corrupt weights file',
    files: { 'a.fa': PLAIN, 'out.tsv': PREVIOUS },
    setup: (dir) => copySplice(dir, (f) => f.weights.fill(0x7f, 1000, 1016)),
    args: ['classify', '-q', '-m', 'model', '-o', 'out.tsv', 'a.fa'],
    fails: { code: EXIT_DATA, message: /model: bad checkpoint: weights\.bin is corrupt \(checksum/ },
    outputs: ['out.tsv'],
  },

  // --- train
  {
    name: 'labels with one class only',
    files: { 'one.fa': '>a label=x\nACGT\n>b label=x\nACGA\n' },
    args: train('-o', 'run', 'one.fa'),
    fails: { code: EXIT_DATA, message: /one\.fa: all 2 records have class 'x'; a classifier needs at least two classes/ },
    outputs: ['run'],
  },
  {
    name: 'an unseen class in the validation file',
    files: { 't.fa': '>a label=x\nACGT\n>b label=y\nACGA\n', 'v.fa': '>c label=x\nACGT\n>d label=z\nAAAA\n' },
    args: train('-o', 'run', '--valid', 'v.fa', 't.fa'),
    fails: { code: EXIT_DATA, message: /v\.fa: record 'd' has class 'z', which the training data does not have/ },
    outputs: ['run'],
  },
  {
    name: '--hidden 0',
    args: train('-o', 'run', '--hidden', '0', TINY_DATA),
    fails: { code: EXIT_USAGE, message: /--hidden must be an integer >= 1/ },
    outputs: ['run'],
  },
  {
    name: '--dropout 1.5',
    args: train('-o', 'run', '--dropout', '1.5', TINY_DATA),
    fails: { code: EXIT_USAGE, message: /--dropout must be a number >= 0 and <= 0\.95, got '1\.5'/ },
  },
  {
    name: '--resume without a run',
    args: train('-o', 'run', '--resume', TINY_DATA),
    fails: { code: EXIT_USAGE, message: /--resume: run\/last holds no checkpoint to resume from/ },
  },
  {
    name: 'NaN during training stops with a message and keeps the last good checkpoint',
    setup: (dir) => {
      cpSync(TINY, join(dir, 'run'), { recursive: true });
      poisonOptimizer(join(dir, 'run'));
    },
    args: ['train', '-q', '-o', 'run', '--resume', '--epochs', '3', '--threads', '1', TINY_DATA],
    fails: { code: EXIT_RUNTIME, message: /training diverged: loss became (NaN|-?Infinity) in epoch 2.*last good checkpoint is kept/ },
    outputs: [
      'run/last/weights.bin',
      'run/last/optimizer.bin',
      'run/last/rnnseq.json',
      'run/best/weights.bin',
      'run/best/rnnseq.json',
      'run/metrics.tsv',
    ],
  },

  // --- train --genome: BED files
  {
    name: 'BED with end < start',
    files: { 'p.bed': 'chr1\t100\t120\nchr1\t50\t10\n' },
    args: trainGenome('p.bed'),
    fails: { code: EXIT_DATA, message: /p\.bed:2: start 50 is after end 10/ },
    outputs: ['run'],
  },
  {
    name: 'BED with a negative coordinate',
    files: { 'p.bed': 'chr1\t-5\t20\n' },
    args: trainGenome('p.bed'),
    fails: { code: EXIT_DATA, message: /p\.bed:1: BED start must be a non-negative integer, got '-5'/ },
    outputs: ['run'],
  },
  {
    name: 'BED past the chromosome end',
    files: { 'p.bed': 'chr1\t100\t120\nchr2\t390\t420\n' },
    args: trainGenome('p.bed'),
    fails: { code: EXIT_DATA, message: /p\.bed:2: region ends at 420, past the end of chr2 \(400 bp/ },
    outputs: ['run'],
  },
  {
    name: 'BED on unknown chromosomes only',
    files: { 'p.bed': 'chrUn_1\t100\t120\n' },
    args: trainGenome('p.bed'),
    fails: { code: EXIT_DATA, message: /p\.bed: no positive regions on the sequences of .*genome\.fa/ },
    outputs: ['run'],
  },
  {
    name: 'BED header line without #',
    files: { 'p.bed': 'chrom\tstart\tend\nchr1\t100\t120\n' },
    args: trainGenome('p.bed'),
    fails: {
      code: EXIT_DATA,
      message: /p\.bed:1: BED start must be a non-negative integer, got 'start' \(a header line\? start it with '#'\)/,
    },
    outputs: ['run'],
  },
  {
    name: 'BED with track, browser and # lines and CRLF trains',
    files: {
      'p.bed':
        'track name=peaks\r\nbrowser position chr1:1-100\r\n#chrom\tstart\tend\r\nchr1\t100\t130\r\nchr1\t300\t330\r\nchr2\t200\t230\r\nchr2\t50\t80\r\n',
    },
    // --no-baseline: on 4 windows the k-mer baseline may well beat the model, and its warning is not about the input;
    // --null-windows 0 likewise: such a model's positives do not stand out from background, and train says so.
    args: trainGenome('p.bed', '--batch-size', '8', '--valid-chroms', 'chr2', '--no-baseline', '--null-windows', '0'),
    succeeds: (_result, dir) => {
      const spec = JSON.parse(readFileSync(join(dir, 'run', 'best', 'rnnseq.json'), 'utf8')) as { window: { lengthBp: number } };
      assert.equal(spec.window.lengthBp, 20);
    },
  },

  // --- scan
  {
    name: '--shard 3/2',
    args: scan('--shard', '3/2', '-o', 'out.bed', GENOME),
    fails: { code: EXIT_USAGE, message: /--shard must look like K\/N with 1 <= K <= N \(e\.g\. 3\/10\), got '3\/2'/ },
    outputs: ['out.bed'],
  },
  {
    name: '--shard of stdin',
    args: scan('--shard', '1/2', '-o', 'out.bed', '-'),
    input: PLAIN,
    fails: { code: EXIT_USAGE, message: /--shard needs the genome as a file/ },
    outputs: ['out.bed'],
  },
  {
    name: '--region on an unknown chromosome',
    args: scan('--region', 'chrZ:1-100', '-o', 'out.bed', GENOME),
    fails: { code: EXIT_DATA, message: /--region chrZ:1-100: .*genome\.fa has no sequence named 'chrZ' \(it has chr1, chr2\)/ },
    outputs: ['out.bed'],
  },
  {
    name: '--region with end before start',
    args: scan('--region', 'chr1:200-100', GENOME),
    fails: { code: EXIT_USAGE, message: /--region chr1:200-100: START must be >= 1 and END >= START/ },
  },
  {
    name: '--stride longer than the window',
    args: scan('--stride', '25', GENOME),
    fails: { code: EXIT_USAGE, message: /--stride 25 is longer than the 20 bp window/ },
  },
  {
    name: '--threshold 1.5',
    args: scan('--threshold', '1.5', GENOME),
    fails: { code: EXIT_USAGE, message: /--threshold must be a number >= 0 and <= 1, got '1\.5'/ },
  },
  {
    name: 'a classifier scanned without --class',
    args: ['scan', '-q', '-m', TINY, GENOME],
    fails: { code: EXIT_USAGE, message: /is a classifier, not a scanner: say which class to call with --class/ },
  },

  // --- explain
  {
    name: '--target that the model lacks',
    files: { 'a.fa': PLAIN },
    args: ['explain', '-q', '-m', 'splice-primate', '--target', 'XX', 'a.fa'],
    fails: { code: EXIT_USAGE, message: /--target XX: the model's classes are EI, IE, N/ },
  },
  {
    name: 'VCF with POS 0',
    files: { 'v.vcf': `${VCF_HEADER}chr1\t0\t.\tA\tG\t.\tPASS\t.\n` },
    args: ['explain', '-q', '-m', TINY, '--target', 'motif', '--vcf', 'v.vcf', '--genome', GENOME, '-o', 'out.vcf'],
    fails: { code: EXIT_DATA, message: /v\.vcf:3: POS must be a positive integer, got '0'/ },
    outputs: ['out.vcf'],
  },
  {
    name: 'VCF REF that does not match the genome',
    setup: (dir) => {
      const chr1 = readFileSync(GENOME, 'utf8').split('\n').slice(1, 11).join('');
      const wrong = chr1[99] === 'A' ? 'C' : 'A';
      writeFileSync(join(dir, 'v.vcf'), `${VCF_HEADER}chr1\t100\t.\t${wrong}\tG\t.\tPASS\t.\n`);
    },
    args: ['explain', '-q', '-m', TINY, '--target', 'motif', '--vcf', 'v.vcf', '--genome', GENOME, '-o', 'out.vcf'],
    fails: { code: EXIT_DATA, message: /v\.vcf:3: REF [AC] does not match the genome \([ACGT] at chr1:100\)/ },
    outputs: ['out.vcf'],
  },
  {
    name: 'explain --region on an unknown chromosome',
    args: ['explain', '-q', '-m', TINY, '--target', 'motif', '--genome', GENOME, '--region', 'chrQ:1-50', '-o', 'e.tsv'],
    fails: { code: EXIT_USAGE, message: /--region chrQ:1-50: no sequence 'chrQ' in .*genome\.fa/ },
    outputs: ['e.tsv'],
  },
  {
    name: 'explain of an empty file',
    files: { 'e.fa': '', 'out.tsv': PREVIOUS },
    args: explain('-o', 'out.tsv', 'e.fa'),
    fails: { code: EXIT_DATA, message: /e\.fa: no FASTA records/ },
    outputs: ['out.tsv'],
  },

  // --- embed, phylo, report, completion (lightly: their own tests cover them)
  {
    name: 'embed of a file with a bad base',
    files: { 'j.fa': '>a\nACJT\n' },
    args: ['embed', '-q', '-m', 'splice-primate', '-o', 'emb.tsv', 'j.fa'],
    fails: { code: EXIT_DATA, message: /j\.fa:2: record 'a': invalid character 'J' at column 3/ },
    outputs: ['emb.tsv'],
  },
  {
    name: 'phylo of an empty file',
    files: { 'e.fa': '' },
    args: ['phylo', '-q', '--kmer', '3', '-o', 'tree.nwk', 'e.fa'],
    fails: { code: EXIT_DATA, message: /e\.fa: no FASTA records/ },
    outputs: ['tree.nwk'],
  },
  {
    name: 'phylo --compare of a truncated Newick tree',
    files: { 'bad.nwk': '((a,b\n' },
    args: ['phylo', '-q', '--compare', 'bad.nwk', 'bad.nwk'],
    fails: { code: EXIT_DATA, message: /bad\.nwk: Newick error at character \d+/ },
  },
  {
    name: 'report of a model that does not exist',
    args: ['report', '-q', 'runs/nothing', '-o', 'r.html'],
    fails: { code: EXIT_USAGE, message: /runs\/nothing: no such model/ },
    outputs: ['r.html'],
  },
  {
    name: 'completion for an unknown shell',
    args: ['completion', 'fish'],
    fails: { code: EXIT_USAGE, message: /'fish' is invalid for argument 'shell'/ },
  },
  {
    name: 'completion on a full disk',
    args: ['completion', 'bash'],
    stdoutFile: '/dev/full',
    fails: { code: EXIT_RUNTIME, message: /cannot write to stdout: no space left on device/ },
  },

  // --- the command line itself
  { name: 'unknown subcommand', args: ['frobnicate'], fails: { code: EXIT_USAGE, message: /unknown command 'frobnicate'/ } },
  {
    name: 'option value outside its choices',
    args: ['doctor', '--backend', 'quantum'],
    fails: { code: EXIT_USAGE, message: /argument 'quantum' is invalid/ },
  },
];

// Each case is a process start (mostly loading TensorFlow.js); a few at once keep both cores busy.
describe('bad-input matrix', { concurrency: 3 }, () => {
  test('covers at least 40 failures across every subcommand', () => {
    const failures = cases.filter((c) => c.fails);
    assert.ok(failures.length >= 40, `${failures.length} failure cases`);
    for (const command of ['train', 'classify', 'scan', 'explain', 'doctor', 'embed', 'phylo', 'report', 'completion'])
      assert.ok(
        failures.some((c) => c.args[0] === command),
        command,
      );
    const documented = documentedExitCodes();
    for (const c of failures) assert.ok(documented.has(c.fails!.code), `${c.name}: exit ${c.fails!.code} is in README's table`);
  });

  cases.forEach((c, index) => {
    test(c.name, async () => {
      const dir = join(shared, `case-${index}`);
      mkdirSync(dir);
      for (const [name, content] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), content);
      c.setup?.(dir);
      const before = new Map(
        (c.outputs ?? []).filter((name) => existsSync(join(dir, name))).map((name) => [name, readFileSync(join(dir, name))]),
      );
      const result = await rnnseq(c.args, {
        cwd: dir,
        ...(c.input !== undefined ? { input: c.input } : {}),
        ...(c.stdoutFile ? { stdoutFile: c.stdoutFile } : {}),
      });
      if (c.fails) {
        assertOneLineError(result, c.fails.code, c.fails.message, c.name);
        for (const name of c.outputs ?? []) {
          const previous = before.get(name);
          if (previous) assert.ok(readFileSync(join(dir, name)).equals(previous), `${name} was changed by a failed run`);
          else assert.ok(!existsSync(join(dir, name)), `${name} was left behind by a failed run`);
        }
      } else {
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '', 'nothing on stderr under -q');
        c.succeeds!(result, dir);
      }
      assert.deepEqual(litter(dir), [], 'no temp files left');
    });
  });

  test('scan | head -1: a reader that closes stdout early ends the run quietly, with exit 0 and no litter', async () => {
    const dir = join(shared, 'head');
    mkdirSync(dir);
    // The calls go to -o and are never finished: they must not appear, half-written or otherwise.
    const child = startRnnseq(scan('--stride', '1', '--threshold', '0.5', '-o', 'calls.bed', '--bedgraph', '-', LONG_GENOME), { cwd: dir });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = await new Promise<string>((resolve) => {
      let text = '';
      child.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) {
          child.stdout!.destroy(); // what `head -1` does once it has its line
          resolve(text.split('\n')[0]!);
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
    assert.match(firstLine, /^chrL\t\d+\t\d+\t\d\.\d{4}$/);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.ok(!existsSync(join(dir, 'calls.bed')));
    assert.deepEqual(litter(dir), []);
  });
});
