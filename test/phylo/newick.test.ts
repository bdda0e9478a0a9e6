import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RnnseqError } from '../../src/errors.js';
import { formatNewick, parseNewick } from '../../src/phylo/newick.js';
import type { TreeNode } from '../../src/phylo/tree.js';

test('Newick round trip keeps names that need quoting, supports and branch lengths', () => {
  const tree: TreeNode = {
    children: [
      {
        support: 97,
        length: 0.25,
        children: [
          { name: "O'Brien", length: 0.1, children: [] },
          { name: 'Homo sapiens', length: 1.5e-7, children: [] },
        ],
      },
      { name: 'a,b(c):d;[e]', length: 3, children: [] },
      { name: 'Homo_sapiens', length: 0, children: [] },
      {
        name: '42',
        length: 2,
        children: [
          { name: 'x', children: [] },
          { name: 'y', children: [] },
        ],
      },
    ],
  };
  const text = formatNewick(tree);
  assert.equal(text, "(('O''Brien':0.1,'Homo sapiens':0.00000015)97:0.25,'a,b(c):d;[e]':3,Homo_sapiens:0,(x,y)'42':2);\n");
  assert.deepEqual(parseNewick(text, 't.nwk'), tree);
});

test('any tree survives format then parse', () => {
  const name = fc.string({ minLength: 1, maxLength: 8 });
  const length = fc.option(
    fc.integer({ min: 0, max: 10 ** 6 }).map((n) => n / 1000),
    { nil: undefined },
  );
  const { tree } = fc.letrec<{ tree: TreeNode; leaf: TreeNode; internal: TreeNode }>((self) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, self('leaf'), self('internal')),
    leaf: fc.record({ name, length, children: fc.constant([]) }, { requiredKeys: ['name', 'children'] }),
    internal: fc.record(
      {
        support: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        length,
        children: fc.array(self('tree'), { minLength: 1, maxLength: 4 }),
      },
      { requiredKeys: ['children'] },
    ),
  }));
  const clean = (node: TreeNode): TreeNode => {
    const out: TreeNode = { children: node.children.map(clean) };
    for (const key of ['name', 'length', 'support'] as const)
      if (node[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = node[key];
    return out;
  };
  fc.assert(
    fc.property(tree, (t) => {
      const expected = clean(t);
      assert.deepEqual(parseNewick(formatNewick(expected), 'p'), expected);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('parsing skips comments and blanks, reads numeric internal labels as support and keeps underscores', () => {
  const tree = parseNewick(" [&R] ( Homo_sapiens : 0.1 [&rate=1], ( b:1e-3, 'c d' )\n 0.95 : 2 , e ) root_label ;\n", 't.nwk');
  assert.deepEqual(tree, {
    name: 'root_label',
    children: [
      { name: 'Homo_sapiens', length: 0.1, children: [] },
      {
        support: 0.95,
        length: 2,
        children: [
          { name: 'b', length: 0.001, children: [] },
          { name: 'c d', children: [] },
        ],
      },
      { name: 'e', children: [] },
    ],
  });
  assert.deepEqual(parseNewick('(a,b)100;', 't'), {
    support: 100,
    children: [
      { name: 'a', children: [] },
      { name: 'b', children: [] },
    ],
  });
  assert.deepEqual(parseNewick("(a,b)'100';", 't').name, '100', 'a quoted number is a name');
  assert.deepEqual(parseNewick('leaf;', 't'), { name: 'leaf', children: [] });
});

test('a 10,000-leaf caterpillar tree round-trips without overflowing the stack', () => {
  const leaves = 10000;
  const text = `${'('.repeat(leaves - 1)}x0${Array.from({ length: leaves - 1 }, (_, i) => `,x${i + 1})`).join('')}`;
  const tree = parseNewick(`${text};`, 'big.nwk');
  assert.equal(formatNewick(tree), `${text};\n`);
});

test('malformed Newick is reported with the file and the character offset', () => {
  const cases: Array<[string, RegExp]> = [
    ['(a,b', /t\.nwk: Newick error at character 5: expected ',' or '\)' but found the end of the input/],
    ['(a,b)', /character 6: expected ';' at the end of the tree but found the end of the input/],
    ["(a,'b,c);", /character 4: quoted name is never closed/],
    ['(a:x,b);', /character 4: branch length after ':' must be a number, found 'x'/],
    ['(a,b);(c,d);', /character 7: text after the end of the tree/],
    ['(a,,b);', /character 4: a leaf without a name|character 4: expected a leaf name/],
    ['(a,b) [unclosed;', /character 7: comment '\[' is never closed/],
    ['', /no tree \(empty input\)/],
    ['(a,b));', /character 6: expected ';'/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseNewick(text, 't.nwk'),
      (error: unknown) => error instanceof RnnseqError && error.exitCode === 2 && message.test(error.message),
      `${text} -> ${message}`,
    );
  }
});
