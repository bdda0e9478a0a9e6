/**
 * classify, embed and explain with --genome G --regions R.bed: one row per BED line, keyed by its chrom, start,
 * end and name, each region read as the FASTA record of its bases on its strand would be; the same rows whatever
 * form the genome takes (FASTA, .2bit, FASTA + .fai, bgzip + .fai + .gzi).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, useCpuBackend } from '../helpers.js';
import { haveTool, twoBit } from '../io/genome-tools.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';
import { randomScanner } from './random-scanner.js';

await useCpuBackend();

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N', a: 't', c: 'g', g: 'c', t: 'a', n: 'n' };
const reverseComplement = (s: string) =>
  [...s]
    .reverse()
    .map((c) => COMPLEMENT[c]!)
    .join('');

/** Soft-masked stretches and an N run, so the forms must agree on more than plain bases. */
const RECORDS: Array<[string, string]> = [
  ['chr1', `${randomBases(700, 41)}${randomBases(200, 42).toLowerCase()}${'N'.repeat(30)}${randomBases(1070, 43)}`],
  ['chr2', randomBases(900, 44)],
];

/** BED lines: named and unnamed, each strand, shorter and longer than the 40 bp window, the same interval twice. */
const BED = [
  '# regions',
  'chr1\t650\t760\tmasked\t0\t-',
  'chr2\t10\t35',
  'chr1\t650\t760\tmasked_plus\t0\t+',
  'chr1\t1500\t1560\t.\t0\t-',
  'chr2\t850\t900\tend\t0\t.',
  'chr1\t0\t40',
];
const REGIONS = BED.slice(1).map((line) => line.split('\t'));

function genomeForms(dir: string): Array<[string, string]> {
  const fasta = writeFasta(dir, 'g.fa', RECORDS);
  writeFileSync(join(dir, 'g.2bit'), twoBit(RECORDS));
  const forms: Array<[string, string]> = [
    ['FASTA', fasta],
    ['.2bit', join(dir, 'g.2bit')],
  ];
  if (haveTool('samtools') && haveTool('bgzip')) {
    const indexed = writeFasta(dir, 'indexed.fa', RECORDS, 61);
    assert.equal(spawnSync('samtools', ['faidx', indexed]).status, 0);
    const bgz = writeFasta(dir, 'bgz.fa', RECORDS);
    assert.equal(spawnSync('bgzip', ['-i', bgz]).status, 0);
    assert.equal(spawnSync('samtools', ['faidx', `${bgz}.gz`]).status, 0);
    forms.push(['FASTA + .fai', indexed], ['bgzip + .fai + .gzi', `${bgz}.gz`]);
  }
  return forms;
}

/** The FASTA records the regions stand for: bases on their strand, named as rnnseq names them. */
function regionFasta(dir: string): string {
  const records: Array<[string, string]> = REGIONS.map(([chrom, start, end, name, , strand]) => {
    const bases = RECORDS.find(([id]) => id === chrom)![1].slice(Number(start), Number(end));
    const id =
      name !== undefined && name !== '.' ? name : `${chrom}:${start}-${end}${strand === '-' || strand === '+' ? `(${strand})` : ''}`;
    return [id, strand === '-' ? reverseComplement(bases) : bases];
  });
  return writeFasta(dir, 'regions.fa', records);
}

const rows = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));

async function ok(args: string[]): Promise<string> {
  const result = await runCli([...args, '-q']);
  assert.equal(result.code, 0, `${args.join(' ')}\n${result.stderr}`);
  return result.stdout;
}

test('classify --genome --regions: one row per BED line, chrom, start, end, name first; a minus-strand region scores as its reverse-complemented record; every genome form agrees', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  writeFileSync(join(dir, 'r.bed'), `${BED.join('\n')}\n`);
  const forms = genomeForms(dir);
  if (forms.length < 4) t.diagnostic('samtools/bgzip not installed: indexed forms skipped');

  const reference = await ok(['classify', '-m', model, '--genome', forms[0]![1], '--regions', join(dir, 'r.bed')]);
  const table = rows(reference);
  assert.deepEqual(table[0], ['chrom', 'start', 'end', 'name', 'label', 'p_background', 'p_hit']);
  assert.equal(table.length - 1, REGIONS.length, 'one row per BED line');
  assert.deepEqual(
    table.slice(1).map((r) => r.slice(0, 4)),
    [
      ['chr1', '650', '760', 'masked'],
      ['chr2', '10', '35', 'chr2:10-35'],
      ['chr1', '650', '760', 'masked_plus'],
      ['chr1', '1500', '1560', 'chr1:1500-1560(-)'],
      ['chr2', '850', '900', 'end'],
      ['chr1', '0', '40', 'chr1:0-40'],
    ],
  );
  assert.notDeepEqual(table[1]!.slice(5), table[3]!.slice(5), 'the two strands of one interval score differently');

  // The FASTA records of the same bases, minus strands reverse-complemented, give the same numbers.
  const fromFasta = rows(await ok(['classify', '-m', model, regionFasta(dir)]));
  assert.deepEqual(
    fromFasta.slice(1).map((r) => r.slice(1)),
    table.slice(1).map((r) => r.slice(4)),
  );

  for (const [form, path] of forms.slice(1)) {
    assert.equal(await ok(['classify', '-m', model, '--genome', path, '--regions', join(dir, 'r.bed')]), reference, form);
  }
  // -o writes the same table; --rc average is strand-symmetric, so a region and its reverse complement agree.
  await ok([
    'classify',
    '-m',
    model,
    '--genome',
    forms[1]![1],
    '--regions',
    join(dir, 'r.bed'),
    '--rc',
    'average',
    '-o',
    join(dir, 'rc.tsv'),
  ]);
  const rc = rows(readFileSync(join(dir, 'rc.tsv'), 'utf8'));
  assert.deepEqual(rc[1]!.slice(5), rc[3]!.slice(5));
});

test('embed and explain --genome --regions: rows keyed by the BED columns, the same numbers as the regions as FASTA records', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  writeFileSync(join(dir, 'r.bed'), `${BED.join('\n')}\n`);
  const genome = genomeForms(dir).at(-1)![1];
  const fasta = regionFasta(dir);
  const regions = ['--genome', genome, '--regions', join(dir, 'r.bed')];
  const keys = (table: string[][]) => table.slice(1).map((r) => r.slice(0, 4).join('\t'));

  const embedded = rows(await ok(['embed', '-m', model, ...regions]));
  assert.deepEqual(embedded[0]!.slice(0, 5), ['chrom', 'start', 'end', 'name', 'dim1']);
  assert.deepEqual(
    keys(embedded),
    BED.slice(1).map((line) => classifyKey(line)),
  );
  const embeddedFasta = rows(await ok(['embed', '-m', model, fasta]));
  assert.deepEqual(
    embedded.slice(1).map((r) => r.slice(4)),
    embeddedFasta.slice(1).map((r) => r.slice(1)),
  );
  await ok(['embed', '-m', model, ...regions, '--format', 'npy', '-o', join(dir, 'e.npy')]);
  const ids = rows(readFileSync(join(dir, 'e.ids.tsv'), 'utf8'));
  assert.deepEqual(ids[0], ['row', 'chrom', 'start', 'end', 'name']);
  assert.deepEqual(
    ids.slice(1).map((r) => r.slice(1).join('\t')),
    keys(embedded),
  );

  // Mutagenesis and saliency: the FASTA rows, with the region's four columns in place of the id.
  for (const mode of [[], ['--saliency']]) {
    const explained = rows(await ok(['explain', '-m', model, ...mode, ...regions]));
    const explainedFasta = rows(await ok(['explain', '-m', model, ...mode, fasta]));
    assert.deepEqual(explained[0]!.slice(0, 5), ['chrom', 'start', 'end', 'name', 'position']);
    assert.equal(explained.length, explainedFasta.length, `explain ${mode.join(' ')}: as many rows`);
    assert.deepEqual(
      explained.slice(1).map((r) => r.slice(4)),
      explainedFasta.slice(1).map((r) => r.slice(1)),
    );
    const names = explainedFasta.slice(1).map((r) => r[0]);
    assert.deepEqual(
      explained.slice(1).map((r) => r[3]),
      names,
    );
  }
});

/** A BED line's first four output columns, unnamed lines named as rnnseq names them. */
function classifyKey(line: string): string {
  const [chrom, start, end, name, , strand] = line.split('\t');
  const named =
    name !== undefined && name !== '.' ? name : `${chrom}:${start}-${end}${strand === '-' || strand === '+' ? `(${strand})` : ''}`;
  return [chrom, start, end, named].join('\t');
}
