import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type ModelSpec, type WindowSpec, sha256, validateSpec } from '../../engine/checkpoint.js';
import type { RecurrentCore } from '../../engine/core.js';
// Type-only: the engine (TensorFlow.js) loads when a model does, so usage and data errors answer at once.
import type { SequenceModel } from '../../engine/sequence-model.js';

const WEIGHTS_FILE = 'weights.bin'; // as SequenceModel writes it
import { checkpointFileNames, readCheckpoint, resolveCheckpointDir, writeCheckpoint } from '../../io/checkpoint-store.js';
import { taskOf } from '../../engine/architecture.js';
import { rnnseqVersion } from '../../version.js';

export const OPTIMIZER_FILE = 'optimizer.bin';

export interface SpecExtras {
  training: Record<string, unknown>;
  data: Record<string, unknown>;
  metrics: Record<string, unknown>;
  backend: string;
  engine: string;
  /** scanners only */
  window?: WindowSpec;
}

/** Writes a model checkpoint directory (rnnseq.json + weights, optionally optimiser state), atomically. */
export async function saveModel(dir: string, model: SequenceModel, extras: SpecExtras, more: Array<{ name: string; data: Buffer }> = []): Promise<ModelSpec> {
  const packed = model.packWeights();
  const spec: ModelSpec = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    rnnseqVersion: rnnseqVersion(),
    // No timestamp: the same run must write the same bytes (reproducibility); file times say when.
    task: taskOf(model.info.architecture),
    alphabet: model.info.alphabet,
    classes: model.info.classes,
    architecture: model.info.architecture,
    inputLength: model.info.inputLength,
    ...extras,
    weights: { file: WEIGHTS_FILE, sha256: sha256(packed.data), tensors: packed.entries },
  };
  await writeCheckpoint(dir, spec, [{ name: WEIGHTS_FILE, data: packed.data }, ...more]);
  return spec;
}

export interface LoadedModel {
  model: SequenceModel;
  spec: ModelSpec;
  dir: string;
  files: Map<string, Buffer>;
}

export async function loadModel(path: string, core: RecurrentCore): Promise<LoadedModel> {
  const { spec: raw, files, dir } = await readCheckpoint(path, [WEIGHTS_FILE, OPTIMIZER_FILE]);
  const spec = validateSpec(raw, dir);
  const { SequenceModel } = await import('../../engine/sequence-model.js');
  const model = SequenceModel.fromCheckpoint(spec, files.get(spec.weights.file), dir, core);
  return { model, spec, dir, files };
}

/** Reads only rnnseq.json: what a command needs to know before it starts the engine (alphabet, length). */
export async function readSpec(path: string): Promise<{ spec: ModelSpec; dir: string }> {
  const { spec: raw, dir } = await readCheckpoint(path, []);
  return { spec: validateSpec(raw, dir), dir };
}

/** Replaces a checkpoint's rnnseq.json (e.g. to add a calibrated threshold), keeping its other files, atomically. */
export async function rewriteSpec(path: string, update: (spec: ModelSpec) => ModelSpec): Promise<ModelSpec> {
  // Every file is carried over, not only the weights: a calibrated scanner keeps its valid-predictions.tsv for report.
  const dir = await resolveCheckpointDir(path);
  const { spec: raw, files } = await readCheckpoint(dir, await checkpointFileNames(dir));
  const spec = validateSpec(update(validateSpec(raw, dir)), dir);
  await writeCheckpoint(dir, spec, [...files].map(([name, data]) => ({ name, data })));
  return spec;
}
