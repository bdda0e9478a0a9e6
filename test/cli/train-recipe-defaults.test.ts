/**
 * The default recipe (src/commands/train/recipe.ts): which flags it fills, what it decides from the data, and that
 * a flag given on the command line always wins. The recipe's quality is the bench's question
 * (test/bench/quality-smoke.test.ts runs it in miniature); these check the decisions themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONV_DEFAULTS } from '../../src/commands/train/command.js';
import { type DataFacts, dataChoices, resolveDataChoices, withDefaults } from '../../src/commands/train/recipe.js';
import { EXIT_USAGE, RnnseqError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';

const facts = (over: Partial<DataFacts> = {}): DataFacts => ({
  alphabet: 'dna',
  inputLength: null,
  commonLength: null,
  medianLength: 200,
  strandsDecided: false,
  ...over,
});

test('classifiers and regressors get the recipe; --plain, language models and taggers keep the plain defaults', () => {
  const recipe = withDefaults({}, 'classify', false);
  assert.deepEqual(
    [recipe.conv, recipe.bidirectional, recipe.pool, recipe.epochs, recipe.lr, recipe.lrSchedule, recipe.ema],
    [true, true, 'max', 'auto', '0.01', 'cosine', '0.99'],
  );
  assert.equal(withDefaults({}, 'regress', false).conv, true);
  const plain = withDefaults({}, 'classify', true);
  assert.deepEqual([plain.conv, plain.bidirectional, plain.pool, plain.epochs, plain.lr], [false, false, 'mean', '20', '0.003']);
  assert.deepEqual([withDefaults({}, 'lm', false).conv, withDefaults({}, 'lm', false).bidirectional], [false, false]);
  assert.deepEqual([withDefaults({}, 'tag', false).conv, withDefaults({}, 'tag', false).bidirectional], [false, true]);
  // Given flags win, either way.
  const given = withDefaults({ pool: 'mean', conv: false, bidirectional: false, epochs: '7' }, 'classify', false);
  assert.deepEqual([given.pool, given.conv, given.bidirectional, given.epochs], ['mean', false, false, '7']);
  assert.equal(withDefaults({ conv: true }, 'classify', true).conv, true);
});

test('equal-length sequences get a per-position bias and fix the input length; mixed lengths do not', () => {
  const choices = dataChoices({}, true);
  const equal = resolveDataChoices(choices, { ...CONV_DEFAULTS }, undefined, facts({ commonLength: 60, medianLength: 60 }));
  assert.equal(equal.conv?.positions, 60);
  assert.equal(equal.inputLength, 60);
  assert.equal(equal.conv?.skip, true);
  // A scanner's windows slide over the genome: an element may sit anywhere in one, so no position bias.
  const scanner = resolveDataChoices(choices, { ...CONV_DEFAULTS }, undefined, facts({ inputLength: 200, scanner: true }));
  assert.equal(scanner.conv?.positions, undefined);
  const mixed = resolveDataChoices(choices, { ...CONV_DEFAULTS }, undefined, facts());
  assert.equal(mixed.conv?.positions, undefined);
  assert.equal(mixed.inputLength, null);
  // --length fixes it too, and --no-position-bias turns it off.
  assert.equal(resolveDataChoices(choices, { ...CONV_DEFAULTS }, undefined, facts({ inputLength: 150 })).conv?.positions, 150);
  const off = resolveDataChoices(dataChoices({ positionBias: false }, true), { ...CONV_DEFAULTS }, undefined, facts({ commonLength: 60 }));
  assert.equal(off.conv?.positions, undefined);
  assert.equal(off.inputLength, null);
  // The position test found nothing: no bias, but the input length is still fixed (scan --class needs one).
  const anywhere = resolveDataChoices(
    choices,
    { ...CONV_DEFAULTS },
    undefined,
    facts({ commonLength: 60, medianLength: 60, positional: false }),
  );
  assert.equal(anywhere.conv?.positions, undefined);
  assert.equal(anywhere.inputLength, 60);
  assert.match(anywhere.reasons.join('; '), /no bias per position/);
  const positional = resolveDataChoices(
    choices,
    { ...CONV_DEFAULTS },
    undefined,
    facts({ commonLength: 60, medianLength: 60, positional: true }),
  );
  assert.equal(positional.conv?.positions, 60);
  assert.throws(
    () => resolveDataChoices(dataChoices({ positionBias: true }, true), { ...CONV_DEFAULTS }, undefined, facts()),
    (e: unknown) => e instanceof RnnseqError && e.exitCode === EXIT_USAGE && /--length/.test(e.message),
  );
});

test('the front-end pools so the recurrent layer reads at least 16 steps, unless --conv-pool is given', () => {
  const pool = (median: number, raw = {}) =>
    resolveDataChoices(dataChoices(raw, true), { ...CONV_DEFAULTS }, undefined, facts({ medianLength: median })).conv!.pool;
  assert.deepEqual([pool(40), pool(60), pool(200), pool(5000)], [2, 3, 4, 4]);
  assert.equal(pool(30), 1);
  assert.equal(pool(30, { convPool: '4' }), 4);
});

test('sequences shorter than two filter widths get no front-end from the recipe, but keep one asked for', () => {
  const front = (median: number, raw = {}) =>
    resolveDataChoices(dataChoices(raw, true), { ...CONV_DEFAULTS }, undefined, facts({ medianLength: median })).conv;
  assert.equal(front(15), undefined);
  assert.ok(front(22));
  assert.ok(front(15, { conv: true }), '--conv given');
});

test('reverse complements follow the k-mer baseline for DNA, never for protein, and a flag decides over both', () => {
  const rc = (over: Partial<DataFacts>, raw = {}) =>
    resolveDataChoices(dataChoices(raw, true), { ...CONV_DEFAULTS }, undefined, facts(over)).rcAugment;
  assert.equal(rc({ baselineStrands: 'canonical' }), true);
  assert.equal(rc({ baselineStrands: 'forward' }), false);
  assert.equal(rc({}), false); // no baseline fitted (--no-baseline): nothing to go on
  assert.equal(rc({ alphabet: 'protein', baselineStrands: 'canonical' }), false);
  assert.equal(rc({ alphabet: 'rna', baselineStrands: 'canonical' }), false); // one strand: a transcript
  assert.equal(rc({ baselineStrands: 'canonical', strandsDecided: true }), false);
  assert.equal(rc({ baselineStrands: 'canonical' }, { rcAugment: false }), false);
  assert.equal(rc({ baselineStrands: 'forward' }, { rcAugment: true }), true);
  // Protein gets an embedding before the convolution.
  const protein = resolveDataChoices(dataChoices({}, true), { ...CONV_DEFAULTS }, undefined, facts({ alphabet: 'protein' }));
  assert.equal(protein.embedDim, 16);
  assert.equal(
    resolveDataChoices(dataChoices({ embedDim: '8' }, true), { ...CONV_DEFAULTS }, 8, facts({ alphabet: 'protein' })).embedDim,
    8,
  );
});

test('--plain trains exactly the flags: no front-end, no data-driven choice, no baseline', () => {
  const plain = resolveDataChoices(dataChoices({}, false), undefined, undefined, facts({ commonLength: 60, baselineStrands: 'canonical' }));
  assert.deepEqual(plain, { inputLength: null, rcAugment: false, reasons: [] });
  const conv = resolveDataChoices(dataChoices({}, false), { ...CONV_DEFAULTS }, undefined, facts({ commonLength: 60, medianLength: 60 }));
  assert.deepEqual(conv.conv, { ...CONV_DEFAULTS });
});

test('rnnseq train: the default writes the recipe into the checkpoint, --plain the old model, given flags win', async (t) => {
  const dir = tempDir(t, 'rnnseq-recipe-');
  const rows: string[] = [];
  for (let i = 0; i < 40; i++) {
    const label = i % 2 === 0 ? 'a' : 'b';
    // The same words in both classes, at the start or at the end: only a model that knows position tells them apart.
    const flank = `${'ACGT'.repeat(4)}${'TGCA'.repeat(4)}`;
    rows.push(`>s${i} label=${label}\n${label === 'a' ? `GGGGCCCC${flank}` : `${flank}GGGGCCCC`}`);
  }
  const fasta = join(dir, 'train.fa');
  await writeFile(fasta, `${rows.join('\n')}\n`);
  const train = async (name: string, ...flags: string[]) => {
    const result = await runCli(['train', '-q', '-o', join(dir, name), '--epochs', '1', '--null-windows', '0', ...flags, fasta]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(await readFile(join(dir, name, 'best', 'rnnseq.json'), 'utf8'));
  };
  const recipe = await train('recipe');
  assert.equal(recipe.architecture.bidirectional, true);
  assert.equal(recipe.architecture.pool, 'max');
  assert.deepEqual(recipe.architecture.conv, { filters: 64, width: 11, pool: 2, dropout: 0.1, positions: 40, skip: true });
  assert.equal(recipe.inputLength, 40);
  assert.equal(recipe.training.config.lrSchedule, 'cosine');
  assert.ok(recipe.data.baseline, 'the baseline was fitted');
  const plain = await train('plain', '--plain');
  assert.equal(plain.architecture.conv, undefined);
  assert.equal(plain.architecture.bidirectional, false);
  assert.equal(plain.architecture.pool, 'mean');
  assert.equal(plain.inputLength, null);
  assert.equal(plain.data.baseline, undefined);
  const given = await train('given', '--no-conv', '--pool', 'last', '--no-bidirectional');
  assert.equal(given.architecture.conv, undefined);
  assert.equal(given.architecture.pool, 'last');
  assert.equal(given.architecture.bidirectional, false);
});
