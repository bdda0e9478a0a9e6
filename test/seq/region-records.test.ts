import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnseqError } from '../../src/errors.js';
import { type RegionRecord, checkRegions, parseRegions } from '../../src/io/bed-regions.js';
import { loadFastaIntervals } from '../../src/io/fasta-intervals.js';
import { loadFastaGenome } from '../../src/io/genome-source.js';
import { openGenomeSource } from '../../src/io/open-genome.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { regionName, regionSequences, reverseComplementBases } from '../../src/seq/region-records.js';
import { haveTool, twoBit } from '../io/genome-tools.js';
import { tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const dna = getAlphabet('dna');
const readOptions = { allowed: dna.allowed, alphabetLabel: dna.label };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

test('reverse complement keeps soft-masking and complements IUPAC codes', () => {
  assert.equal(reverseComplementBases(Buffer.from('ACGTacgtN', 'latin1')), 'NacgtACGT');
  assert.equal(reverseComplementBases(Buffer.from('AAcCRYKMBVDHSWn', 'latin1')), 'nWSDHBVKMRYGgTT');
  assert.equal(reverseComplementBases(Buffer.from('', 'latin1')), '');
});

test('each BED line is one record in file order: bases [start, end), minus strand reverse-complemented, named or named as bedtools getfasta does', async (t) => {
  const dir = tempDir(t);
  const chr1 = `${randomBases(300, 1)}acgtnNNN${randomBases(200, 2)}`;
  const genomeFile = writeFasta(dir, 'g.fa', [
    ['chr1', chr1],
    ['chr2', randomBases(100, 3)],
  ]);
  const bed = join(dir, 'r.bed');
  writeFileSync(
    bed,
    'chr1\t290\t320\tenh1\t0\t-\nchr2\t0\t100\nchr1\t290\t320\t.\t0\t+\n#c\nchr1\t5\t6\tx\t0\t.\nchr1\t290\t320\t.\t0\t-\n',
  );
  const regions = await parseRegions(bed);
  const genome = await loadFastaGenome(genomeFile, readOptions);
  checkRegions(regions, bed, genome);
  const records = await collect(regionSequences(genome, regions, dna, bed));
  const forward = chr1.slice(290, 320);
  assert.deepEqual(
    records.map((r) => [r.id, r.sequence, r.line, r.region.strand]),
    [
      ['enh1', reverseComplementBases(Buffer.from(forward, 'latin1')), 1, '-'],
      ['chr2:0-100', await genome.fetch('chr2', 0, 100), 2, '.'],
      ['chr1:290-320(+)', forward, 3, '+'],
      ['x', chr1.slice(5, 6), 5, '.'],
      ['chr1:290-320(-)', reverseComplementBases(Buffer.from(forward, 'latin1')), 6, '-'],
    ],
  );
  assert.match(forward, /acgtnNNN/, 'soft-masked bases and Ns come through as stored');
  assert.equal(regionName({ chrom: 'c', start: 1, end: 2, strand: '.' }), 'c:1-2');

  // A base outside the model's alphabet names the BED line; a protein model cannot read a minus strand.
  const protein = getAlphabet('protein');
  await assert.rejects(
    collect(regionSequences(genome, regions.slice(0, 1), protein, bed)),
    (e: unknown) =>
      e instanceof RnnseqError && e.exitCode === 2 && /r\.bed:1: a minus-strand region needs a DNA or RNA model/.test(e.message),
  );
  const odd = { ...genome, fetchBytes: async () => Buffer.from('ACJT', 'latin1') };
  await assert.rejects(
    collect(regionSequences(odd, regions.slice(1, 2), dna, bed)),
    (e: unknown) => e instanceof RnnseqError && /r\.bed:2: base 2 of chr2 in .*g\.fa is 'J', not allowed/.test(e.message),
  );
});

test("a plain FASTA keeps only the regions' bases; .2bit and indexed genomes read only what the regions need", async (t) => {
  const dir = tempDir(t);
  const records: Array<[string, string]> = [
    ['chrA', randomBases(200_000, 5)],
    ['chrB', randomBases(50_000, 6)],
  ];
  const genomeFile = writeFasta(dir, 'g.fa', records);
  const wanted: RegionRecord[] = [
    { chrom: 'chrB', start: 100, end: 400, line: 1 },
    { chrom: 'chrA', start: 150_000, end: 150_500, line: 2, strand: '-' },
    { chrom: 'chrA', start: 150_400, end: 150_900, line: 3 },
  ];
  const partial = await loadFastaIntervals(genomeFile, readOptions, wanted);
  assert.deepEqual(
    partial.names().map((n) => [n, partial.length(n)]),
    [
      ['chrA', 200_000],
      ['chrB', 50_000],
    ],
  );
  const whole = await loadFastaGenome(genomeFile, readOptions);
  const expected = await collect(regionSequences(whole, wanted, dna, 'r.bed'));
  assert.deepEqual(await collect(regionSequences(partial, wanted, dna, 'r.bed')), expected);
  await assert.rejects(partial.fetch('chrA', 0, 10), RangeError, 'bases outside the regions were not kept');

  writeFileSync(join(dir, 'g.2bit'), twoBit(records));
  const sources = [join(dir, 'g.2bit')];
  if (haveTool('samtools')) {
    assert.equal(spawnSync('samtools', ['faidx', genomeFile]).status, 0);
    sources.push(genomeFile);
  } else t.diagnostic('samtools not installed: indexed FASTA skipped');
  for (const path of sources) {
    const source = (await openGenomeSource(path))!;
    assert.deepEqual(await collect(regionSequences(source, wanted, dna, 'r.bed')), expected, path);
    assert.ok(source.bytesRead < 20_000, `${path}: ${source.bytesRead} bytes read for 1.3 kbp of regions in 250 kbp`);
    await source.close();
  }
});
