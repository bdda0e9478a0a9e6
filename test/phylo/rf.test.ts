import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNewick } from '../../src/phylo/newick.js';
import { robinsonFoulds } from '../../src/phylo/rf.js';

const tree = (text: string) => parseNewick(text, 't');

test('Robinson-Foulds distances of known pairs', () => {
  const cases: Array<[string, string, number, number]> = [
    ['((A,B),(C,D));', '((A,B),(C,D));', 0, 2],
    ['((A,B),(C,D));', '((A,C),(B,D));', 2, 2],
    ['((A,B),C,(D,E));', '((A,C),B,(D,E));', 2, 4],
    ['((A,B),(C,D),(E,F));', '((A,C),(B,D),(E,F));', 4, 6],
    ['(((A,B),C),(D,(E,F)));', '(((A,D),C),(B,(E,F)));', 4, 6],
    // a caterpillar drawn from the other end: the same three splits
    ['(((A,B),C),(D,(E,F)));', '(A,(B,(C,(D,(E,F)))));', 0, 6],
    // a star has no splits: every split of the resolved tree counts once
    ['(A,B,C,D,E,F);', '((A,B),(C,D),(E,F));', 3, 6],
  ];
  for (const [a, b, rf, maxRf] of cases) {
    const result = robinsonFoulds(tree(a), tree(b));
    assert.deepEqual([result.rf, result.maxRf], [rf, maxRf], `${a} vs ${b}`);
    assert.equal(result.normalised, rf / maxRf);
    assert.equal(robinsonFoulds(tree(b), tree(a)).rf, rf, 'symmetric');
  }
});

test('Robinson-Foulds ignores the root and the order of children', () => {
  const unrooted = tree('(Tarsius:1,Lemur:1,((Homo:1,Pan:1):1,Gorilla:1):1);');
  const rerooted = tree('((Gorilla,(Pan,Homo)),(Lemur,Tarsius));');
  assert.equal(robinsonFoulds(unrooted, rerooted).rf, 0);
  assert.equal(robinsonFoulds(tree('(A,B,C);'), tree('(C,(A,B));')).normalised, 0, 'three leaves: nothing to compare');
});

test('Robinson-Foulds refuses trees on different leaves, naming the leaves that differ', () => {
  assert.throws(
    () => robinsonFoulds(tree('((A,B),(C,D));'), tree('((A,B),(C,E));'), ['ref.nwk', 'mine.nwk']),
    /different leaves \(only in ref\.nwk: 'D'; only in mine\.nwk: 'E'\)/,
  );
  assert.throws(
    () => robinsonFoulds(tree('((A,B),(C,D));'), tree('((A,B),(C,A));'), ['ref.nwk', 'mine.nwk']),
    /mine\.nwk: leaf 'A' appears more than once/,
  );
});

test('Robinson-Foulds works on trees deeper than the call stack', () => {
  const leaves = 10000;
  const caterpillar = `${'('.repeat(leaves - 1)}x0${Array.from({ length: leaves - 1 }, (_, i) => `,x${i + 1})`).join('')};`;
  const result = robinsonFoulds(tree(caterpillar), tree(caterpillar));
  assert.deepEqual([result.rf, result.maxRf, result.leaves], [0, 2 * (leaves - 3), leaves]);
});
