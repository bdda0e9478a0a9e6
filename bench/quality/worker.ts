/**
 * Runs one in-process method (k-mer baseline, one-hot MLP, RDP naive Bayes) on one point, in its own process so
 * `--jobs` can run several at once: node dist/bench/quality/worker.js METHOD POINT_DIR RESULT_JSON.
 *
 * The k-mer baseline and the MLP choose their settings / stop on rnnseq's own validation records and are fitted on
 * the rest, as the recurrent model is. On a task whose label depends on a condition, they are fitted once per
 * condition value (what a user of a sequence-only tool would do) and their predictions pooled.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossValidatedChoices } from '../../src/engine/cross-validated-choices.js';
import { fitKmerBaseline, fitKmerBaselineEncoded } from '../../src/engine/kmer-baseline.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { fitMlp } from './mlp.js';
import { type PointMeta, readPoint, rnnseqSplit, scorePoint } from './point.js';
import { fitRdpNaiveBayes } from './rdp.js';
import type { BenchRecord } from './records.js';
import type { MethodResult } from './result.js';

type Fitter = (
  fit: number[],
  valid: number[],
  testRows: number[],
) => Promise<{ scores: Map<number, Float64Array>; detail: string; fitSeconds: number; predictSeconds: number }>;

async function main(): Promise<void> {
  const [method, dir, out] = process.argv.slice(2);
  if (!method || !dir || !out) throw new Error('usage: worker.js METHOD POINT_DIR RESULT_JSON');
  const { meta, train, test } = await readPoint(dir);
  const result = await runMethod(method, meta, train, test);
  writeFileSync(out, `${JSON.stringify(result)}\n`);
}

export async function runMethod(method: string, meta: PointMeta, train: BenchRecord[], test: BenchRecord[]): Promise<MethodResult> {
  const split = rnnseqSplit(train, meta.seed);
  const alphabet = getAlphabet(meta.alphabet);
  const labelsOf = (rows: number[]) => Int32Array.from(rows, (i) => split.labels[i]!);

  if (method === 'rdp') {
    const started = performance.now();
    const model = fitRdpNaiveBayes(
      train.map((r) => r.sequence),
      train.map((r) => r.label),
    );
    const fitted = performance.now();
    const scores = model.score(test.map((r) => r.sequence));
    return ok(
      scorePoint(meta, model.classes, scores, test),
      fitted - started,
      performance.now() - fitted,
      '8-mer naive Bayes on all training records',
    );
  }

  let fitter: Fitter;
  if (method === 'cvkmer') {
    // What a careful user of a linear model does on small data: choose the features (k, strands; on aligned
    // input also those counted at each position) and the penalty by 5-fold cross-validation over every training
    // record, as the recipe chooses its own baseline, then refit on them all.
    const positions = meta.fixedLength === null ? {} : { positions: meta.fixedLength };
    fitter = async (fit, valid, testRows) => {
      const started = performance.now();
      const rows = [...fit, ...valid];
      const labels = labelsOf(rows);
      const items = rows.map((i) => encodeSequence(train[i]!.sequence, alphabet, null));
      const cv = crossValidatedChoices({ items, labels }, alphabet, split.classes.length, {
        seed: meta.seed,
        positionTest: false,
        ...positions,
      });
      if (!cv) throw new Error('cvkmer: a class has fewer members than folds');
      const baseline = fitKmerBaselineEncoded({ items, labels }, { items, labels }, alphabet, {
        numClasses: split.classes.length,
        specs: [cv.baseline.spec],
        lambdas: [cv.baseline.lambda],
      });
      const fitted = performance.now();
      const probs = baseline.predict(testRows.map((i) => test[i]!.sequence));
      return {
        scores: rowsOf(probs, testRows, split.classes.length),
        detail: `${baseline.describe()} (5-fold CV ${cv.baseline.metric.toFixed(4)})`,
        fitSeconds: fitted - started,
        predictSeconds: performance.now() - fitted,
      };
    };
  } else if (method === 'kmer' || method === 'poskmer') {
    // poskmer: the same search plus 1- and 2-mers at each position (a position weight matrix's features), for
    // aligned tasks of one length: the linear model a user of such data would fit first.
    if (method === 'poskmer' && meta.fixedLength === null) return { status: 'skipped', detail: 'variable-length task' };
    const positions = method === 'poskmer' ? { positions: meta.fixedLength! } : {};
    fitter = async (fit, valid, testRows) => {
      const started = performance.now();
      const baseline = fitKmerBaseline(
        { seqs: fit.map((i) => train[i]!.sequence), labels: labelsOf(fit) },
        { seqs: valid.map((i) => train[i]!.sequence), labels: labelsOf(valid) },
        alphabet,
        { numClasses: split.classes.length, ...positions },
      );
      const fitted = performance.now();
      const probs = baseline.predict(testRows.map((i) => test[i]!.sequence));
      return {
        scores: rowsOf(probs, testRows, split.classes.length),
        detail: baseline.describe(),
        fitSeconds: fitted - started,
        predictSeconds: performance.now() - fitted,
      };
    };
  } else if (method === 'mlp') {
    const length = meta.fixedLength;
    if (length === null) return { status: 'skipped', detail: 'variable-length task' };
    const features = length * alphabet.size;
    const encode = (records: BenchRecord[], rows: number[]) => {
      const x = new Float32Array(rows.length * features);
      rows.forEach((i, n) => alphabet.encodeInto(records[i]!.sequence, x, n * features));
      return x;
    };
    fitter = async (fit, valid, testRows) => {
      const started = performance.now();
      const model = await fitMlp(
        { x: encode(train, fit), labels: labelsOf(fit) },
        { x: encode(train, valid), labels: labelsOf(valid) },
        features,
        split.classes.length,
        meta.seed,
      );
      const fitted = performance.now();
      const probs = model.predict(encode(test, testRows));
      return {
        scores: rowsOf(probs, testRows, split.classes.length),
        detail: `best epoch ${model.bestEpoch}`,
        fitSeconds: fitted - started,
        predictSeconds: performance.now() - fitted,
      };
    };
  } else {
    throw new Error(`unknown in-process method '${method}'`);
  }

  const conditions = meta.conditionTag ? [...new Set(train.map((r) => r.condition ?? ''))].sort() : [undefined];
  const scores = new Map<number, Float64Array>();
  let fitSeconds = 0;
  let predictSeconds = 0;
  const details: string[] = [];
  for (const condition of conditions) {
    const keep = (records: BenchRecord[]) => (i: number) => condition === undefined || records[i]!.condition === condition;
    const part = await fitter(split.fit.filter(keep(train)), split.valid.filter(keep(train)), test.map((_, i) => i).filter(keep(test)));
    for (const [row, value] of part.scores) scores.set(row, value);
    fitSeconds += part.fitSeconds;
    predictSeconds += part.predictSeconds;
    details.push(condition === undefined ? part.detail : `${condition}: ${part.detail}`);
  }
  const ordered = test.map((_, i) => scores.get(i) ?? new Float64Array(split.classes.length));
  return ok(scorePoint(meta, split.classes, ordered, test), fitSeconds, predictSeconds, details.join('; '));
}

function rowsOf(probs: Float32Array, rows: number[], width: number): Map<number, Float64Array> {
  return new Map(rows.map((row, n) => [row, Float64Array.from(probs.subarray(n * width, (n + 1) * width))]));
}

function ok(metric: number, fitMs: number, predictMs: number, detail: string): MethodResult {
  return { status: 'ok', metric, trainSeconds: fitMs / 1000, predictSeconds: predictMs / 1000, detail };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    // the stack for the log, the message last: the bench reports a failed point by the log's last line
    process.stderr.write(`${(error as Error).stack ?? ''}\n${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  });
}
