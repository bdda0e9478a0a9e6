import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { runCli, tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const MOTIF = 'GATTACAGGC';
const MOTIF_RC = 'GCCTGTAATC';

/** Sequences with the site planted every ~60-120 bp; returns the FASTA records and the sites as BED rows. */
function plantedGenome(
  chroms: Array<[string, number]>,
  site: string,
  seed: number,
): { records: Array<[string, string]>; sites: Array<[string, number, number]> } {
  const random = new Random(seed);
  const records: Array<[string, string]> = [];
  const sites: Array<[string, number, number]> = [];
  chroms.forEach(([name, length], c) => {
    let seq = randomBases(length, seed * 100 + c)
      .replaceAll(MOTIF, 'AAAAAAAAAA')
      .replaceAll(MOTIF_RC, 'AAAAAAAAAA');
    for (let at = 100 + random.int(60); at + 100 < length; at += 60 + random.int(60)) {
      seq = seq.slice(0, at) + site + seq.slice(at + site.length);
      sites.push([name, at, at + site.length]);
    }
    records.push([name, seq]);
  });
  return { records, sites };
}

const overlaps = (a: string[], b: Array<[string, number, number]>) =>
  b.some(([chrom, start, end]) => a[0] === chrom && Number(a[1]) < end && Number(a[2]) > start);

test('train --genome learns a forward-strand motif; scan finds it planted on the minus strand only with strand both or -', async (t) => {
  const dir = tempDir(t);
  const train = plantedGenome(
    [
      ['chr1', 30000],
      ['chr2', 9000],
    ],
    MOTIF,
    1,
  );
  const genome = writeFasta(dir, 'train.fa', train.records);
  writeFileSync(join(dir, 'sites.bed'), `${train.sites.map((s) => s.join('\t')).join('\n')}\n`);
  const run = join(dir, 'run');
  // --no-rc: the model sees the motif on the forward strand only, so finding its reverse complement is scan's work.
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
    '--no-rc',
    '--positive-class',
    'site',
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--epochs',
    '15',
    '--lr',
    '0.01',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  assert.deepEqual(spec.classes, ['background', 'site']);
  assert.equal(spec.inputLength, 40);
  assert.equal(spec.window.strand, '+');
  assert.ok(spec.window.calibration.f1 > 0.9, JSON.stringify(spec.window));
  assert.equal(spec.window.calibration.set, 'held out: chr2');

  const test = plantedGenome([['t1', 15000]], MOTIF_RC, 2);
  const testGenome = writeFasta(dir, 'test.fa', test.records);
  const found: Record<string, { sitesHit: number; callsOnSites: number; calls: number }> = {};
  for (const strand of ['both', '+', '-']) {
    const scanned = await runCli(['scan', '-q', '-m', run, testGenome, '--strand', strand]);
    assert.equal(scanned.code, 0, scanned.stderr);
    const calls = scanned.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    found[strand] = {
      sitesHit: test.sites.filter((s) => calls.some((c) => overlaps(c, [s]))).length,
      callsOnSites: calls.filter((c) => overlaps(c, test.sites)).length,
      calls: calls.length,
    };
  }
  const sites = test.sites.length;
  assert.ok(found.both!.sitesHit >= 0.95 * sites, `both strands: ${JSON.stringify(found)} of ${sites} sites`);
  assert.ok(found.both!.callsOnSites >= 0.7 * found.both!.calls, `precision: ${JSON.stringify(found)}`);
  assert.equal(found['-']!.sitesHit, found.both!.sitesHit);
  assert.ok(found['+']!.sitesHit <= 0.1 * sites, `forward strand alone should miss minus-strand sites: ${JSON.stringify(found)}`);
});
