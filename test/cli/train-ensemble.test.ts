/**
 * train --ensemble N end to end: members in RUN/members/K on one validation split, RUN/best one checkpoint that
 * averages them (classify equals the mean of its members' probabilities; scan, explain and embed read it), a
 * member trained on its own (--member K, one per array job) reused byte for byte by the run that assembles, and
 * the one-line errors: usage, an unfinished member, a damaged ensemble checkpoint. ensembleSize: what --ensemble
 * auto decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUTO_ENSEMBLE_BELOW,
  AUTO_ENSEMBLE_MEMBERS,
  SMALL_DATA_WEIGHT_DECAY,
  TINY_DATA_BELOW,
  TINY_DATA_WEIGHT_DECAY,
  ensembleSize,
  smallDataWeightDecay,
  isSmallData,
} from '../../src/commands/train/ensemble.js';
import { runCli, tempDir } from '../helpers.js';
import { TINY_MODEL_FLAGS, noisyGcTask, toFasta } from './synthetic-tasks.js';

const QUICK = ['--epochs', '2', ...TINY_MODEL_FLAGS, '-q'];

const records = (count: number, seed: number) => noisyGcTask(count, 120, seed);

const spec = (dir: string) => JSON.parse(readFileSync(join(dir, 'rnnseq.json'), 'utf8'));

async function probabilities(model: string, query: string): Promise<Map<string, number>> {
  const result = await runCli(['classify', '-m', model, '-q', query]);
  assert.equal(result.code, 0, result.stderr);
  const [header, ...rows] = result.stdout.trim().split('\n');
  const column = header!.split('\t').indexOf('p_rich');
  return new Map(rows.map((row) => [row.split('\t')[0]!, Number(row.split('\t')[column])]));
}

test('--ensemble 2: best/ averages two members trained on one split; classify, scan --fdr, explain and embed read it', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(300, 5)));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, '--seed', '3', '--ensemble', '2', ...QUICK, fasta]);
  assert.equal(trained.code, 0, trained.stderr);

  const best = spec(join(run, 'best'));
  assert.equal(best.formatVersion, 2);
  assert.equal(best.ensemble.members.length, 1);
  assert.equal(best.ensemble.members[0].seed, 4);
  assert.ok(existsSync(join(run, 'best', best.ensemble.members[0].weights.file)));
  assert.ok(best.nullScores, 'the ensemble stores its own null');
  assert.ok(best.metrics.ensemble.validAuroc > 0.5, JSON.stringify(best.metrics.ensemble));
  for (const k of [1, 2]) {
    const member = spec(join(run, 'members', String(k), 'best'));
    assert.equal(member.ensemble, undefined);
    assert.equal(member.training.config.seed, 2 + k);
    // one split for every member: the same validation description, seeded by --seed
    assert.equal(member.data.validation, best.data.validation);
    assert.ok(existsSync(join(run, 'members', String(k), 'member.json')));
  }

  const query = join(dir, 'query.fa');
  writeFileSync(query, toFasta(records(60, 6)));
  const ensemble = await probabilities(run, query);
  const first = await probabilities(join(run, 'members', '1', 'best'), query);
  const second = await probabilities(join(run, 'members', '2', 'best'), query);
  assert.equal(ensemble.size, 60);
  let differ = 0;
  for (const [id, p] of ensemble) {
    const mean = (first.get(id)! + second.get(id)!) / 2;
    assert.ok(Math.abs(p - mean) < 2e-6, `${id}: ensemble ${p}, members' mean ${mean}`);
    if (Math.abs(first.get(id)! - second.get(id)!) > 1e-3) differ++;
  }
  assert.ok(differ > 0, 'two seeds should give different members');

  const genome = join(dir, 'genome.fa');
  writeFileSync(
    genome,
    `>g\n${records(20, 7)
      .map((r) => r.sequence)
      .join('')}\n`,
  );
  const scanned = await runCli(['scan', '-q', '-m', run, '--class', 'rich', '--fdr', '0.1', genome]);
  assert.equal(scanned.code, 0, scanned.stderr);
  const explained = await runCli(['explain', '-m', run, '-q', '--saliency', '--target', 'rich', query]);
  assert.equal(explained.code, 0, explained.stderr);
  const embedded = await runCli(['embed', '-m', run, '-q', query]);
  assert.equal(embedded.code, 0, embedded.stderr);
  const report = await runCli(['report', run, '-q']);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /ensemble at validation.*<th>members<\/th><td>2<\/td>.*memberValidMetric/);
  // the curves are every member's, each with its own best epoch, not the first member's alone
  const loss = await runCli(['report', run, '--svg', 'loss', '-q']);
  assert.equal(loss.code, 0, loss.stderr);
  for (const member of [1, 2]) {
    assert.match(loss.stdout, new RegExp(`member ${member} validation loss`));
    assert.match(loss.stdout, new RegExp(`best epoch \\d+ \\(members? [0-9, ]*${member}`));
  }
});

test('--member 2 trained on its own is reused as is by the run that assembles the ensemble', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(200, 8)));
  const whole = join(dir, 'whole');
  assert.equal((await runCli(['train', '-o', whole, '--ensemble', '2', ...QUICK, fasta])).code, 0);

  const parts = join(dir, 'parts');
  const member = await runCli(['train', '-o', parts, '--ensemble', '2', '--member', '2', ...QUICK, fasta]);
  assert.equal(member.code, 0, member.stderr);
  assert.ok(existsSync(join(parts, 'members', '2', 'member.json')));
  assert.ok(!existsSync(join(parts, 'best')), '--member trains that member only');
  const assembled = await runCli(['train', '-o', parts, '--ensemble', '2', ...QUICK.filter((f) => f !== '-q'), fasta]);
  assert.equal(assembled.code, 0, assembled.stderr);
  assert.doesNotMatch(assembled.stderr, /training member 2/);
  // Same seeds, same split, one thread: the member trained apart is the member trained inside, to the byte.
  const weights = (run: string) => readFileSync(join(run, 'best', 'member-2.weights.bin'));
  assert.ok(weights(whole).equals(weights(parts)));
  assert.ok(readFileSync(join(whole, 'best', 'weights.bin')).equals(readFileSync(join(parts, 'best', 'weights.bin'))));

  // A member started but not finished (another job, or a kill): the assembling run stops with one line.
  const again = join(dir, 'again');
  cpSync(join(parts, 'members', '2'), join(again, 'members', '2'), { recursive: true });
  rmSync(join(again, 'members', '2', 'member.json'));
  const refused = await runCli(['train', '-o', again, '--ensemble', '2', ...QUICK, fasta]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /members\/2 holds an unfinished member/);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
});

test('ensemble checkpoints: a damaged one is refused in one line', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(120, 9)));
  const run = join(dir, 'run');
  assert.equal((await runCli(['train', '-o', run, '--ensemble', '2', ...QUICK, '--null-windows', '0', fasta])).code, 0);
  const query = join(dir, 'query.fa');
  writeFileSync(query, toFasta(records(5, 10)));
  // biome-ignore lint/suspicious/noExplicitAny: a spec edited as plain JSON, to damage it
  const damaged = (name: string, edit: (s: Record<string, any>) => void) => {
    const copy = join(dir, name);
    cpSync(join(run, 'best'), copy, { recursive: true });
    const s = spec(copy);
    edit(s);
    writeFileSync(join(copy, 'rnnseq.json'), JSON.stringify(s));
    return copy;
  };
  const cases = [
    { model: damaged('classes', (s) => (s.ensemble.members[0].architecture.numClasses = 3)), error: /ensemble member 2.*classes/ },
    {
      model: damaged('weights', (s) => (s.ensemble.members[0].weights.sha256 = '0'.repeat(64))),
      error: /member-2\.weights\.bin is corrupt/,
    },
    { model: damaged('version', (s) => delete s.ensemble), error: /format version 2 is for ensembles/ },
    { model: damaged('newer', (s) => (s.formatVersion = 3)), error: /upgrade rnnseq/ },
  ];
  for (const c of cases) {
    const result = await runCli(['classify', '-m', c.model, '-q', query]);
    assert.notEqual(result.code, 0, c.model);
    assert.match(result.stderr, c.error);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('--ensemble and --member: one-line usage errors', async () => {
  const cases = [
    { args: ['--member', '2', 'x.fa'], error: /--member K trains one member of an ensemble/ },
    { args: ['--ensemble', '2', '--member', '3', 'x.fa'], error: /--member/ },
    { args: ['--ensemble', '2', '--member', '1', 'x.fa'], error: /--member/ },
    { args: ['--ensemble', '0', 'x.fa'], error: /--ensemble/ },
    { args: ['--ensemble', '2', '--task', 'lm', 'x.fa'], error: /--ensemble averages classifiers/ },
    { args: ['--ensemble', '2', '--genome', 'g.fa', '--positives', 'p.bed'], error: /--ensemble averages classifiers/ },
  ];
  for (const c of cases) {
    const result = await runCli(['train', '-o', '/nonexistent/x', ...c.args]);
    assert.equal(result.code, 2, `${c.args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, c.error);
  }
});

test('--ensemble auto: members only for small sets trained on the step budget', () => {
  const { sequences, residues } = AUTO_ENSEMBLE_BELOW;
  const size = (labelled: { sequences: number; residues: number }, stepBudget: boolean) =>
    ensembleSize('auto', isSmallData(labelled, stepBudget));
  assert.equal(size({ sequences: sequences - 1, residues: 1000 }, true), AUTO_ENSEMBLE_MEMBERS);
  assert.equal(size({ sequences, residues: 1000 }, true), 1);
  assert.equal(size({ sequences: 300, residues }, true), 1, 'long sequences: members cost too much');
  assert.equal(size({ sequences: 100, residues: 1000 }, false), 1, '--epochs N: the user set the cost');
  assert.equal(ensembleSize(5, isSmallData({ sequences: 100_000, residues: 1e8 }, false)), 5, 'a number given wins');
});

test('small data on the step budget gets the small-data weight decay (more under 200 sequences) unless --weight-decay is given; --epochs N keeps 0.01', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(80, 11)));
  const small = ['--hidden', '4', '--conv-filters', '4', '--threads', '1', '--null-windows', '0', '--ensemble', '1', '-q'];
  const decay = async (name: string, ...flags: string[]) => {
    const result = await runCli(['train', '-o', join(dir, name), ...small, ...flags, fasta]);
    assert.equal(result.code, 0, result.stderr);
    return spec(join(dir, name, 'best')).training.config.weightDecay;
  };
  assert.equal(await decay('auto', '--patience', '1'), TINY_DATA_WEIGHT_DECAY, '80 labelled sequences');
  assert.equal(await decay('given', '--patience', '1', '--weight-decay', '0.02'), 0.02);
  assert.equal(await decay('epochs', '--epochs', '2'), 0.01);
});

test('the small-data weight decay: 3 for DNA or RNA under TINY_DATA_BELOW labelled sequences, else 1', () => {
  assert.equal(smallDataWeightDecay(100, 'dna'), TINY_DATA_WEIGHT_DECAY);
  assert.equal(smallDataWeightDecay(TINY_DATA_BELOW - 1, 'rna'), TINY_DATA_WEIGHT_DECAY);
  assert.equal(smallDataWeightDecay(TINY_DATA_BELOW, 'dna'), SMALL_DATA_WEIGHT_DECAY);
  assert.equal(smallDataWeightDecay(AUTO_ENSEMBLE_BELOW.sequences - 1, 'dna'), SMALL_DATA_WEIGHT_DECAY);
  assert.equal(smallDataWeightDecay(100, 'protein'), SMALL_DATA_WEIGHT_DECAY, 'proteins lost by it at 150');
  assert.ok(TINY_DATA_WEIGHT_DECAY > SMALL_DATA_WEIGHT_DECAY, 'fewer sequences, more decay');
});
