import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFastaGenome } from '../../src/io/genome-source.js';
import { freeStartShare, visitBackgroundWindows } from '../../src/seq/background-windows.js';
import { sequenceLengths } from '../../src/seq/genome.js';
import { Random } from '../../src/seq/random.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';
import { tempDir } from '../helpers.js';

test("background windows avoid every avoided region, and a covered sequence's share goes to the free ones", async (t) => {
  const dir = tempDir(t);
  const one = randomBases(20_000, 1);
  const two = randomBases(5_000, 2);
  const genome = await loadFastaGenome(
    writeFasta(dir, 'g.fa', [
      ['one', one],
      ['two', two],
    ]),
  );
  const lengths = sequenceLengths(genome);
  const W = 50;
  // Training negatives tiling all of `one` but its last 1 kb, and a positive inside `two`.
  const covered = Array.from({ length: 19 }, (_, i) => ({ chrom: 'one', start: i * 1000, end: (i + 1) * 1000 }));
  const positive = { chrom: 'two', start: 2000, end: 2100 };
  const avoid = [...covered, positive];
  // Free starts: `one` 19,951 - 19,000 (its tiles block starts 0..18,999) = 951; `two` 4,951 - 149 (starts 1,951..2,099).
  const share = freeStartShare(lengths, W, avoid);
  assert.ok(Math.abs(share - (951 + 4802) / (19_951 + 4_951)) < 1e-12, String(share));
  assert.equal(freeStartShare(lengths, W, []), 1);

  const windows: string[] = [];
  const kept = await visitBackgroundWindows({ genome, lengths, windowBp: W, avoid, maxN: 5, count: 2000 }, new Random(4), (bases) =>
    windows.push(Buffer.from(bases).toString('latin1')),
  );
  assert.equal(kept, windows.length);
  // The whole count is drawn from the free starts, in proportion to them (951 : 4,802), not to the lengths.
  assert.equal(kept, 2000);
  const inOne = windows.filter((w) => one.includes(w)).length;
  assert.ok(Math.abs(inOne - (2000 * 951) / 5753) < 40, `${inOne} of ${kept} from the mostly covered sequence`);
  // Asked for more than there is: every free start once.
  const all = await visitBackgroundWindows({ genome, lengths, windowBp: W, avoid, maxN: 5, count: 1e7 }, new Random(5), () => {});
  assert.equal(all, 951 + 4802);
  for (const w of windows) {
    const at = one.indexOf(w);
    if (at >= 0) assert.ok(at >= 19_000, `a window at ${at} of one touches a training negative`);
    else {
      const at2 = two.indexOf(w);
      assert.ok(at2 + W <= 2000 || at2 >= 2100, `a window at ${at2} of two touches the positive`);
    }
  }
});
