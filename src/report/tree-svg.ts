/**
 * A tree as a rectangular phylogram: x is the summed branch length from the root, leaves are spaced evenly in
 * their Newick order, and each internal node's bootstrap support is printed where its branch meets it. A tree
 * without branch lengths is drawn as a cladogram (every branch one unit). Negative lengths, which neighbour-
 * joining can produce, are drawn as zero: a drawing cannot go backwards, and the Newick keeps the true value.
 */
import { scaleLinear } from 'd3-scale';
import { type TreeNode, isLeaf } from '../phylo/tree.js';
import { type Figure, approximateTextWidth, element, svgDocument, text } from './svg.js';

export interface TreeSvgOptions {
  title?: string;
  /** width of the branch area in pixels (labels get their own room) */
  plotWidth?: number;
  rowHeight?: number;
  /** show support values at least this high (percent); 0 shows every one */
  minSupport?: number;
}

interface Placed {
  node: TreeNode;
  x: number; // distance from the root, in branch-length units
  y: number; // row, in leaf units
  children: Placed[];
}

export function renderTreeSvg(tree: TreeNode, options: TreeSvgOptions = {}): string {
  return treeFigure(tree, options).svg;
}

export function treeFigure(tree: TreeNode, options: TreeSvgOptions = {}): Figure {
  const phylogram = hasLengths(tree);
  let nextRow = 0;
  const place = (node: TreeNode, depth: number, isRoot: boolean): Placed => {
    const step = isRoot ? 0 : phylogram ? Math.max(0, node.length ?? 0) : 1;
    const x = depth + step;
    if (isLeaf(node)) return { node, x, y: nextRow++, children: [] };
    const children = node.children.map((child) => place(child, x, false));
    return { node, x, y: (children[0]!.y + children[children.length - 1]!.y) / 2, children };
  };
  const root = place(tree, 0, true);
  const all = flatten(root);
  const leaves = all.filter((p) => p.children.length === 0);
  const maxX = Math.max(...all.map((p) => p.x), 0) || 1;

  const rowHeight = options.rowHeight ?? 18;
  const plotWidth = options.plotWidth ?? 520;
  const labelWidth = Math.min(320, Math.max(40, ...leaves.map((p) => approximateTextWidth(p.node.name ?? '', 11))));
  const left = 16;
  const top = options.title ? 34 : 14;
  const width = left + plotWidth + 8 + labelWidth + 12;
  const height = top + Math.max(1, leaves.length) * rowHeight + 40;
  const x = scaleLinear()
    .domain([0, maxX])
    .range([left, left + plotWidth]);
  const y = (row: number) => top + row * rowHeight + rowHeight / 2;
  const minSupport = options.minSupport ?? 0;

  let branches = '';
  let supports = '';
  let labels = '';
  for (const placed of all) {
    if (placed.children.length > 0) {
      const first = placed.children[0]!;
      const last = placed.children[placed.children.length - 1]!;
      branches += element('line', { x1: x(placed.x), x2: x(placed.x), y1: y(first.y), y2: y(last.y) });
      for (const child of placed.children) branches += element('line', { x1: x(placed.x), x2: x(child.x), y1: y(child.y), y2: y(child.y) });
      const support = placed.node.support;
      if (support !== undefined && placed !== root && support >= minSupport) {
        supports += text(formatSupport(support), {
          class: 'support',
          x: x(placed.x) - 3,
          y: y(placed.y) - 3,
          'text-anchor': 'end',
          'font-size': 9,
          fill: support >= 70 ? '#000000' : '#888888',
        });
      }
    } else {
      labels += text(placed.node.name ?? '', { class: 'leaf', x: x(placed.x) + 4, y: y(placed.y) + 4 });
    }
  }
  let body = '';
  if (options.title) body += text(options.title, { x: left, y: 20, 'font-size': 13, 'font-weight': 'bold' });
  body += element('g', { class: 'branches', stroke: '#000000', 'stroke-width': 1.5, 'stroke-linecap': 'square' }, branches);
  body += element('g', { class: 'supports' }, supports) + element('g', { class: 'leaves' }, labels);
  body += scaleBar(x, top + leaves.length * rowHeight + 16, phylogram);
  const title = options.title ?? 'Tree';
  return { name: 'tree', title, svg: svgDocument(width, height, title, body, { 'data-figure': 'tree' }), width, height };
}

/** A bar of a round length near a fifth of the tree's depth: how long a branch of, say, 0.05 substitutions is. */
function scaleBar(x: ReturnType<typeof scaleLinear<number, number>>, yBar: number, phylogram: boolean): string {
  const [, maxX] = x.domain() as [number, number];
  const length = x.ticks(5).find((t) => t > 0) ?? maxX;
  const x0 = x(0);
  const x1 = x(length);
  const label = phylogram ? String(Number(length.toPrecision(3))) : `${length} branch${length === 1 ? '' : 'es'} (no lengths)`;
  return element(
    'g',
    { class: 'scale-bar' },
    element('line', { x1: x0, x2: x1, y1: yBar, y2: yBar, stroke: '#000000', 'stroke-width': 1.5 }) +
      element('line', { x1: x0, x2: x0, y1: yBar - 3, y2: yBar + 3, stroke: '#000000' }) +
      element('line', { x1: x1, x2: x1, y1: yBar - 3, y2: yBar + 3, stroke: '#000000' }) +
      text(label, { x: (x0 + x1) / 2, y: yBar + 15, 'text-anchor': 'middle', 'font-size': 10 }),
  );
}

function hasLengths(node: TreeNode): boolean {
  return node.children.some((child) => child.length !== undefined || hasLengths(child));
}

function flatten(placed: Placed): Placed[] {
  return [placed, ...placed.children.flatMap(flatten)];
}

function formatSupport(support: number): string {
  return Number.isInteger(support) ? String(support) : support.toFixed(0);
}
