import type { Evaluation } from '../../engine/evaluate.js';
import type { TrainingSet } from '../../seq/training-set.js';

/** A classifier's validation predictions as best/valid-predictions.tsv (label, p_CLASS ...), for `rnnseq report`. */
export function validPredictions(validation: Evaluation, valid: TrainingSet, classes: string[]): Buffer | undefined {
  if (!validation.probs || !valid.labels) return undefined;
  const lines = [['label', ...classes.map((c) => `p_${c}`)].join('\t')];
  for (let i = 0; i < valid.labels.length; i++) {
    const row = validation.probs.subarray(i * classes.length, (i + 1) * classes.length);
    lines.push([classes[valid.labels[i]!], ...Array.from(row, (p) => p.toFixed(6))].join('\t'));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}
