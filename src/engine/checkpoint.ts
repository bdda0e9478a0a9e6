import { createHash } from 'node:crypto';
import { tf } from './tf.js';
import { compositionProblem } from './composition.js';
import { kmerBranchProblem } from './kmer-branch.js';
import { type Architecture, type Task, isCellType, POOLINGS, TASKS, taskOf } from './architecture.js';
import { EXIT_DATA, RnnseqError } from '../errors.js';
import { rnnseqVersion } from '../version.js';
import { type NullScores, isNullScores } from './null-spec.js';

export const CHECKPOINT_FORMAT = 'rnnseq-checkpoint';
export const CHECKPOINT_VERSION = 1;
/**
 * Written only by ensembles (`ensemble` below), so every single model stays readable by older rnnseq versions,
 * and an older rnnseq refuses an ensemble instead of silently scoring with its first member alone.
 */
export const ENSEMBLE_CHECKPOINT_VERSION = 2;
const READABLE_VERSIONS = [CHECKPOINT_VERSION, ENSEMBLE_CHECKPOINT_VERSION];

export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number; // in float32 elements
}

/** Everything about a model except its weights: rnnseq.json. */
export interface ModelSpec {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  rnnseqVersion: string;
  task: Task;
  alphabet: string;
  classes: string[];
  architecture: Architecture;
  /** Fixed input length (centre crop / pad) or null for variable-length input. */
  inputLength: number | null;
  training: Record<string, unknown>;
  data: Record<string, unknown>;
  metrics: Record<string, unknown>;
  backend: string;
  engine: string;
  weights: { file: string; sha256: string; tensors: TensorEntry[] };
  /** Present on scanners (trained with --genome): how `rnnseq scan` slides and calls the model. */
  window?: WindowSpec;
  /** The window score on background windows, for scan's p-values (src/engine/null-spec.ts); absent on older models. */
  nullScores?: NullScores;
  /**
   * An ensemble (train --ensemble N): the model above is its first member; these are the others, each with its
   * own architecture (the recipe's data-driven choices can differ by seed) and weights file in the same directory.
   * Predictions average the members' class probabilities.
   */
  ensemble?: { members: EnsembleMember[] };
}

export interface EnsembleMember {
  architecture: Architecture;
  weights: { file: string; sha256: string; tensors: TensorEntry[] };
  /** the member's training seed and best epoch, for the record */
  seed: number;
  bestEpoch: number;
}

/**
 * A scanner's window: a classifier over fixed windows of lengthBp (= inputLength), whose positiveClass
 * probability is called against a threshold calibrated on validation windows. Optional, so checkpoints written
 * before scanners existed load unchanged.
 */
export interface WindowSpec {
  lengthBp: number;
  positiveClass: string;
  /** the threshold for the default strand / rcCombine below */
  threshold: number;
  /** calibrated thresholds per way of scoring: 'both-max', 'both-mean', '+', '-' */
  thresholds?: Record<string, number>;
  strand: 'both' | '+' | '-';
  rcCombine: 'max' | 'mean';
  /** what a called window adds to a call: the whole window (default) or its central stride-wide part */
  extent?: 'window' | 'core';
  /** training windows were also shown reverse-complemented */
  reverseComplement: boolean;
  /** how the threshold was chosen (metric, set, precision, recall); absent: not calibrated, 0.5 */
  calibration?: Record<string, unknown>;
}

export interface PackedTensors {
  entries: TensorEntry[];
  data: Buffer;
}

/** Concatenates tensors as little-endian float32 (the byte order of every machine rnnseq targets). */
export function packTensors(named: ReadonlyArray<{ name: string; tensor: tf.Tensor }>): PackedTensors {
  const entries: TensorEntry[] = [];
  let total = 0;
  for (const { name, tensor } of named) {
    entries.push({ name, shape: tensor.shape.slice(), offset: total });
    total += tensor.size;
  }
  const floats = new Float32Array(total);
  named.forEach(({ tensor }, i) => floats.set(tensor.dataSync() as Float32Array, entries[i]!.offset));
  return { entries, data: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength) };
}

export function unpackTensors(entries: readonly TensorEntry[], data: Buffer, source: string): Map<string, tf.Tensor> {
  if (data.byteLength % 4 !== 0) throw corrupt(source, 'weights file size is not a whole number of float32 values');
  const floats = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Map<string, tf.Tensor>();
  for (const entry of entries) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.offset + size > floats.length) throw corrupt(source, `tensor ${entry.name} runs past the end of the weights file`);
    out.set(entry.name, tf.tensor(floats.subarray(entry.offset, entry.offset + size), entry.shape));
  }
  return out;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Checks rnnseq.json before anything is built from it, with a message that says what is wrong. */
export function validateSpec(raw: unknown, source: string): ModelSpec {
  if (typeof raw !== 'object' || raw === null) throw corrupt(source, 'rnnseq.json is not a JSON object');
  const spec = raw as Partial<ModelSpec>;
  if (spec.format !== CHECKPOINT_FORMAT)
    throw corrupt(source, 'not an rnnseq checkpoint (rnnseq.json has no "format": "rnnseq-checkpoint")');
  if (!READABLE_VERSIONS.includes(spec.formatVersion as number)) {
    const newer = typeof spec.formatVersion === 'number' && spec.formatVersion > ENSEMBLE_CHECKPOINT_VERSION;
    throw new RnnseqError(
      `${source}: checkpoint format version ${String(spec.formatVersion)} (written by rnnseq ${spec.rnnseqVersion ?? '?'}) ` +
        `is not readable by this rnnseq, which reads versions ${READABLE_VERSIONS.join(' and ')}; ${newer ? 'upgrade rnnseq' : 'retrain the model'}`,
      EXIT_DATA,
    );
  }
  const arch = spec.architecture;
  validateArchitecture(arch, spec.classes, source);
  if (!spec.weights || typeof spec.weights.file !== 'string' || !Array.isArray(spec.weights.tensors)) {
    throw corrupt(source, 'rnnseq.json does not describe its weights');
  }
  if (spec.window !== undefined) validateWindow(spec.window, spec.classes as string[], spec.inputLength ?? null, source);
  if (spec.nullScores !== undefined && !isNullScores(spec.nullScores)) throw corrupt(source, 'nullScores in rnnseq.json is malformed');
  if (spec.ensemble !== undefined) validateEnsemble(spec as ModelSpec, source);
  else if (spec.formatVersion !== CHECKPOINT_VERSION)
    throw corrupt(source, `format version ${spec.formatVersion} is for ensembles, and rnnseq.json has no ensemble`);
  return spec as ModelSpec;
}

function validateArchitecture(arch: Architecture | undefined, classes: unknown, source: string): asserts arch is Architecture {
  if (!arch || !isCellType(arch.cell) || !POOLINGS.includes(arch.pool) || !(arch.hiddenSize > 0) || !(arch.layers > 0)) {
    throw corrupt(source, 'architecture in rnnseq.json is missing or invalid');
  }
  if (arch.task !== undefined && !TASKS.includes(arch.task))
    throw corrupt(source, `unknown task '${String(arch.task)}' (this rnnseq knows ${TASKS.join(', ')})`);
  const task = taskOf(arch);
  const fewest = task === 'regress' ? 1 : 2;
  if (!Array.isArray(classes) || (classes as string[]).length < fewest || (classes as string[]).length !== arch.numClasses) {
    throw corrupt(source, 'classes in rnnseq.json do not match the architecture');
  }
  if (task === 'regress' && !(arch.regression && arch.regression.std > 0 && Number.isFinite(arch.regression.mean))) {
    throw corrupt(source, 'a regression model needs architecture.regression with mean and a positive std');
  }
  if (task === 'lm' && arch.bidirectional)
    throw corrupt(source, 'a language model cannot be bidirectional (it would see the symbol it predicts)');
  validateFrontEnd(arch, source);
  for (const field of ['conditionSteps', 'conditionHead'] as const)
    if (arch[field] !== undefined && typeof arch[field] !== 'boolean') throw corrupt(source, `architecture.${field} must be true or false`);
  const composition = compositionProblem(arch);
  if (composition) throw corrupt(source, composition);
  const kmers = kmerBranchProblem(arch);
  if (kmers) throw corrupt(source, kmers);
}

/** Members must read the same input and answer the same classes as the first; their insides may differ. */
function validateEnsemble(spec: ModelSpec, source: string): void {
  const members = spec.ensemble?.members;
  if (!Array.isArray(members) || members.length === 0) throw corrupt(source, 'ensemble in rnnseq.json lists no members');
  if (spec.formatVersion !== ENSEMBLE_CHECKPOINT_VERSION)
    throw corrupt(source, `an ensemble needs format version ${ENSEMBLE_CHECKPOINT_VERSION}`);
  if (taskOf(spec.architecture) !== 'classify') throw corrupt(source, 'only classifiers can be ensembles');
  const first = spec.architecture;
  const files = new Set([spec.weights.file]);
  members.forEach((member, i) => {
    const where = `${source} (ensemble member ${i + 2})`;
    validateArchitecture(member?.architecture, spec.classes, where);
    const arch = member.architecture;
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (
      taskOf(arch) !== 'classify' ||
      arch.inputSize !== first.inputSize ||
      !same(arch.conditions, first.conditions) ||
      !same(arch.covariates, first.covariates)
    ) {
      throw corrupt(where, 'its task, input size, conditions or covariates differ from the first member');
    }
    if (
      !member.weights ||
      typeof member.weights.file !== 'string' ||
      !Array.isArray(member.weights.tensors) ||
      files.has(member.weights.file)
    ) {
      throw corrupt(where, 'rnnseq.json does not describe its own weights file');
    }
    files.add(member.weights.file);
  });
}

function validateFrontEnd(arch: Architecture, source: string): void {
  const positive = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (arch.embedDim !== undefined && !positive(arch.embedDim)) throw corrupt(source, 'architecture.embedDim must be a positive integer');
  const conv = arch.conv;
  if (conv === undefined) return;
  if (
    typeof conv !== 'object' ||
    conv === null ||
    !positive(conv.filters) ||
    !positive(conv.width) ||
    !positive(conv.pool) ||
    !(conv.dropout >= 0 && conv.dropout < 1)
  ) {
    throw corrupt(source, 'architecture.conv needs positive integer filters, width and pool and a dropout in [0, 1)');
  }
  if (taskOf(arch) === 'lm')
    throw corrupt(source, 'a language model cannot have a convolutional front-end (its window would see the symbol it predicts)');
  if (taskOf(arch) === 'tag' && conv.pool > 1)
    throw corrupt(source, 'a tagger needs one output per base: its convolutional front-end cannot pool');
}

function validateWindow(window: WindowSpec, classes: string[], inputLength: number | null, source: string): void {
  const bad = (what: string) => corrupt(source, `window in rnnseq.json: ${what}`);
  if (typeof window !== 'object' || window === null) throw bad('not an object');
  if (!Number.isInteger(window.lengthBp) || window.lengthBp < 1 || (inputLength !== null && inputLength !== window.lengthBp))
    throw bad('lengthBp is missing or differs from inputLength');
  if (!classes.includes(window.positiveClass)) throw bad(`positiveClass '${String(window.positiveClass)}' is not one of the classes`);
  if (typeof window.threshold !== 'number' || !(window.threshold >= 0 && window.threshold <= 1))
    throw bad('threshold must be a probability');
  if (!['both', '+', '-'].includes(window.strand) || !['max', 'mean'].includes(window.rcCombine))
    throw bad('strand or rcCombine is invalid');
  if (window.extent !== undefined && !['window', 'core'].includes(window.extent))
    throw bad(`extent '${String(window.extent)}' is neither window nor core`);
}

function corrupt(source: string, what: string): RnnseqError {
  return new RnnseqError(`${source}: bad checkpoint: ${what}`, EXIT_DATA);
}

/** What a training run records in a checkpoint besides the model itself. */
export interface SpecExtras {
  training: Record<string, unknown>;
  data: Record<string, unknown>;
  metrics: Record<string, unknown>;
  backend: string;
  engine: string;
  /** scanners only */
  window?: WindowSpec;
}

/** A model's rnnseq.json: its shape and classes, the run's records, and where its packed weights are. */
export function checkpointSpec(
  info: { alphabet: string; classes: string[]; architecture: Architecture; inputLength: number | null },
  weights: { file: string; packed: PackedTensors },
  extras: SpecExtras,
): ModelSpec {
  return {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    rnnseqVersion: rnnseqVersion(),
    // No timestamp: the same run must write the same bytes (reproducibility); file times say when.
    task: taskOf(info.architecture),
    alphabet: info.alphabet,
    classes: info.classes,
    architecture: info.architecture,
    inputLength: info.inputLength,
    ...extras,
    weights: { file: weights.file, sha256: sha256(weights.packed.data), tensors: weights.packed.entries },
  };
}
