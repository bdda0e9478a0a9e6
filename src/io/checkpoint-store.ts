import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../errors.js';
import { packageRoot } from '../version.js';
import { exists, previousSibling, writeDirectoryAtomically } from './atomic.js';

/**
 * A checkpoint on disk: a directory of rnnseq.json (the spec; src/engine/checkpoint.ts says what it holds) and
 * binary files beside it. This module reads and writes them as bytes and JSON; it never sees a tensor.
 * src/commands/shared/checkpoints.ts joins it to the engine (saveModel, loadModel).
 */
export const CHECKPOINT_FILES = {
  spec: 'rnnseq.json',
  weights: 'weights.bin',
  /** last/ only: Adam's state, to resume exactly */
  optimizer: 'optimizer.bin',
  /** best/ of a classifier: its validation predictions, for `rnnseq report` */
  validPredictions: 'valid-predictions.tsv',
} as const;

const SPEC_FILE = CHECKPOINT_FILES.spec;

export interface CheckpointFiles {
  dir: string; // the directory the files were read from
  spec: unknown; // parsed rnnseq.json, validated by the engine
  files: Map<string, Buffer>;
}

/**
 * Finds the checkpoint a user meant by -m: a checkpoint directory, a training run (its best/, else last/), or the
 * name of a model shipped in the package's models/ folder.
 */
export async function resolveCheckpointDir(model: string): Promise<string> {
  // Each directory is followed by the copy it had before a replacement that a kill interrupted (see
  // writeDirectoryAtomically), so a run killed at the wrong instant still resumes.
  const candidates = [model, join(model, 'best'), join(model, 'last')].flatMap((dir) => [dir, previousSibling(dir)]);
  if (!model.includes('/')) candidates.push(join(packageRoot(), 'models', model));
  for (const dir of candidates) {
    if (await exists(join(dir, SPEC_FILE))) return dir;
  }
  if (!(await exists(model))) {
    throw new RnnseqError(
      `${model}: no such model (give a checkpoint directory, a training run directory, or a shipped model name)`,
      EXIT_USAGE,
    );
  }
  throw new RnnseqError(`${model}: not an rnnseq checkpoint (no ${SPEC_FILE} in it, nor in best/ or last/)`, EXIT_DATA);
}

export async function readCheckpoint(model: string, extraFiles: readonly string[]): Promise<CheckpointFiles> {
  const dir = await resolveCheckpointDir(model);
  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(join(dir, SPEC_FILE), 'utf8'));
  } catch (error) {
    throw new RnnseqError(`${join(dir, SPEC_FILE)}: bad checkpoint: cannot parse (${(error as Error).message})`, EXIT_DATA);
  }
  const files = new Map<string, Buffer>();
  for (const name of extraFiles) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) files.set(name, await readFile(path));
    } catch {
      // Optional files (optimizer state) may be absent; the engine decides what is required.
    }
  }
  return { dir, spec, files };
}

/** The names of every plain file in a checkpoint besides rnnseq.json (weights, optimizer, validation predictions). */
export async function checkpointFileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== SPEC_FILE)
    .map((e) => e.name)
    .sort();
}

/** Replaces a checkpoint's rnnseq.json by update's answer, keeping every other file, atomically. */
export async function rewriteCheckpointSpec(model: string, update: (spec: unknown, dir: string) => unknown): Promise<unknown> {
  // Every file is carried over, not only the weights: a calibrated scanner keeps its valid-predictions.tsv for report.
  const dir = await resolveCheckpointDir(model);
  const { spec, files } = await readCheckpoint(dir, await checkpointFileNames(dir));
  const updated = update(spec, dir);
  await writeCheckpoint(
    dir,
    updated,
    [...files].map(([name, data]) => ({ name, data })),
  );
  return updated;
}

export async function writeCheckpoint(dir: string, spec: unknown, files: ReadonlyArray<{ name: string; data: Buffer }>): Promise<void> {
  await writeDirectoryAtomically(dir, [{ name: SPEC_FILE, data: `${JSON.stringify(spec, null, 2)}\n` }, ...files]);
}
