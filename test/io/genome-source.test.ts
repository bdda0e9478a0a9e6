import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnseqError } from '../../src/errors.js';
import type { GenomeSource } from '../../src/io/genome-source.js';
import { genomeKind, openGenomeSource } from '../../src/io/open-genome.js';
import { openIndexedFasta } from '../../src/io/indexed-fasta.js';
import { openTwoBit } from '../../src/io/twobit.js';
import { tempDir } from '../helpers.js';
import { haveTool, twoBit } from './genome-tools.js';

/** Random bases with runs of N and soft-masked stretches, the features a genome file must keep. */
function genomeSequence(length: number, seed: number): string {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let out = '';
  while (out.length < length) {
    const r = next();
    const run = 1 + Math.floor(next() * 300);
    const bases = Array.from({ length: run }, () => 'ACGT'[Math.floor(next() * 4)]).join('');
    out += r < 0.08 ? 'N'.repeat(run) : r < 0.3 ? bases.toLowerCase() : bases;
  }
  return out.slice(0, length);
}

const RECORDS: Array<[string, string]> = [
  ['chr1', genomeSequence(25_003, 1)],
  ['chrM', genomeSequence(7, 2)],
  ['chr2 description here', genomeSequence(140_001, 3)],
];
const NAMES = ['chr1', 'chrM', 'chr2'];

function fasta(records: ReadonlyArray<[string, string]>, width: number, eol = '\n'): string {
  return records.map(([header, seq]) => `>${header}${eol}${seq.match(new RegExp(`.{1,${width}}`, 'g'))!.join(eol)}${eol}`).join('');
}

/** Every source gives the same names, lengths and bases as the records, over random ranges and edges. */
async function checkSource(source: GenomeSource): Promise<void> {
  assert.deepEqual(source.names(), NAMES);
  for (const [header, seq] of RECORDS) {
    const name = header.split(' ')[0]!;
    assert.equal(source.length(name), seq.length);
    assert.equal(await source.fetch(name, 0, seq.length), seq, `${name} whole`);
    for (let k = 0; k < 40; k++) {
      const start = (k * 7919) % seq.length;
      const end = Math.min(seq.length, start + ((k * 104729) % 9000));
      assert.equal(await source.fetch(name, start, end), seq.slice(start, end), `${name}:${start}-${end}`);
    }
    assert.equal(await source.fetch(name, seq.length, seq.length), '');
  }
  await assert.rejects(
    source.fetch('chrX', 0, 1),
    (e: unknown) => e instanceof RnnseqError && /no sequence named 'chrX' \(it has chr1, chrM, chr2\)/.test(e.message),
  );
}

test('.2bit: random access keeps N blocks and soft-masking, reads only what a range needs', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'g.2bit');
  writeFileSync(path, twoBit(RECORDS.map(([h, s]) => [h.split(' ')[0]!, s])));
  assert.equal(await genomeKind(path), '2bit');
  const source = await openTwoBit(path);
  t.after(() => source.close());
  await checkSource(source);
  const before = source.bytesRead;
  await source.fetch('chr2', 100_000, 100_400);
  assert.ok(source.bytesRead - before <= 102, `a 400 bp range reads its 100 packed bytes, read ${source.bytesRead - before}`);
});

test('a corrupt or truncated .2bit is a one-line error naming the file', async (t) => {
  const dir = tempDir(t);
  const good = twoBit(RECORDS.map(([h, s]) => [h.split(' ')[0]!, s]));
  const cases: Array<[string, Buffer, RegExp]> = [
    [
      'cut in the packed bases',
      good.subarray(0, good.length - 100),
      /t\.2bit: not a valid \.2bit file: sequence 'chr2' is cut short \(truncated file\?\)/,
    ],
    ['cut in the index', good.subarray(0, 20), /t\.2bit: not a valid \.2bit file: truncated index/],
    ['cut in the header', good.subarray(0, 10), /t\.2bit: not a valid \.2bit file: truncated header/],
    ['bad version', Buffer.concat([good.subarray(0, 4), Buffer.from([9, 0, 0, 0]), good.subarray(8)]), /unknown version 9/],
  ];
  for (const [what, bytes, message] of cases) {
    writeFileSync(join(dir, 't.2bit'), bytes);
    await assert.rejects(
      openTwoBit(join(dir, 't.2bit')),
      (e: unknown) => e instanceof RnnseqError && e.exitCode === 2 && message.test(e.message) && !e.message.includes('\n'),
      what,
    );
  }
});

test('indexed FASTA (samtools faidx) and bgzip FASTA (.fai + .gzi) read ranges without reading the rest', async (t) => {
  if (!haveTool('samtools', ['--version']) || !haveTool('bgzip', ['--version']))
    return t.diagnostic('samtools/bgzip not installed: skipped');
  const dir = tempDir(t);
  const plain = join(dir, 'g.fa');
  writeFileSync(plain, fasta(RECORDS, 61));
  assert.equal(spawnSync('samtools', ['faidx', plain]).status, 0);
  assert.equal(await genomeKind(plain), 'indexed');
  const source = (await openGenomeSource(plain))!;
  t.after(() => source.close());
  await checkSource(source);
  assert.equal(await source.description('chr2'), 'description here');
  const before = source.bytesRead;
  await source.fetch('chr2', 100_000, 100_400);
  assert.ok(source.bytesRead - before < 500, `a 400 bp range reads about its own bytes, read ${source.bytesRead - before}`);

  // Windows line endings: the .fai says 62 bytes per 61-base line.
  const crlf = join(dir, 'crlf.fa');
  writeFileSync(crlf, fasta(RECORDS, 61, '\r\n'));
  assert.equal(spawnSync('samtools', ['faidx', crlf]).status, 0);
  const crlfSource = await openIndexedFasta(crlf);
  t.after(() => crlfSource.close());
  await checkSource(crlfSource);

  const gz = join(dir, 'g.fa.gz');
  writeFileSync(join(dir, 'g2.fa'), fasta(RECORDS, 61));
  assert.equal(spawnSync('bgzip', ['-i', '-@1', join(dir, 'g2.fa')]).status, 0);
  spawnSync('mv', [join(dir, 'g2.fa.gz'), gz]);
  spawnSync('mv', [join(dir, 'g2.fa.gz.gzi'), `${gz}.gzi`]);
  assert.equal(spawnSync('samtools', ['faidx', gz]).status, 0);
  const bgz = (await openGenomeSource(gz))!;
  t.after(() => bgz.close());
  await checkSource(bgz);
  const compressedBefore = bgz.bytesRead;
  await bgz.fetch('chr2', 100_000, 100_400);
  const compressedSize = readFileSync(gz).length;
  assert.ok(
    bgz.bytesRead - compressedBefore < compressedSize / 2,
    `a few BGZF blocks of ${compressedSize} bytes, read ${bgz.bytesRead - compressedBefore}`,
  );
});

test('a .fai that does not match its FASTA is a one-line error naming the .fai line', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'g.fa');
  writeFileSync(path, fasta(RECORDS, 60));
  // The index of a 61-column file, given to a 60-column one.
  const seqs = RECORDS.map(([h, s]) => [h.split(' ')[0]!, s] as const);
  const faiFor = (width: number, text: string) => {
    let offset = 0;
    const lines: string[] = [];
    for (const [i, [name, seq]] of seqs.entries()) {
      offset += RECORDS[i]![0].length + 2;
      lines.push([name, seq.length, offset, width, width + 1].join('\t'));
      offset += seq.length + Math.ceil(seq.length / width);
    }
    assert.equal(offset, Buffer.byteLength(text), 'helper computes the index samtools would');
    return `${lines.join('\n')}\n`;
  };
  writeFileSync(`${path}.fai`, faiFor(61, fasta(RECORDS, 61)));
  const stale = await openIndexedFasta(path).catch((e: unknown) => e);
  if (stale instanceof RnnseqError) {
    assert.match(stale.message, /g\.fa\.fai:\d: does not match .*g\.fa: .*rebuild it with samtools faidx/);
  } else {
    t.after(() => (stale as GenomeSource).close());
    await assert.rejects(
      (stale as GenomeSource).fetch('chr1', 0, 200),
      (e: unknown) =>
        e instanceof RnnseqError &&
        e.exitCode === 2 &&
        /g\.fa\.fai:1: does not match .*g\.fa: .*samtools faidx/.test(e.message) &&
        !e.message.includes('\n'),
    );
  }
  // A FASTA cut short after indexing.
  writeFileSync(`${path}.fai`, faiFor(60, fasta(RECORDS, 60)));
  truncateSync(path, 1000);
  await assert.rejects(
    openIndexedFasta(path),
    (e: unknown) =>
      e instanceof RnnseqError &&
      /g\.fa\.fai:1: does not match .*sequence 'chr1' would end at byte \d+, but the FASTA has 1000 bytes/.test(e.message),
  );
  writeFileSync(`${path}.fai`, 'chr1\t10\tx\t60\t61\n');
  await assert.rejects(openIndexedFasta(path), /g\.fa\.fai:1: 'x' is not a non-negative integer/);
});
