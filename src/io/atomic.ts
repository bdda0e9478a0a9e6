import { mkdir, readdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EXIT_RUNTIME, RnnseqError } from '../errors.js';

/** A sibling temp path: same directory, so the final rename never crosses filesystems. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.rnnseq-tmp-${process.pid}-${basename(path)}`);
}

/**
 * Removes temp siblings of `path` left by earlier rnnseq processes that no longer run: a `kill -9` (or a node
 * that died) gets no chance to clean up, and its half-written copy would otherwise sit beside the output for ever.
 * A temp file whose process still runs here is left alone: it may be another rnnseq writing the same path.
 */
export async function removeStaleTemps(path: string): Promise<void> {
  const prefix = '.rnnseq-tmp-';
  const suffix = `-${basename(path)}`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return; // no directory yet, so nothing stale in it
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const pid = Number(name.slice(prefix.length, name.length - suffix.length));
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    await rm(join(dirname(path), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

/** This process's temp sibling of `path`, ready to write: its directory exists and killed runs' copies are gone. */
export async function prepareTempSibling(path: string): Promise<string> {
  await ensureParent(path);
  await removeStaleTemps(path);
  return tempSibling(path);
}

/** Writes a whole small file at once: a temp sibling renamed into place, so a reader never sees half of it. */
export async function writeFileAtomically(path: string, data: Buffer | string): Promise<void> {
  const temp = await prepareTempSibling(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new RnnseqError(`cannot write ${path}: ${(error as Error).message}`, EXIT_RUNTIME);
  }
}

/**
 * Replaces a directory's contents at once: files are written into a temp directory beside it, which then takes
 * the place of the old one. A reader sees either the old checkpoint or the new one, never half of each.
 */
export async function writeDirectoryAtomically(dir: string, files: ReadonlyArray<{ name: string; data: Buffer | string }>): Promise<void> {
  const temp = await prepareTempSibling(dir);
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
