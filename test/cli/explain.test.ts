import { after, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '../../src/commands/shared/checkpoints.js';
import { createNativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel, type ModelInfo } from '../../src/engine/sequence-model.js';
import { trainModel } from '../../src/engine/trainer.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { plantedMotifFasta } from '../motif-data.js';
import { Random } from '../../src/seq/random.js';
import { repoRoot, runCli, tempDir, useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');
const extras = { training: {}, data: {}, metrics: {}, backend: 'cpu', engine: 'test' };
const architecture = {
  cell: 'gru' as const,
  inputSize: 4,
  hiddenSize: 16,
  layers: 1,
  bidirectional: false,
  dropout: 0,
  pool: 'max' as const,
  numClasses: 2,
};

/** One briefly trained motif model for the tests below (native core: about a second). */
const shared = mkdtempSync(join(tmpdir(), 'rnnseq-explain-'));
after(() => rmSync(shared, { recursive: true, force: true }));
let trained: Promise<string> | undefined;
function motifModel(): Promise<string> {
  trained ??= (async () => {
    const { fasta } = plantedMotifFasta(600, 24, 31, 'TGACGT');
    const lines = fasta.trim().split('\n');
    const sequences = lines.filter((_, i) => i % 2 === 1);
    const labels = Int32Array.from(
      lines.filter((_, i) => i % 2 === 0),
      (h) => (h.endsWith('label=motif') ? 1 : 0),
    );
    const info: ModelInfo = { alphabet: 'dna', classes: ['background', 'motif'], inputLength: null, architecture };
    const model = SequenceModel.create(info, 5, createNativeCore().core ?? new ReferenceCore());
    await trainModel(model, { items: sequences.map((s) => encodeSequence(s, dna, null)), labels }, undefined, {
      epochs: 15,
      batchSize: 32,
      learningRate: 0.01,
      clipNorm: 5,
      seed: 5,
      patience: 0,
    });
    await saveModel(join(shared, 'model'), model, extras);
    model.dispose();
    return join(shared, 'model');
  })();
  return trained;
}

test('explain writes every single-base effect as TSV and the planted motif as MEME and JASPAR', async (t) => {
  const dir = tempDir(t);
  const modelDir = await motifModel();
  const input = join(dir, 'in.fa');
  writeFileSync(input, plantedMotifFasta(60, 24, 32, 'TGACGT').fasta);

  // A decoy and the planted motif's reverse complement (ACGTCA), the two JASPAR text styles mixed.
  const known = join(dir, 'known.jaspar');
  writeFileSync(
    known,
    '>MA1 DECOY\n0 0 9 9\n9 9 0 0\n0 0 0 0\n0 0 0 0\n>MA2 PLANTED rc\nA [ 9 0 0 0 0 9 ]\nC [ 0 9 0 0 9 0 ]\nG [ 0 0 9 0 0 0 ]\nT [ 0 0 0 9 0 0 ]\n',
  );
  const out = join(dir, 'effects.tsv');
  const result = await runCli([
    'explain',
    '-m',
    modelDir,
    '--target',
    'motif',
    '-o',
    out,
    '--motifs',
    '2',
    '--compare',
    known,
    '--json',
    input,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '', 'with -o, stdout stays empty');
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.deepEqual(rows[0]!.split('\t'), ['id', 'position', 'ref', 'alt', 'p_ref', 'p_alt', 'delta']);
  assert.equal(rows.length, 1 + 60 * 24 * 3, 'three alternatives per position');
  const firstBase = readFileSync(input, 'utf8').split('\n')[1]![0]!;
  const expectedAlts = dna.symbols.filter((s) => s !== firstBase);
  assert.deepEqual(
    rows.slice(1, 4).map((r) => r.split('\t').slice(0, 4)),
    expectedAlts.map((alt) => ['s0', '0', firstBase, alt]),
    'input order, then position, then alt',
  );
  for (const row of rows.slice(1)) {
    const [, , ref, alt, pRef, pAlt, delta] = row.split('\t');
    assert.notEqual(ref, alt);
    assert.ok(Math.abs(Number(pAlt) - Number(pRef) - Number(delta)) < 2e-6, row);
  }
  const meme = readFileSync(join(dir, 'effects.motifs.meme'), 'utf8');
  const jaspar = readFileSync(join(dir, 'effects.motifs.jaspar'), 'utf8');
  assert.match(meme, /\nMOTIF rnnseq_1 [ACGTN]*TGACGT[ACGTN]* *\nletter-probability matrix: alength= 4 w= \d+ nsites= \d+ E= 0\n/, meme);
  assert.match(jaspar, /^>rnnseq_1\t[ACGTN]*TGACGT[ACGTN]* sites=\d+\nA \[/);
  const matches = readFileSync(join(dir, 'effects.motifs.matches.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((r) => r.split('\t'));
  assert.deepEqual(matches[0], ['motif', 'consensus', 'sites', 'known_id', 'known_name', 'correlation', 'strand']);
  assert.deepEqual([matches[1]![0], matches[1]![3], matches[1]![4], matches[1]![6]], ['rnnseq_1', 'MA2', 'PLANTED rc', '-']);
  assert.ok(Number(matches[1]![5]) > 0.9, matches[1]!.join(' '));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('.')),
    [],
    'no temp files left',
  );

  const piped = await runCli(['explain', '-m', modelDir, '--target', 'motif', '-q', '-'], { input: readFileSync(input, 'utf8') });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, readFileSync(out, 'utf8'), 'stdin and stdout give the same table');
});

test('explain on a fixed-length scanner mutates the centre of longer records and defaults to its positive class', async (t) => {
  const dir = tempDir(t);
  const info: ModelInfo = { alphabet: 'dna', classes: ['other', 'site'], inputLength: 10, architecture };
  const model = SequenceModel.create(info, 1, new ReferenceCore());
  const window = {
    lengthBp: 10,
    positiveClass: 'site',
    threshold: 0.5,
    strand: '+' as const,
    rcCombine: 'max' as const,
    reverseComplement: false,
  };
  await saveModel(join(dir, 'scanner'), model, { ...extras, window });
  model.dispose();
  writeFileSync(join(dir, 'in.fa'), '>long\nAAAAACCCCCGGGGGTTTTT\n>short\nacgtn\n');
  const result = await runCli(['explain', '-m', join(dir, 'scanner'), '-q', join(dir, 'in.fa')]);
  assert.equal(result.code, 0, result.stderr);
  const rows = result.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split('\t'));
  const long = rows.filter((r) => r[0] === 'long');
  assert.equal(long.length, 30);
  assert.deepEqual([long[0]![1], long[0]![2], long.at(-1)![1], long.at(-1)![2]], ['5', 'C', '14', 'G'], 'positions 5..14 of the record');
  const short = rows.filter((r) => r[0] === 'short');
  assert.equal(short.length, 4 * 3 + 4, 'lower case is upper-cased; N has four alternatives');
  assert.deepEqual(
    short.slice(-4).map((r) => `${r[2]}>${r[3]}`),
    ['N>A', 'N>C', 'N>G', 'N>T'],
  );
});

test('explain refuses a classifier without --target, an unknown class and --motifs without an output name', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'in.fa'), '>a\nACGT\n');
  const noTarget = await runCli(['explain', '-m', 'splice-primate', join(dir, 'in.fa')]);
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.stderr, /is a classifier, not a scanner: say which class to explain with --target \(one of EI, IE, N\)/);
  const unknown = await runCli(['explain', '-m', 'splice-primate', '--target', 'XX', join(dir, 'in.fa')]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--target XX: the model's classes are EI, IE, N/);
  const noPrefix = await runCli(['explain', '-m', 'splice-primate', '--target', 'EI', '--motifs', '3', join(dir, 'in.fa')]);
  assert.equal(noPrefix.code, 2);
  assert.match(noPrefix.stderr, /--motifs needs --motif-out PREFIX/);
  assert.equal(noPrefix.stdout, '');
  assert.deepEqual(readdirSync(dir), ['in.fa']);
  assert.ok(!existsSync(join(dir, 'in.motifs.meme')));
});

test('explain --vcf writes the VCF back with RNNSEQ_DELTA for SNVs and passes the rest through', async (t) => {
  const dir = tempDir(t);
  const modelDir = await motifModel();
  const random = new Random(9);
  const randomBases = (n: number) =>
    Array.from({ length: n }, () => 'ACGT'[random.int(4)])
      .join('')
      .replaceAll('TGACG', 'TGTCG');
  const chr1 = `${randomBases(25)}TGACGT${randomBases(29)}`; // motif at 0-based 25..30
  const chr2 = randomBases(40);
  writeFileSync(join(dir, 'g.fa'), `>chr1\n${chr1}\n>chr2\n${chr2}\n`);
  const vcf = `${[
    '##fileformat=VCFv4.2',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
    `chr1\t28\tbreaks\tA\tT,AG\t.\tPASS\tDP=9`,
    `chr1\t3\tnear_start\t${chr1[2]}\t${chr1[2] === 'A' ? 'C' : 'A'}\t.\t.\t.`,
    `chr1\t45\tindel\t${chr1.slice(44, 46)}\t${chr1[44]}\t.\t.\t.`,
    `chr2\t20\tfar\t${chr2[19]}\t${chr2[19] === 'A' ? 'C' : 'A'}\t.\t.\t.`,
    'chrX\t20\tunknown\tA\tC\t.\t.\t.',
  ].join('\n')}\n`;
  writeFileSync(join(dir, 'v.vcf'), vcf);
  const result = await runCli([
    'explain',
    '-m',
    modelDir,
    '--target',
    'motif',
    '--vcf',
    join(dir, 'v.vcf'),
    '--genome',
    join(dir, 'g.fa'),
    '--window',
    '20',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /scored 2 of 5 variants; 3 left without RNNSEQ_DELTA/);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines[0], '##fileformat=VCFv4.2');
  assert.match(lines[1]!, /^##INFO=<ID=RNNSEQ_DELTA,Number=A,Type=Float,Description="rnnseq explain: change in p\(motif\)/);
  assert.equal(lines[2], '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO');
  const info = (id: string) => lines.find((l) => l.split('\t')[2] === id)!.split('\t')[7]!;
  const [broken, indelAllele] = info('breaks')
    .replace(/^DP=9;RNNSEQ_DELTA=/, '')
    .split(',');
  assert.equal(indelAllele, '.', 'the indel allele gets no value');
  assert.ok(Number(broken) < -0.5, `breaking the motif: ${info('breaks')}`);
  const far = Number(info('far').replace('RNNSEQ_DELTA=', ''));
  assert.ok(Math.abs(far) < Math.abs(Number(broken)), `far from any motif: ${far}`);
  for (const id of ['near_start', 'indel', 'unknown']) assert.equal(info(id), '.', id);

  writeFileSync(join(dir, 'bad.vcf'), vcf.replace('chr1\t28\tbreaks\tA', 'chr1\t28\tbreaks\tG'));
  const out = join(dir, 'scored.vcf');
  const bad = await runCli([
    'explain',
    '-m',
    modelDir,
    '--target',
    'motif',
    '--vcf',
    join(dir, 'bad.vcf'),
    '--genome',
    join(dir, 'g.fa'),
    '--window',
    '20',
    '-o',
    out,
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.vcf:3: REF G does not match the genome \(A at chr1:28\)/);
  assert.ok(!existsSync(out));
  const noWindow = await runCli([
    'explain',
    '-m',
    modelDir,
    '--target',
    'motif',
    '--vcf',
    join(dir, 'v.vcf'),
    '--genome',
    join(dir, 'g.fa'),
  ]);
  assert.equal(noWindow.code, 2);
  assert.match(noWindow.stderr, /give --window BP/);
});

test('explain --region mutates every base of a genome region in genome coordinates, with a bedGraph of the strongest effects', async (t) => {
  const dir = tempDir(t);
  const modelDir = await motifModel();
  const random = new Random(10);
  const randomBases = (n: number) =>
    Array.from({ length: n }, () => 'ACGT'[random.int(4)])
      .join('')
      .replaceAll('TGACG', 'TGTCG');
  const chr1 = `${randomBases(25)}TGACGT${randomBases(29)}`; // motif at 0-based 25..30
  writeFileSync(join(dir, 'g.fa'), `>chr0\n${randomBases(30)}\n>chr1\n${chr1}\n`);
  const out = join(dir, 'e.tsv');
  const bg = join(dir, 'e.bg');
  const args = ['explain', '-m', modelDir, '--target', 'motif', '--genome', join(dir, 'g.fa'), '--window', '20'];
  const result = await runCli([...args, '--region', 'chr1:20-40', '-o', out, '--bedgraph', bg]);
  assert.equal(result.code, 0, result.stderr);
  const rows = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split('\t'));
  assert.equal(rows.length, 21 * 3, 'chr1:20-40 is 21 bases, three alternatives each');
  assert.deepEqual([rows[0]![0], rows[0]![1], rows[0]![2]], ['chr1', '19', chr1[19]]);
  assert.deepEqual(rows.at(-1)!.slice(0, 3), ['chr1', '39', chr1[39]]);
  const bins = readFileSync(bg, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  assert.equal(bins.length, 21);
  assert.deepEqual(bins[0]!.slice(0, 3), ['chr1', '19', '20']);
  const strongest = bins.reduce((a, b) => (Number(b[3]) < Number(a[3]) ? b : a));
  assert.ok(Number(strongest[1]) >= 25 && Number(strongest[1]) <= 30, `strongest loss at ${strongest.join(' ')}, inside the motif`);
  assert.ok(Number(strongest[3]) < -0.5, strongest.join(' '));

  const whole = await runCli([...args, '--region', 'chr1']);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(whole.stdout.trim().split('\n').length, 1 + 41 * 3, 'bases 10..50 have a whole window');
  assert.match(whole.stderr, /explained 41 bases in 1 region; 19 bases within 10 bp of a sequence end skipped/);
  const missing = await runCli([...args, '--region', 'chr9:1-10']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--region chr9:1-10: no sequence 'chr9' in .*g\.fa/);
  const lonely = await runCli(['explain', '-m', modelDir, '--target', 'motif', '--bedgraph', bg]);
  assert.equal(lonely.code, 2);
  assert.match(lonely.stderr, /--bedgraph needs --genome and --region/);
});

test('explain --saliency writes one row per position in input order and refuses to mix with --motifs', async () => {
  const fixture = join(repoRoot, 'fixtures', 'splice-sample.fa');
  const result = await runCli(['explain', '-q', '-m', 'splice-primate', '--target', 'EI', '--saliency', fixture]);
  assert.equal(result.code, 0, result.stderr);
  const rows = result.stdout.trim().split('\n');
  assert.deepEqual(rows[0]!.split('\t'), ['id', 'position', 'ref', 'saliency']);
  assert.equal(rows.length, 1 + 40 * 60);
  assert.deepEqual(rows[1]!.split('\t').slice(0, 3), ['dna2001', '0', 'T']);
  assert.ok(rows.slice(1).every((row) => Number.isFinite(Number(row.split('\t')[3]))));
  const mixed = await runCli([
    'explain',
    '-q',
    '-m',
    'splice-primate',
    '--target',
    'EI',
    '--saliency',
    '--motifs',
    '2',
    '-o',
    '/tmp/never.tsv',
    fixture,
  ]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /--saliency .* does not combine with --motifs/);
});
