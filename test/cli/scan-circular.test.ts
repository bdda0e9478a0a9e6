import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { needTool } from '../system-tools.js';
import { runCli, tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const MOTIF = 'GATTACAGGC';
const MOTIF_RC = 'GCCTGTAATC';
const clean = (seq: string) => seq.replaceAll(MOTIF, 'AAAAAAAAAA').replaceAll(MOTIF_RC, 'AAAAAAAAAA');

/** A genome with the site planted every ~60-120 bp, and the sites as BED rows. */
function plantedGenome(chroms: Array<[string, number]>, seed: number): { records: Array<[string, string]>; sites: string[] } {
  const random = new Random(seed);
  const records: Array<[string, string]> = [];
  const sites: string[] = [];
  chroms.forEach(([name, length], c) => {
    let seq = clean(randomBases(length, seed * 100 + c));
    for (let at = 100 + random.int(60); at + 100 < length; at += 60 + random.int(60)) {
      seq = seq.slice(0, at) + MOTIF + seq.slice(at + MOTIF.length);
      sites.push(`${name}\t${at}\t${at + MOTIF.length}`);
    }
    records.push([name, seq]);
  });
  return { records, sites };
}

const rows = (bed: string) =>
  bed
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));

test('scan --circular finds a site planted across the origin of a plasmid, as two BED lines bedtools accepts', async (t) => {
  const dir = tempDir(t);
  const train = plantedGenome(
    [
      ['chr1', 12000],
      ['chr2', 4000],
    ],
    7,
  );
  const genome = writeFasta(dir, 'train.fa', train.records);
  writeFileSync(join(dir, 'sites.bed'), `${train.sites.join('\n')}\n`);
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-q',
    '-o',
    run,
    '--genome',
    genome,
    '--positives',
    join(dir, 'sites.bed'),
    '--window',
    '40',
    '--valid-chroms',
    'chr2',
    '--positive-class',
    'site',
    // The small recurrent scanner the flags describe: the scan's mechanics are under test here, not the recipe.
    '--plain',
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--epochs',
    '30',
    '--batch-size',
    '16',
    '--lr',
    '0.01',
    '--seed',
    '3',
    '--null-windows',
    '0', // no null: this test is about the threshold rule's calls across the origin
  ]);
  assert.equal(trained.code, 0, trained.stderr);

  // A 3 kbp plasmid: one site across the origin (its first 4 bases at the end), one in the middle as a control.
  const lengthBp = 3000;
  const body = clean(randomBases(lengthBp - MOTIF.length, 11));
  const plasmid = MOTIF.slice(4) + body.slice(0, 1500) + MOTIF + body.slice(1500 + MOTIF.length) + MOTIF.slice(0, 4);
  assert.equal(plasmid.length, lengthBp);
  const untagged = writeFasta(dir, 'plasmid.fa', [['pX', plasmid]]);
  const tagged = writeFasta(dir, 'tagged.fa', [['pX [topology=circular]', plasmid]]);

  const linear = await runCli(['scan', '-q', '-m', run, untagged]);
  assert.equal(linear.code, 0, linear.stderr);
  const circular = await runCli(['scan', '-q', '-m', run, untagged, '--circular']);
  assert.equal(circular.code, 0, circular.stderr);
  const byTag = await runCli(['scan', '-q', '-m', run, tagged]);
  assert.equal(byTag.code, 0, byTag.stderr);

  const onControl = (r: string[]) => Number(r[1]) < 1500 + MOTIF.length + 6 && Number(r[2]) > 1500 + 6;
  assert.ok(
    rows(linear.stdout).some(onControl) && rows(circular.stdout).some(onControl),
    `the middle site is found either way:\n${linear.stdout}`,
  );
  assert.ok(
    !rows(linear.stdout).some((r) => r[1] === '0' || r[2] === String(lengthBp)),
    `linear: no call at the origin:\n${linear.stdout}`,
  );

  const calls = rows(circular.stdout);
  const first = calls[0]!;
  const last = calls[calls.length - 1]!;
  assert.equal(first[1], '0', `circular: the call continues at the start:\n${circular.stdout}`);
  assert.equal(last[2], String(lengthBp), 'and begins before the end');
  assert.ok(Number(first[2]) >= 6 && Number(last[1]) <= lengthBp - 4, 'the two lines cover the site, bases 2996-3000 and 0-6');
  assert.deepEqual(first.slice(3), last.slice(3), 'name, score, strand, max_prob, mean_prob and windows are shared');
  assert.equal(byTag.stdout, circular.stdout, 'a topology=circular header tag does what --circular does');

  let sharded = '';
  for (const shard of ['1/3', '2/3', '3/3']) {
    const part = await runCli(['scan', '-q', '-m', run, untagged, '--circular', '--shard', shard]);
    assert.equal(part.code, 0, part.stderr);
    sharded += part.stdout;
  }
  assert.equal(sharded, circular.stdout, 'shards of the plasmid concatenate to the whole scan');

  if (needTool(t, 'bedtools')) {
    const bed = join(dir, 'circular.bed');
    writeFileSync(bed, circular.stdout);
    const sorted = spawnSync('bedtools', ['sort', '-i', bed], { encoding: 'utf8' });
    assert.equal(sorted.status, 0, sorted.stderr);
    assert.equal(sorted.stdout, readFileSync(bed, 'utf8'), 'bedtools sort accepts the output and leaves it unchanged');
  }
});
