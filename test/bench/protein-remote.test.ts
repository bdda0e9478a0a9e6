/**
 * The generated remote-homologue task (bench/quality/protein-remote.ts): a point regenerates exactly from its seed,
 * has the promised shape (12 families, 30 train and 30 test members each), holds only protein letters, and its
 * mutation model gives the identities it promises (members of one subfamily 40-55%, of two subfamilies 25-35%).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMINO_ACIDS } from '../../bench/quality/protein-families.js';
import { REMOTE_MODEL, descend, drawRemoteFamilies, memberDomain } from '../../bench/quality/protein-remote.js';
import { seededRandom } from '../../bench/quality/records.js';
import { findTask } from '../../bench/quality/tasks.js';
import { assertFamilySplits, assertRegenerates } from './family-splits.js';
import { Random } from '../../src/seq/random.js';

const task = findTask('protein-remote');

test('protein-remote regenerates the same records for a seed and different ones for another seed', async () => {
  await assertRegenerates(task);
  // not the easy task's records under another name
  const [remote, easy] = await Promise.all([task.load('', 1), findTask('protein-families').load('', 1)]);
  assert.notDeepEqual(remote.train, easy.train);
});

test('protein-remote holds 12 families x 30 members per split, protein letters only, domains in longer proteins', async () => {
  assert.deepEqual(task.curve, findTask('protein-families').curve);
  // a 120-300 root, a few % longer after two branches of indels, cut by up to 1/4, padded by up to 300; the mean
  // is a domain of ~190 after cuts plus 150 of padding
  await assertFamilySplits(task, { min: 60, max: 700, meanAbove: 280, meanBelow: 400 });
});

test('descend copies at branch 0, keeps positions and rates without indels, and gives insertions the fast rate', () => {
  const random = new Random(3);
  const residues = AMINO_ACIDS.repeat(20);
  const rates = Array.from(residues, (_, i) => (i % 2 ? REMOTE_MODEL.conservedRate : 1.5));
  const noIndels = { ...REMOTE_MODEL, indelPerUnit: 0 };
  assert.deepEqual(descend({ residues, rates }, 0, REMOTE_MODEL, random), { residues, rates });
  const substituted = descend({ residues, rates }, 1, noIndels, random);
  assert.equal(substituted.residues.length, residues.length);
  assert.deepEqual(substituted.rates, rates);
  const fast = (1 - REMOTE_MODEL.conservedShare * REMOTE_MODEL.conservedRate) / (1 - REMOTE_MODEL.conservedShare);
  const indels = descend({ residues, rates }, 1, { ...REMOTE_MODEL, indelPerUnit: 0.5 }, random);
  assert.notEqual(indels.residues.length, residues.length);
  assert.equal(indels.rates.length, indels.residues.length);
  assert.ok(indels.rates.some((r) => r === fast));
  assert.ok(indels.rates.every((r) => r === fast || rates.includes(r)));
});

test('members share 40-55% identity within a subfamily and 25-35% across subfamilies, conserved sites far more', (t) => {
  const model = { ...REMOTE_MODEL, indelPerUnit: 0 }; // without indels every domain aligns position by position
  const random = seededRandom('protein-remote', 1, 'identity');
  const families = drawRemoteFamilies(12, random, model);
  const perSubfamily = 10;
  const tally = { within: [0, 0], across: [0, 0], conserved: [0, 0], fast: [0, 0] };
  for (const family of families) {
    const members = family.subfamilies.flatMap((_, s) =>
      Array.from({ length: perSubfamily }, () => ({ subfamily: s, domain: memberDomain(family, s, random, model) })),
    );
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) {
        const pair = members[a]!.subfamily === members[b]!.subfamily ? tally.within : tally.across;
        const x = members[a]!.domain;
        const y = members[b]!.domain;
        assert.equal(x.length, y.length);
        for (let i = 0; i < x.length; i++) {
          const same = x[i] === y[i] ? 1 : 0;
          pair[0]! += same;
          pair[1]! += 1;
          if (pair === tally.across) {
            const site = family.root.rates[i] === model.conservedRate ? tally.conserved : tally.fast;
            site[0]! += same;
            site[1]! += 1;
          }
        }
      }
  }
  const [within, across, conserved, fast] = [tally.within, tally.across, tally.conserved, tally.fast].map(([same, all]) => same! / all!);
  const shown = `within ${within!.toFixed(3)}, across ${across!.toFixed(3)} (conserved sites ${conserved!.toFixed(3)}, fast ${fast!.toFixed(3)})`;
  t.diagnostic(shown);
  assert.ok(within! >= 0.4 && within! <= 0.55, shown);
  assert.ok(across! >= 0.25 && across! <= 0.35, shown);
  // the family signal across subfamilies lives in the conserved sites, as in real families
  assert.ok(conserved! > 0.6 && fast! < 0.2, shown);
});
