/**
 * Where checkpoints meet the engine: the files are src/io/checkpoint-store.ts (bytes and JSON, no tensors), the spec
 * and tensor packing src/engine/checkpoint.ts (no paths); these joins are the only code that knows both.
 */
import { checkpointSpec, type ModelSpec, type SpecExtras, validateSpec } from '../../engine/checkpoint.js';
import type { RecurrentCore } from '../../engine/core.js';
// Type-only: the engine (TensorFlow.js) loads when a model does, so usage and data errors answer at once.
import type { SequenceModel } from '../../engine/sequence-model.js';
import { CHECKPOINT_FILES, readCheckpoint, rewriteCheckpointSpec, writeCheckpoint } from '../../io/checkpoint-store.js';

/**
 * A training run's per-epoch history, RUN/metrics.tsv. A candidate's checkpoint that replaces the run's own model as
 * RUN/best carries its own run's copy inside (train/candidates.ts), so `report` draws the curves of the model it
 * scores.
 */
export const METRICS_FILE = 'metrics.tsv';

/** Writes a model checkpoint directory (rnnseq.json + weights, optionally optimiser state), atomically. */
export async function saveModel(
  dir: string,
  model: SequenceModel,
  extras: SpecExtras,
  more: Array<{ name: string; data: Buffer }> = [],
): Promise<ModelSpec> {
  const packed = model.packWeights();
  const spec = checkpointSpec(model.info, { file: CHECKPOINT_FILES.weights, packed }, extras);
  await writeCheckpoint(dir, spec, [{ name: CHECKPOINT_FILES.weights, data: packed.data }, ...more]);
  return spec;
}

export interface LoadedModel {
  model: SequenceModel;
  spec: ModelSpec;
  dir: string;
  files: Map<string, Buffer>;
}

export async function loadModel(path: string, core: RecurrentCore): Promise<LoadedModel> {
  const { spec: raw, files, dir } = await readCheckpoint(path, [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.optimizer]);
  const spec = validateSpec(raw, dir);
  const { SequenceModel } = await import('../../engine/sequence-model.js');
  const model = SequenceModel.fromCheckpoint(spec, files.get(spec.weights.file), dir, core);
  const members = spec.ensemble?.members ?? [];
  if (members.length > 0) {
    const more = await readCheckpoint(
      dir,
      members.map((m) => m.weights.file),
    );
    model.others = members.map((m) =>
      SequenceModel.fromWeights(spec, m.architecture, m.weights, more.files.get(m.weights.file), dir, core),
    );
  }
  return { model, spec, dir, files };
}

/** Reads only rnnseq.json: what a command needs to know before it starts the engine (alphabet, length). */
export async function readSpec(path: string): Promise<{ spec: ModelSpec; dir: string }> {
  const { spec: raw, dir } = await readCheckpoint(path, []);
  return { spec: validateSpec(raw, dir), dir };
}

/** Replaces a checkpoint's rnnseq.json (e.g. to add a calibrated threshold), keeping its other files, atomically. */
export async function rewriteSpec(path: string, update: (spec: ModelSpec) => ModelSpec): Promise<ModelSpec> {
  return (await rewriteCheckpointSpec(path, (raw, dir) => validateSpec(update(validateSpec(raw, dir)), dir))) as ModelSpec;
}
