/**
 * best/valid-predictions.tsv, written by `rnnseq train`: the validation set as the best checkpoint saw it. Header
 * `label` then `p_<class>` per class; one row per validation sequence: the true class, then the predicted
 * probabilities. Every ROC, precision-recall, confusion and calibration figure is computed from this table.
 */
import { dataError } from '../errors.js';

export interface ValidPredictions {
  classes: string[];
  /** true class index per row */
  labels: Int32Array;
  /** row-major rows x classes */
  probabilities: Float64Array;
}

export function rowCount(predictions: ValidPredictions): number {
  return predictions.labels.length;
}

export function probability(predictions: ValidPredictions, row: number, classIndex: number): number {
  return predictions.probabilities[row * predictions.classes.length + classIndex]!;
}

/** The predicted class of a row: the most probable (the first of equals, as argmax does everywhere in rnnseq). */
export function predictedClass(predictions: ValidPredictions, row: number): number {
  const k = predictions.classes.length;
  let best = 0;
  for (let c = 1; c < k; c++) if (predictions.probabilities[row * k + c]! > predictions.probabilities[row * k + best]!) best = c;
  return best;
}

/** One class's scores and whether each row truly is that class: the input of one-vs-rest curves. */
export function oneVsRest(predictions: ValidPredictions, classIndex: number): { scores: Float64Array; positives: Uint8Array } {
  const n = rowCount(predictions);
  const scores = new Float64Array(n);
  const positives = new Uint8Array(n);
  for (let row = 0; row < n; row++) {
    scores[row] = probability(predictions, row, classIndex);
    positives[row] = predictions.labels[row] === classIndex ? 1 : 0;
  }
  return { scores, positives };
}

export function parsePredictions(textContent: string, source: string): ValidPredictions {
  const lines = textContent.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  if (header[0] !== 'label' || header.length < 3 || header.slice(1).some((column) => !column.startsWith('p_') || column.length === 2)) {
    throw dataError({ file: source, line: 1 }, "header must be 'label' then one 'p_<class>' column per class (at least two)");
  }
  const classes = header.slice(1).map((column) => column.slice(2));
  const index = new Map(classes.map((name, i) => [name, i]));
  const rows = lines.length - 1;
  const labels = new Int32Array(rows);
  const probabilities = new Float64Array(rows * classes.length);
  for (let row = 0; row < rows; row++) {
    const lineNumber = row + 2;
    const fields = lines[row + 1]!.replace(/\r$/, '').split('\t');
    if (fields.length !== classes.length + 1) {
      throw dataError({ file: source, line: lineNumber }, `expected ${classes.length + 1} tab-separated fields, found ${fields.length}`);
    }
    const label = index.get(fields[0]!);
    if (label === undefined)
      throw dataError({ file: source, line: lineNumber }, `label '${fields[0]}' is not one of the classes ${classes.join(', ')}`);
    labels[row] = label;
    for (let c = 0; c < classes.length; c++) {
      const value = Number(fields[c + 1]);
      if (fields[c + 1] === '' || !(value >= 0 && value <= 1)) {
        throw dataError(
          { file: source, line: lineNumber },
          `p_${classes[c]} must be a probability between 0 and 1, got '${fields[c + 1]}'`,
        );
      }
      probabilities[row * classes.length + c] = value;
    }
  }
  if (rows === 0) throw dataError({ file: source }, 'no prediction rows after the header');
  return { classes, labels, probabilities };
}
