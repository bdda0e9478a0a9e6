import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { parseNewick } from '../../src/phylo/newick.js';
import { robinsonFoulds } from '../../src/phylo/rf.js';
import { EIGHT_LEAVES, evolve, toFasta } from '../phylo/evolve.js';
import { plantedMotifFasta } from '../motif-data.js';
import { runCli, tempDir } from '../helpers.js';

/** A Markov chain that mostly cycles A->C->G->T->A: about 0.63 bits per base, far below the 2 of random DNA. */
function cyclingDna(records: number, length: number, seed: number): string {
  const random = new Random(seed);
  const next: Record<string, string> = { A: 'C', C: 'G', G: 'T', T: 'A' };
  let fasta = '';
  for (let r = 0; r < records; r++) {
    let base = 'ACGT'[random.int(4)]!;
    let sequence = '';
    for (let i = 0; i < length; i++) {
      sequence += base;
      base = random.next() < 0.9 ? next[base]! : 'ACGT'[random.int(4)]!;
    }
    fasta += `>cyc${r} species=s${r % 3}\n${sequence}\n`;
  }
  return fasta;
}

function metrics(run: string): Array<Record<string, string>> {
  const [header, ...rows] = readFileSync(join(run, 'metrics.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  return rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]!])));
}

test('train --task lm learns a low-entropy chain: validation bits per base fall well below 2, groups are recorded', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'cyc.fa'), cyclingDna(6, 1500, 1));
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '--task',
    'lm',
    '-o',
    run,
    '--hidden',
    '16',
    '--window',
    '60',
    '--windows-per-epoch',
    '1600',
    '--batch-size',
    '32',
    '--epochs',
    '4',
    '--group-tag',
    'species',
    '--threads',
    '1',
    join(dir, 'cyc.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /bits\/base/);
  const last = metrics(run).at(-1)!;
  assert.ok(Number(last.validBitsPerBase) < 1.1, `bits per base ${last.validBitsPerBase}`);
  assert.ok(Math.abs(Math.log2(Number(last.validPerplexity)) - Number(last.validBitsPerBase)) < 1e-6);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.task, 'lm');
  assert.deepEqual(spec.classes, ['A', 'C', 'G', 'T']);
  assert.deepEqual(Object.keys(spec.data.groups.members), ['s0', 's1', 's2']);

  const bidirectional = await runCli(['train', '--task', 'lm', '--bidirectional', '-o', join(dir, 'bi'), join(dir, 'cyc.fa')]);
  assert.equal(bidirectional.code, 2);
  assert.match(bidirectional.stderr, /^rnnseq: a language model reads left to right only/);
  assert.equal(bidirectional.stderr.trim().split('\n').length, 1);
});

test('the same seed and thread count train byte-identical language models', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'cyc.fa'), cyclingDna(3, 600, 2));
  const train = (out: string) =>
    runCli([
      'train',
      '--task',
      'lm',
      '-q',
      '-o',
      join(dir, out),
      '--hidden',
      '8',
      '--window',
      '40',
      '--windows-per-epoch',
      '100',
      '--epochs',
      '2',
      '--seed',
      '5',
      '--threads',
      '1',
      join(dir, 'cyc.fa'),
    ]);
  assert.equal((await train('a')).code, 0);
  assert.equal((await train('b')).code, 0);
  for (const checkpoint of ['best', 'last']) {
    assert.deepEqual(readFileSync(join(dir, 'a', checkpoint, 'weights.bin')), readFileSync(join(dir, 'b', checkpoint, 'weights.bin')));
    // Identical but for the command line, which names the two output directories.
    const spec = (run: string) => readFileSync(join(dir, run, checkpoint, 'rnnseq.json'), 'utf8').replace(join(dir, run), 'RUN');
    assert.equal(spec('a'), spec('b'));
  }
});

test('embed writes one vector per sequence, per position, or as .npy, for any model', async (t) => {
  const dir = tempDir(t);
  const model = await bidirectionalModel(dir);
  const fasta = '>one\nACGTACGTAC\n>two desc\nGGGCC\n>three\nTTTTTTTTTTTTTTTTTTTTTTTTT\n';
  writeFileSync(join(dir, 'in.fa'), fasta);
  // A bidirectional classifier: 64 units per direction.
  const pooled = await runCli(['embed', '-q', '-m', model, join(dir, 'in.fa')]);
  assert.equal(pooled.code, 0, pooled.stderr);
  const rows = pooled.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  assert.equal(rows.length, 4);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['id', 'one', 'two', 'three'],
  );
  assert.ok(rows.every((r) => r.length === 129));
  assert.ok(rows.slice(1).every((r) => r.slice(1).every((v) => Number.isFinite(Number(v)))));
  assert.notDeepEqual(rows[1]!.slice(1), rows[2]!.slice(1));

  const positions = await runCli(['embed', '-q', '-m', model, '--per-position', join(dir, 'in.fa')]);
  const lines = positions.stdout.trim().split('\n');
  assert.equal(lines.length, 1 + 10 + 5 + 25);
  assert.deepEqual(lines[11]!.split('\t').slice(0, 2), ['two', '0']);

  const npy = await runCli([
    'embed',
    '-q',
    '-m',
    model,
    '--per-position',
    '--format',
    'npy',
    '-o',
    join(dir, 'pos.npy'),
    join(dir, 'in.fa'),
  ]);
  assert.equal(npy.code, 0, npy.stderr);
  const bytes = readFileSync(join(dir, 'pos.npy'));
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  assert.match(bytes.subarray(10, 10 + headerLength).toString('latin1'), /'descr': '<f4', 'fortran_order': False, 'shape': \(40, 128\)/);
  assert.equal(bytes.length, 10 + headerLength + 40 * 128 * 4);
  // The matrix rows are the TSV's values.
  const first = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + 10 + headerLength + 128 * 4));
  lines[1]!
    .split('\t')
    .slice(2)
    .forEach((v, k) => assert.ok(Math.abs(Number(v) - first[k]!) < 1e-6));
  assert.equal(readFileSync(join(dir, 'pos.ids.tsv'), 'utf8'), 'id\tfirst_row\tlength\none\t0\t10\ntwo\t10\t5\nthree\t15\t25\n');

  const layer = await runCli(['embed', '-m', model, '--layer', '2', join(dir, 'in.fa')]);
  assert.equal(layer.code, 2);
  assert.match(layer.stderr, /--layer 2: the model has 1 recurrent layer/);
});

test('a bidirectional model embeds a long sequence alone, in input order, and refuses one over --max-memory per position', async (t) => {
  const dir = tempDir(t);
  const model = await bidirectionalModel(dir);
  const random = new Random(9);
  const bases = (n: number) => Array.from({ length: n }, () => 'ACGT'[random.int(4)]).join('');
  const records = [
    ['a', bases(300)],
    ['long', bases(30_000)],
    ['b', bases(200)],
    ['c', bases(250)],
  ] as const;
  writeFileSync(join(dir, 'mixed.fa'), records.map(([id, seq]) => `>${id}\n${seq}\n`).join(''));
  // --chunk 1000 makes 30 kbp "long"; before, it was padded into one batch with the others (a batch pads every
  // row to its longest), which at 1 Mbp asked for a 5-billion-float array and died.
  const mixed = await runCli(['embed', '-q', '-m', model, '--chunk', '1000', join(dir, 'mixed.fa')]);
  assert.equal(mixed.code, 0, mixed.stderr);
  const rows = mixed.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['a', 'long', 'b', 'c'],
  );
  // Each vector is the sequence's own, whatever it was batched with.
  for (const [i, [id, seq]] of records.entries()) {
    writeFileSync(join(dir, 'one.fa'), `>${id}\n${seq}\n`);
    const alone = await runCli(['embed', '-q', '-m', model, join(dir, 'one.fa')]);
    const vector = alone.stdout.trim().split('\n')[1]!.split('\t').slice(1).map(Number);
    rows[i]!.slice(1).forEach((v, k) => assert.ok(Math.abs(Number(v) - vector[k]!) < 1e-5, `${id} dim ${k + 1}`));
  }

  // Pooled through the native pass, 30 kbp needs about 1 MB: a 10 MB budget holds it, and the vectors are the same.
  const small = ['embed', '-q', '-m', model, '--chunk', '1000', '--max-memory', '0.01'];
  const budgeted = await runCli([...small, join(dir, 'mixed.fa')]);
  assert.equal(budgeted.code, 0, budgeted.stderr);
  assert.equal(budgeted.stdout, mixed.stdout);
  // Per position, 30 kbp at 2 x 64 units needs about 60 MB read whole: over 10 MB it is refused before anything runs.
  const refused = await runCli([...small, '--per-position', '-o', join(dir, 'out.tsv'), join(dir, 'mixed.fa')]);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /mixed\.fa:3: record 'long': 30000 bp is too long to read whole \(a bidirectional model reads a sequence whole\): about 60 MB, over --max-memory 10 MB; .*unidirectional model/,
  );
  assert.ok(!existsSync(join(dir, 'out.tsv')));
});

test('phylo --train --model-features codes goes from FASTA to the right tree (and its drawing) on a simulated evolution', async (t) => {
  const dir = tempDir(t);
  const truth = parseNewick(EIGHT_LEAVES, 'truth');
  writeFileSync(join(dir, 'sim.fa'), toFasta(evolve(truth, 3000, 3)));
  const built = await runCli([
    'phylo',
    '--train',
    '--model-features',
    'codes',
    '--window',
    '100',
    '--windows-per-group',
    '200',
    '--seed',
    '2',
    join(dir, 'sim.fa'),
    '-o',
    join(dir, 'tree.nwk'),
    '--svg',
    join(dir, 'tree.svg'),
  ]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /language-model state codes/);
  const svg = readFileSync(join(dir, 'tree.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  for (const leaf of 'ABCDEFGH') assert.match(svg, new RegExp(`>${leaf}<`));
  const tree = parseNewick(readFileSync(join(dir, 'tree.nwk'), 'utf8'), 'tree.nwk');
  const rf = robinsonFoulds(truth, tree);
  assert.equal(rf.rf, 0, `RF ${rf.rf}: ${readFileSync(join(dir, 'tree.nwk'), 'utf8')}`);
});

/**
 * A bidirectional LSTM of 64 units per direction reading the input directly (--plain: no convolutional front-end,
 * whose pooling would leave one vector per few bases), the shape every embed option applies to.
 */
async function bidirectionalModel(dir: string): Promise<string> {
  writeFileSync(join(dir, 'model-train.fa'), plantedMotifFasta(64, 30, 4).fasta);
  const run = join(dir, 'model');
  const trained = await runCli(['train', '-q', '-o', run, '--plain', '--bidirectional', '--epochs', '1', join(dir, 'model-train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);
  return run;
}
