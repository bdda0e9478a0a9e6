/**
 * Takes back out of a trained classifier the class priors that decoys.ts changed. Shuffles of the family labelled
 * background raise the background's training share from n to n + d items, and moved copies raise the family's from
 * m to m + c; a softmax classifier's logits are its log posteriors up to a constant, so the model leans every
 * probability by those priors (lambda in human DNA, seed 1, decoys alone: validation AUROC 1.0 but accuracy
 * 96.4%). Adding log(n / (n + d)) to each class's head bias removes its added prior exactly; it is the model a
 * logit-adjusted loss (Menon et al. 2021) would have trained, since that loss differs from plain cross-entropy
 * only by a constant in the same bias.
 *
 * The shift is monotone in a two-class model's score and the classifier null is scored after it, so scan's
 * p-values and calls do not move; classify's labels and probabilities do.
 */
import { join } from 'node:path';
import type { RecurrentCore } from '../../engine/core.js';
import { evaluate } from '../../engine/evaluate.js';
import { tf } from '../../engine/tf.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import type { Logger } from '../../log.js';
import type { TrainingSet } from '../../seq/training-set.js';
import { loadModel, saveModel } from '../shared/checkpoints.js';
import { validPredictions } from './valid-predictions.js';

/** What decoys.ts added to each class it changed: enough to know the priors it changed. */
export interface DecoyPrior {
  /** the class's index, its training items before the additions (reverse complements included), and how many were added */
  added: Array<{ label: number; items: number; added: number }>;
}

/** Each class's logit shift that undoes what was added to it: log(n / (n + added)), 0 for the others. */
export function decoyPriorShifts(prior: DecoyPrior, classes: number): Float32Array {
  const shifts = new Float32Array(classes);
  for (const { label, items, added } of prior.added) if (items > 0) shifts[label] = Math.log(items / (items + added));
  return shifts;
}

/** Validation numbers after the shift, where the run has a validation set. */
export interface Unleaned {
  validLoss: number;
  validAccuracy: number;
}

/**
 * Shifts the logit of each class decoys.ts added to in the checkpoint in dir (best/) and stores its validation
 * numbers and predictions again. A checkpoint that already records its shift is left alone: a resumed run whose best epoch came before the
 * interruption keeps the best/ it had.
 */
export async function removeDecoyPrior(
  dir: string,
  core: RecurrentCore,
  prior: DecoyPrior,
  valid: TrainingSet | undefined,
  batchSize: number,
  log: Logger,
): Promise<Unleaned | undefined> {
  const { model, spec } = await loadModel(dir, core);
  try {
    const record = spec.training.decoys as Record<string, unknown> | undefined;
    const stored = spec.metrics as { validLoss?: number; validAccuracy?: number };
    if (record?.priorShift !== undefined)
      return stored.validLoss !== undefined && stored.validAccuracy !== undefined
        ? { validLoss: stored.validLoss, validAccuracy: stored.validAccuracy }
        : undefined;
    const bias = model.params.get('head.bias');
    if (!bias) throw new Error(`${join(dir, CHECKPOINT_FILES.spec)}: a classifier without head.bias`);
    const offsets = decoyPriorShifts(prior, bias.shape[0]!);
    tf.tidy(() => bias.assign(tf.add(bias, tf.tensor1d(offsets))));
    const priorShift = Object.fromEntries(prior.added.filter((a) => a.added > 0).map((a) => [spec.classes[a.label]!, offsets[a.label]!]));
    const validation = valid && valid.items.length > 0 ? evaluate(model, valid, batchSize) : undefined;
    const predictions = validation ? validPredictions(validation, valid!, spec.classes) : undefined;
    await saveModel(
      dir,
      model,
      {
        training: { ...spec.training, decoys: { ...record, priorShift } },
        data: spec.data,
        metrics: validation ? { ...spec.metrics, validLoss: validation.loss, validAccuracy: validation.accuracy } : spec.metrics,
        backend: spec.backend,
        engine: spec.engine,
        ...(spec.window ? { window: spec.window } : {}),
      },
      predictions ? [{ name: CHECKPOINT_FILES.validPredictions, data: predictions }] : [],
    );
    const change =
      validation && stored.validAccuracy !== undefined
        ? `: validation accuracy ${percent(stored.validAccuracy)} -> ${percent(validation.accuracy)}`
        : '';
    const shifts = Object.entries(priorShift)
      .map(([name, value]) => `${name} ${value.toFixed(3)}`)
      .join(', ');
    log.info(`decoys: logits shifted by the priors the added training sequences brought (${shifts})${change}`);
    return validation && { validLoss: validation.loss, validAccuracy: validation.accuracy };
  } finally {
    model.dispose();
  }
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
