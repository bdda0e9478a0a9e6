/**
 * A checkpoint directory is replaced by two renames (old aside, new in). A `kill -9` between them leaves no
 * directory under the real name, only the complete old copy beside it: readers must find that copy, and the
 * next save must put a directory back without losing it first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { previousSibling, writeDirectoryAtomically } from '../../src/io/atomic.js';
import { readCheckpoint, resolveCheckpointDir } from '../../src/io/checkpoint-store.js';
import { tempDir } from '../helpers.js';

function checkpoint(dir: string, epoch: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rnnseq.json'), JSON.stringify({ epoch }));
  writeFileSync(join(dir, 'weights.bin'), Buffer.from([epoch]));
}

test('a run killed between the two renames of a checkpoint save is read from the complete previous copy', async (t) => {
  const run = tempDir(t);
  checkpoint(join(run, 'best'), 1);
  checkpoint(join(run, 'last'), 2);
  // The state a kill leaves after `rename(last, previous)` and before `rename(temp, last)`.
  renameSync(join(run, 'last'), previousSibling(join(run, 'last')));

  assert.equal(await resolveCheckpointDir(join(run, 'last')), previousSibling(join(run, 'last')));
  const read = await readCheckpoint(join(run, 'last'), ['weights.bin']);
  assert.deepEqual(read.spec, { epoch: 2 });
  assert.deepEqual([...read.files.get('weights.bin')!], [2]);
  assert.equal(await resolveCheckpointDir(run), join(run, 'best'), 'a run directory still means its best/');

  // The next save of last/ (a resumed run's) restores the directory and only then drops the old copy.
  await writeDirectoryAtomically(join(run, 'last'), [{ name: 'rnnseq.json', data: JSON.stringify({ epoch: 3 }) }]);
  assert.deepEqual(JSON.parse(readFileSync(join(run, 'last', 'rnnseq.json'), 'utf8')), { epoch: 3 });
  assert.ok(!existsSync(previousSibling(join(run, 'last'))));
});

test('replacing a checkpoint leaves only the new directory', async (t) => {
  const run = tempDir(t);
  checkpoint(join(run, 'last'), 1);
  await writeDirectoryAtomically(join(run, 'last'), [{ name: 'rnnseq.json', data: JSON.stringify({ epoch: 2 }) }]);
  assert.deepEqual(readdirSync(run), ['last']);
  assert.deepEqual(readdirSync(join(run, 'last')), ['rnnseq.json'], 'files of the old checkpoint do not survive');
  assert.deepEqual(JSON.parse(readFileSync(join(run, 'last', 'rnnseq.json'), 'utf8')), { epoch: 2 });
});
