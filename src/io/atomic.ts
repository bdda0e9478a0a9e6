import { mkdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EXIT_RUNTIME, RnnseqError } from '../errors.js';

/** A sibling temp path: same directory, so the final rename never crosses filesystems. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.rnnseq-tmp-${process.pid}-${basename(path)}`);
}

/**
 * Replaces a directory's contents at once: files are written into a temp directory beside it, which then takes
 * the place of the old one. A reader sees either the old checkpoint or the new one, never half of each.
 */
export async function writeDirectoryAtomically(dir: string, files: ReadonlyArray<{ name: string; data: Buffer | string }>): Promise<void> {
  await ensureParent(dir);
  const temp = tempSibling(dir);
  const old = previousSibling(dir);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  for (const file of files) await writeFile(join(temp, file.name), file.data);
  // Without `dir`, a process killed between the two renames left the only complete copy in `old`: keep it.
  if (await exists(dir)) {
    await rm(old, { recursive: true, force: true });
    await rename(dir, old);
  }
  await rename(temp, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * Where writeDirectoryAtomically keeps the old directory while the new one moves in. Its name does not depend on
 * the process, so after a `kill -9` between the two renames the next reader finds the complete old copy there.
 */
export function previousSibling(dir: string): string {
  return join(dirname(dir), `.rnnseq-previous-${basename(dir)}`);
}

export async function ensureParent(path: string): Promise<void> {
  const parent = dirname(path);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw new RnnseqError(`cannot create directory ${parent}: ${(error as Error).message}`, EXIT_RUNTIME);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
