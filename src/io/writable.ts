/**
 * A check, before any work, that an output path can be written at all: its nearest existing ancestor is a
 * directory this process may write into, and the path itself is not a directory. A path that fails it is the
 * user's to fix (exit 2, like any bad argument), where running out of disk later is a runtime failure (exit 1).
 * Used for bigWig outputs, which are otherwise written only at the end of a long scan.
 */
import { type Stats, constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EXIT_USAGE, RnnseqError } from '../errors.js';

export async function checkWritablePath(path: string, flag: string): Promise<void> {
  const refuse = (why: string) => new RnnseqError(`${flag} ${path}: cannot write there: ${why}`, EXIT_USAGE);
  const existing = await statOrUndefined(path);
  if (existing?.isDirectory()) throw refuse('it is a directory; give a file name');
  let dir = dirname(resolve(path));
  let found = await statOrUndefined(dir);
  while (!found && dirname(dir) !== dir) {
    dir = dirname(dir);
    found = await statOrUndefined(dir);
  }
  if (!found) throw refuse('no directory on its path exists');
  if (!found.isDirectory()) throw refuse(`${dir} is a file, not a directory`);
  try {
    // Only the directory matters: the file is written as a temp sibling and renamed over any old one.
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'EROFS' ? `${dir} is on a read-only file system` : `permission denied in ${dir}`);
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined; // absent, or ENOTDIR (a file where a directory should be): the walk up finds it and says so
  }
}
