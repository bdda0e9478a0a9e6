import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { runCli, tempDir } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const MOTIF = 'GATTACAGGCTCAG';
const MOTIF_RC = 'CTGAGCCTGTAATC';

/**
 * Background without the site or any one-base variant of it. The site is 14 bp, not 10: a scanner trained on
 * random negatives may generalise to two mismatches, and a 10-mer has ~140 such variants per 180 kbp of random
 * DNA (a 14-mer under one), so with a 10-mer whether the null's top windows reached the sites' scores depended
 * on float rounding in training. This test is about the calling mechanics, not that borderline.
 */
function clean(seq: string): string {
  const bases = seq.split('');
  for (let i = 0; i + MOTIF.length <= bases.length; i++) {
    for (const motif of [MOTIF, MOTIF_RC]) {
      let mismatches = 0;
      for (let j = 0; j < motif.length && mismatches <= 1; j++) if (bases[i + j] !== motif[j]) mismatches++;
      if (mismatches <= 1) bases.fill('A', i, i + motif.length);
    }
  }
  return bases.join('');
}

/** A sequence with the site planted (either strand) every `every` to 1.5 x `every` bp. */
function planted(name: string, length: number, every: number, seed: number): { seq: string; sites: Array<[string, number, number]> } {
  const random = new Random(seed);
  let seq = clean(randomBases(length, seed));
  const sites: Array<[string, number, number]> = [];
  for (let at = 200; at + 200 < length; at += every + random.int(every / 2)) {
    seq = seq.slice(0, at) + (random.int(2) === 0 ? MOTIF : MOTIF_RC) + seq.slice(at + MOTIF.length);
    sites.push([name, at, at + MOTIF.length]);
  }
  return { seq, sites };
}

const rows = (bed: string) =>
  bed
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
const hits = (row: string[], sites: Array<[string, number, number]>) =>
  sites.some(([c, s, e]) => row[0] === c && Number(row[1]) < e && Number(row[2]) > s);

test('scan --fdr: a trained scanner stores a null; background makes about no calls, planted sites are called with p and q, and gathered shards equal the whole run', async (t) => {
  const dir = tempDir(t);
  const a = planted('chr1', 150000, 300, 1);
  const b = planted('chr2', 30000, 300, 2);
  const genome = writeFasta(dir, 'train.fa', [
    ['chr1', a.seq],
    ['chr2', b.seq],
  ]);
  writeFileSync(join(dir, 'sites.bed'), `${[...a.sites, ...b.sites].map((s) => s.join('\t')).join('\n')}\n`);
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
    '12',
    '--lr',
    '0.01',
    '--negatives-per-positive',
    '10',
    '--null-windows',
    '4000',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  assert.deepEqual(Object.keys(spec.nullScores.distributions).sort(), ['site|+', 'site|-', 'site|both-max', 'site|both-mean']);
  assert.ok(spec.nullScores.distributions['site|both-max'].n >= 3800);
  // 10 negatives per positive cover chr1 over again: the null comes from DNA the model never trained on (chr2).
  assert.match(spec.nullScores.source, /away from the positives, the training negatives and excluded regions/);

  // Held-out test genome: 100 kbp of background only, and 30 kbp with about 40 sites. (BH's power grows with the
  // number of true sites: a handful of sites among 26,000 windows would need p-values this small model cannot give.)
  const test = planted('sites', 30000, 600, 3);
  const testGenome = writeFasta(dir, 'test.fa', [
    ['background', clean(randomBases(100000, 77))],
    ['sites', test.seq],
  ]);
  const scanned = await runCli(['scan', '-m', run, testGenome, '-o', join(dir, 'fdr.bed')]);
  assert.equal(scanned.code, 0, scanned.stderr);
  assert.match(scanned.stderr, /calling site at FDR 0\.05/);
  const calls = rows(readFileSync(join(dir, 'fdr.bed'), 'utf8'));
  const found = test.sites.filter((s) => calls.some((c) => hits(c, [s]))).length;
  const falseCalls = calls.filter((c) => !hits(c, test.sites));
  const windowsOf = (list: string[][]) => list.reduce((sum, c) => sum + Number(c[8]), 0);
  assert.ok(
    found >= 0.9 * test.sites.length,
    `${found} of ${test.sites.length} sites called:\n${calls.map((c) => c.join(' ')).join('\n')}`,
  );
  // BH bounds the share of false windows among called windows by 0.05 on average: allow twice that.
  assert.ok(windowsOf(falseCalls) <= 0.1 * windowsOf(calls), `false call windows: ${windowsOf(falseCalls)} of ${windowsOf(calls)}`);
  for (const c of calls) {
    assert.equal(c.length, 11);
    assert.ok(Number(c[9]) > 0 && Number(c[9]) <= Number(c[10]) && Number(c[10]) <= 0.05, `p <= q <= 0.05: ${c.join(' ')}`);
  }

  // Background alone: the share of windows with p <= 0.05 is about 0.05 (a part writes its candidate windows).
  const part = await runCli(['scan', '-q', '-m', run, testGenome, '--region', 'background']);
  assert.equal(part.code, 0, part.stderr);
  const lines = part.stdout.trim().split('\n');
  const windows = Number(lines.at(-1)!.split('\t')[1]);
  const candidates = lines.filter((l) => !l.startsWith('#')).length;
  assert.ok(
    windows > 9000 && candidates / windows > 0.02 && candidates / windows < 0.1,
    `${candidates} of ${windows} background windows at p <= 0.05`,
  );

  // Shards and regions write candidates; --gather of them in order is byte-identical to the whole run.
  const parts: string[] = [];
  for (const shard of ['1/3', '2/3', '3/3']) {
    const out = join(dir, `part${shard[0]}.tsv`);
    const result = await runCli(['scan', '-q', '-m', run, testGenome, '--shard', shard, '-o', out]);
    assert.equal(result.code, 0, result.stderr);
    parts.push(out);
  }
  const gathered = await runCli(['scan', '-q', '--gather', ...parts]);
  assert.equal(gathered.code, 0, gathered.stderr);
  assert.equal(gathered.stdout, readFileSync(join(dir, 'fdr.bed'), 'utf8'));
  const byRegion = [join(dir, 'r1.tsv'), join(dir, 'r2.tsv')];
  for (const [i, region] of [['background'], ['sites']].entries()) {
    const result = await runCli(['scan', '-q', '-m', run, testGenome, '--region', region[0]!, '-o', byRegion[i]!]);
    assert.equal(result.code, 0, result.stderr);
  }
  const gatheredRegions = await runCli(['scan', '-q', '--gather', ...byRegion]);
  assert.equal(gatheredRegions.stdout, gathered.stdout);

  // --threshold keeps the old rule, with the best window's p and no q.
  const threshold = await runCli(['scan', '-q', '-m', run, testGenome, '--threshold', '0.5']);
  assert.equal(threshold.code, 0, threshold.stderr);
  assert.ok(rows(threshold.stdout).every((c) => Number(c[9]) > 0 && c[10] === '-1'));
  const both = await runCli(['scan', '-q', '-m', run, testGenome, '--threshold', '0.5', '--fdr', '0.1']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--threshold or --fdr, not both/);
});

test('a fixed-length FASTA classifier stores a null per class from shuffles; scan --class gives calibrated p-values and FDR calls', async (t) => {
  const dir = tempDir(t);
  const random = new Random(4);
  const records: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const site = i % 2 === 0;
    let seq = clean(randomBases(40, 1000 + i));
    if (site) {
      const at = random.int(30);
      seq = seq.slice(0, at) + (random.int(2) ? MOTIF : MOTIF_RC) + seq.slice(at + 10);
    }
    records.push(`>s${i} label=${site ? 'site' : 'other'}\n${seq}`);
  }
  writeFileSync(join(dir, 'train.fa'), `${records.join('\n')}\n`);
  const run = join(dir, 'clf');
  const trained = await runCli([
    'train',
    '--json',
    '-o',
    run,
    join(dir, 'train.fa'),
    '--length',
    '40',
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--epochs',
    '15',
    '--lr',
    '0.01',
    '--null-windows',
    '3000',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  // 40 bp: a walk keeping 4-lets would hand back long stretches of each sequence (nullShuffleOrder).
  assert.match(spec.nullScores.source, /shuffles of the training and validation sequences keeping every [23]-let/);
  assert.ok(spec.nullScores.distributions['site|both-max'] && spec.nullScores.distributions['other|+']);
  // Each class's validation sequences against its own null: the sites stand out, the other class does not.
  const checked = trained.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; classes?: Array<{ class: string; positives: number; medianP: number }> })
    .find((e) => e.event === 'class-null-check')!;
  const byClass = new Map(checked.classes!.map((c) => [c.class, c]));
  assert.ok(byClass.get('site')!.positives > 20 && byClass.get('other')!.positives > 20);
  const [site, other] = [byClass.get('site')!.medianP, byClass.get('other')!.medianP];
  assert.ok(site < 1e-3 && other > 100 * site, JSON.stringify(checked));

  const test = planted('g', 30000, 600, 9);
  const genome = writeFasta(dir, 'g.fa', [
    ['g', test.seq],
    ['background', clean(randomBases(60000, 78))],
  ]);
  const noClass = await runCli(['scan', '-q', '-m', run, genome]);
  assert.equal(noClass.code, 2);
  const scanned = await runCli(['scan', '-q', '-m', run, genome, '--class', 'site']);
  assert.equal(scanned.code, 0, scanned.stderr);
  const calls = rows(scanned.stdout);
  assert.ok(calls.every((c) => c.length === 11 && c[3] === 'site' && Number(c[10]) <= 0.05));
  assert.ok(calls.filter((c) => c[0] === 'background').length <= 2, `background-only calls:\n${scanned.stdout}`);
  // The p-values separate sites from background even where this small model is not specific enough for BH to
  // call them genome-wide (its null's top windows score like sites): most sites have a window with p <= 0.01.
  const candidates = await runCli(['scan', '-q', '-m', run, genome, '--class', 'site', '--region', 'g']);
  assert.equal(candidates.code, 0, candidates.stderr);
  const strong = rows(candidates.stdout).filter((c) => !c[0]!.startsWith('#') && Number(c[5]) <= 0.01);
  const near = test.sites.filter((s) => strong.some((c) => hits(c, [s]))).length;
  assert.ok(near >= 0.7 * test.sites.length, `${near} of ${test.sites.length} sites have a window at p <= 0.01`);
  const background = await runCli(['scan', '-q', '-m', run, genome, '--class', 'site', '--region', 'background']);
  const lines = background.stdout.trim().split('\n');
  const share = lines.filter((l) => !l.startsWith('#')).length / Number(lines.at(-1)!.split('\t')[1]);
  assert.ok(share > 0.01 && share < 0.12, `share of background windows at p <= 0.05: ${share}`);
});
