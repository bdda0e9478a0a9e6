import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { runCli, tempDir, trainStraightAndResumed } from '../helpers.js';
import { writeFasta } from '../scan/scan-helpers.js';

/** A GC-rich 100 bp family (copies 5-20% diverged, either strand) against mostly AT-rich background windows. */
function familyCase(seed: number, copies: number, background: number, unrelated = false) {
  const random = new Random(seed);
  const bases = (n: number, gc: number) => Array.from({ length: n }, () => (random.next() < gc ? 'GC' : 'AT')[random.int(2)]).join('');
  const family = bases(100, 0.7);
  const gcRich = () => random.next() < 0.03;
  const complement: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
  const copy = () => {
    const divergence = 0.05 + 0.15 * random.next();
    const s = [...family].map((c) => (random.next() < divergence ? 'ACGT'.replace(c, '')[random.int(3)]! : c)).join('');
    return random.int(2)
      ? s
      : [...s]
          .reverse()
          .map((c) => complement[c])
          .join('');
  };
  const records = [
    ...Array.from({ length: copies }, (_, i) => `>te${i} label=te\n${unrelated ? bases(100, 0.7) : copy()}`),
    ...Array.from({ length: background }, (_, i) => `>bg${i} label=bg\n${bases(100, gcRich() ? 0.7 : 0.4)}`),
  ];
  return { fasta: `${records.join('\n')}\n`, bases, copy, gcRich };
}

test('a small family against 10x the background trains with decoys by default, recorded in the checkpoint, and scan --class calls its copies', async (t) => {
  const dir = tempDir(t);
  const data = familyCase(3, 60, 600);
  writeFileSync(join(dir, 'train.fa'), data.fasta);
  const run = join(dir, 'run');
  // The recipe as it is, one model (660 sequences would get an ensemble of 3)
  const trained = await runCli(['train', '-o', run, '--ensemble', '1', '--seed', '1', join(dir, 'train.fa')]);
  assert.equal(trained.code, 0, trained.stderr);
  // the last run's line: best/ is the refit on every sequence where the kept model was refitted (train/refit.ts)
  const line = trained.stderr
    .split('\n')
    .filter((l) => l.includes('decoys') && l.includes('is the background'))
    .at(-1);
  assert.match(
    line ?? '',
    /recipe: bg is the background \(at least 3x the other class's sequences, and te is copies of one family: \d+% of its pairs share 12-mers, [\d.]+% of bg's\): \d+ shuffles of te's training sequences keeping every [234]-let join it as decoys/,
  );
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  const decoys = spec.training.decoys;
  assert.deepEqual(
    { ...decoys, added: undefined, priorShift: undefined, shifted: undefined },
    {
      background: 'bg',
      source: 'te',
      perSequence: 4,
      k: decoys.k,
      added: undefined,
      priorShift: undefined,
      shifted: undefined,
      maxShift: 12,
    },
  );
  // 100 bp: shuffles keep 3- or 4-lets (nullShuffleOrder); 4 per training copy (54 of the 60, or all 60 where best/
  // is the refit on every sequence, train/refit.ts; twice as many where the recipe adds reverse complements)
  assert.ok(decoys.k >= 3 && decoys.k <= 4, String(decoys.k));
  const refit = spec.training.refit !== undefined;
  const [teTrain, bgTrain] = refit ? [60, 600] : [54, 540];
  assert.ok([4 * teTrain, 8 * teTrain].includes(decoys.added) && line!.includes(` ${decoys.added} shuffles`), line);
  // One moved copy of each te training window (100 bp: by up to 12 bases), a quarter as many as decoys; best/ has
  // both added priors taken off, log(n / (n + added)): n the background and te training windows (twice that with
  // reverse complements).
  assert.equal(decoys.shifted, decoys.added / 4);
  assert.match(
    line!,
    new RegExp(
      `te's copies sit at one place in their sequences \\(shared 12-mers 0 bases apart, median\\), so ${decoys.shifted} copies of them moved by up to 12 bases join te, as scan meets copies off centre`,
    ),
  );
  const rc = decoys.added === 8 * teTrain ? 2 : 1;
  const expected = {
    bg: Math.log((bgTrain * rc) / (bgTrain * rc + decoys.added)),
    te: Math.log((teTrain * rc) / (teTrain * rc + decoys.shifted)),
  };
  for (const name of ['bg', 'te'] as const)
    assert.ok(Math.abs(decoys.priorShift[name] - expected[name]) < 1e-6, `${name}: ${JSON.stringify(decoys.priorShift)}`);
  assert.match(
    trained.stderr,
    /decoys: logits shifted by the priors the added training sequences brought \(bg -0\.\d{3}, te -0\.693\): validation accuracy/,
  );

  // Scanned: DNA drawn as the background was (100 bp stretches, 3% of them GC-rich), 10 copies in each of two 40 kb
  // sequences.
  const sites: Array<[string, number, number]> = [];
  const records: Array<[string, string]> = ['one', 'two'].map((name) => {
    const seq = [...Array.from({ length: 400 }, () => data.bases(100, data.gcRich() ? 0.7 : 0.4)).join('')];
    for (let k = 0; k < 10; k++) {
      const c = data.copy();
      const at = 2000 + k * 3800;
      seq.splice(at, c.length, ...c);
      sites.push([name, at, at + c.length]);
    }
    return [name, seq.join('')];
  });
  const scanned = await runCli(['scan', '-q', '-m', run, '--class', 'te', writeFasta(dir, 'test.fa', records)]);
  assert.equal(scanned.code, 0, scanned.stderr);
  const calls = scanned.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const overlaps = (c: string[], [chrom, start, end]: [string, number, number]) =>
    c[0] === chrom && Number(c[1]) < end && Number(c[2]) > start;
  const found = sites.filter((s) => calls.some((c) => overlaps(c, s))).length;
  const wrong = calls.filter((c) => !sites.some((s) => overlaps(c, s))).length;
  assert.ok(found >= 18 && wrong <= 3, `${found} of 20 copies found, ${wrong} false calls in 80 kb:\n${scanned.stdout}`);
});

test('decoys resume exactly (the same shuffles after a stop) and --decoys 0 trains without them', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  writeFileSync(data, familyCase(8, 20, 120).fasta);
  const common = '--hidden 6 --batch-size 16 --patience 0 --lr-schedule plateau --ensemble 1 --seed 4 -q'.split(' ');
  await trainStraightAndResumed(dir, common, data);
  const weights = (run: string) => readFileSync(join(dir, run, 'last', 'weights.bin'));
  assert.ok(weights('straight').equals(weights('split')), 'resumed weights differ from the uninterrupted run');
  const spec = (run: string) => JSON.parse(readFileSync(join(dir, run, 'last', 'rnnseq.json'), 'utf8'));
  assert.deepEqual(spec('split').training.decoys, spec('straight').training.decoys);
  assert.equal(spec('split').training.decoys.source, 'te');

  const without = await runCli(['train', '-o', join(dir, 'none'), '--epochs', '4', '--decoys', '0', ...common, data]);
  assert.equal(without.code, 0, without.stderr);
  assert.equal(spec('none').training.decoys, undefined);
  assert.ok(!weights('none').equals(weights('straight')), 'decoys change what is learned');
  const refused = await runCli(['train', '-o', join(dir, 'bad'), '--decoys', 'lots', ...common, data]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^rnnseq: --decoys lots: expected auto or a whole number 0-16\n$/);
});

test('under --decoys auto a small class of unrelated sequences gets no decoys: its composition may be the signal', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  // 40 GC-rich random sequences against 400 windows: told apart by composition alone, and no two of them related
  writeFileSync(data, familyCase(5, 40, 400, true).fasta);
  const trained = await runCli(['train', '-o', join(dir, 'run'), '--epochs', '1', '--hidden', '6', '--ensemble', '1', data]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.doesNotMatch(trained.stderr, /decoys/);
  const spec = JSON.parse(readFileSync(join(dir, 'run', 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.training.decoys, undefined);
});
