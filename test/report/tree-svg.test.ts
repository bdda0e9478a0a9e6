import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeNode } from '../../src/phylo/tree.js';
import { renderTreeSvg } from '../../src/report/tree-svg.js';

const leaf = (name: string, length?: number): TreeNode => ({ name, ...(length !== undefined ? { length } : {}), children: [] });

/** ((A:0.1,B:0.3)90:0.2,C:0.5); as a TreeNode */
const tree: TreeNode = { children: [{ length: 0.2, support: 90, children: [leaf('A', 0.1), leaf('B', 0.3)] }, leaf('C', 0.5)] };

function leafLabels(svg: string): Array<{ name: string; x: number; y: number }> {
  return [...svg.matchAll(/<text class="leaf" x="([\d.]+)" y="([\d.]+)">([^<]*)<\/text>/g)].map((m) => ({
    name: m[3]!,
    x: Number(m[1]),
    y: Number(m[2]),
  }));
}

test('a phylogram places leaves at their summed branch lengths, in Newick order, with support printed', () => {
  const svg = renderTreeSvg(tree, { title: 'test tree', plotWidth: 500 });
  const labels = leafLabels(svg);
  assert.deepEqual(
    labels.map((l) => l.name),
    ['A', 'B', 'C'],
  );
  assert.ok(labels[0]!.y < labels[1]!.y && labels[1]!.y < labels[2]!.y, 'rows go down in leaf order');
  // depths from the root: A 0.3, B 0.5, C 0.5; 500 px span 0.5, labels start 4 px right of the tip
  const left = labels[0]!.x - 4 - (0.3 / 0.5) * 500;
  assert.ok(Math.abs(labels[1]!.x - 4 - left - 500) < 0.02, 'B ends at the full depth');
  assert.ok(Math.abs(labels[2]!.x - labels[1]!.x) < 0.02, 'B and C are equally deep');
  assert.match(svg, /<text class="support"[^>]*>90<\/text>/);
  assert.match(svg, /class="scale-bar"/);
  assert.match(svg, /<title>test tree<\/title>/);
});

test('negative branch lengths are drawn as zero, and a tree without lengths as a cladogram', () => {
  const negative = renderTreeSvg({ children: [leaf('A', -0.2), leaf('B', 0.4)] }, { plotWidth: 400 });
  const [a, b] = leafLabels(negative);
  assert.ok(Math.abs(b!.x - a!.x - 400) < 0.02, 'A sits at the root, B at the full width');
  const cladogram = renderTreeSvg({ children: [{ children: [leaf('A'), leaf('B')] }, leaf('C')] }, { plotWidth: 300 });
  const [ca, , cc] = leafLabels(cladogram);
  assert.ok(Math.abs(ca!.x - cc!.x - 150) < 0.02, 'every branch is one unit: A two, C one');
  assert.match(cladogram, /no lengths/);
});

test('names are escaped and supports under the threshold are left out', () => {
  const svg = renderTreeSvg(
    { children: [{ support: 40, length: 1, children: [leaf('x<&>"y', 1), leaf('z', 1)] }, leaf('w', 1)] },
    { minSupport: 50 },
  );
  assert.match(svg, /x&lt;&amp;&gt;&quot;y/);
  assert.doesNotMatch(svg, /class="support"[^>]*>40</);
});
