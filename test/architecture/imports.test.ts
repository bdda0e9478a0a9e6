import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from '../helpers.js';

/**
 * The pipeline's import rule (ARCHITECTURE.md): every relative import in src points down
 *   errors/log/version < io < seq < engine < {scan, phylo, explain} < report < commands < cli,
 * never between scan, phylo and explain, with no cycle, and no top-level folder outside the list.
 * `native` holds the engine's C++ kernels (no TypeScript), loaded by src/engine/native-addon.ts.
 */
const RANK: Record<string, number> = {
  errors: 0,
  log: 0,
  version: 0,
  io: 1,
  seq: 2,
  engine: 3,
  native: 3,
  scan: 4,
  phylo: 4,
  explain: 4,
  report: 5,
  commands: 6,
  cli: 7,
};
const SIBLINGS = new Set(['scan', 'phylo', 'explain']);

/** The part of src a file belongs to: its top-level folder, or its own name for a top-level file. */
function partOf(file: string): string {
  const [first, second] = file.split('/');
  return second === undefined ? first!.replace(/\.ts$/, '') : first!;
}

/** Every relative specifier a TypeScript file imports (static, type-only, re-exports and dynamic import()). */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm,
  ];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Files (paths relative to src, ending .ts) and their imports resolved to the same form. */
export type ImportGraph = Map<string, string[]>;

export function checkImportGraph(graph: ImportGraph, folders: readonly string[]): string[] {
  const problems: string[] = [];
  for (const folder of folders) if (!(folder in RANK)) problems.push(`src/${folder}: a top-level folder outside the pipeline`);
  for (const [file, imports] of graph) {
    const from = partOf(file);
    if (!(from in RANK)) problems.push(`src/${file}: not in a pipeline folder`);
    for (const target of imports) {
      const to = partOf(target);
      if (!(to in RANK) || !(from in RANK)) continue;
      if (from !== to && SIBLINGS.has(from) && SIBLINGS.has(to))
        problems.push(`src/${file} -> src/${target}: ${from} and ${to} must not import each other`);
      else if (RANK[to]! > RANK[from]!)
        problems.push(`src/${file} -> src/${target}: ${from} may not import ${to} (it is further up the pipeline)`);
    }
  }
  for (const cycle of findCycles(graph)) problems.push(`import cycle among: ${cycle.map((f) => `src/${f}`).join(' -> ')}`);
  return problems;
}

/** One cycle per strongly connected component of more than one file (or a file importing itself). */
function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.reverse());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
}

function sourceGraph(srcDir: string): { graph: ImportGraph; folders: string[] } {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'build') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const file = relative(srcDir, path);
        const imports = relativeImports(readFileSync(path, 'utf8')).map((spec) =>
          normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'),
        );
        graph.set(file, imports);
      }
    }
  };
  walk(srcDir);
  // node-gyp leaves src/node_modules behind on install (git ignores it): an install artefact, not a folder of code.
  const folders = readdirSync(srcDir).filter((name) => name !== 'node_modules' && statSync(join(srcDir, name)).isDirectory());
  return { graph, folders };
}

test('every relative import in src points down the pipeline, with no cycle', () => {
  const { graph, folders } = sourceGraph(join(repoRoot, 'src'));
  assert.ok(graph.size > 50, `read ${graph.size} files`);
  assert.deepEqual(checkImportGraph(graph, folders), []);
});

test('the import check catches an arrow up the pipeline, a sibling import, a cycle and a stray folder', () => {
  const planted: ImportGraph = new Map([
    ['io/fasta.ts', ['seq/alphabet.ts']],
    ['seq/alphabet.ts', []],
    ['scan/scanner.ts', ['phylo/tree.ts']],
    ['phylo/tree.ts', []],
    ['commands/a.ts', ['commands/b.ts']],
    ['commands/b.ts', ['commands/a.ts', 'engine/model.ts']],
    ['engine/model.ts', ['seq/alphabet.ts']],
  ]);
  const problems = checkImportGraph(planted, ['io', 'seq', 'scan', 'phylo', 'commands', 'engine', 'utils']);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems.join('\n'), /src\/utils: a top-level folder outside/);
  assert.match(problems.join('\n'), /io\/fasta\.ts -> src\/seq\/alphabet\.ts: io may not import seq/);
  assert.match(problems.join('\n'), /scan and phylo must not import each other/);
  assert.match(problems.join('\n'), /import cycle among: src\/commands\/a\.ts -> src\/commands\/b\.ts/);
});

test('relativeImports finds static, type-only, re-exported and dynamic imports, not commented ones', () => {
  const source = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "export { c } from './c.js';",
    "import './side-effect.js';",
    "const d = await import('./d.js');",
    "// import { e } from './e.js';",
    "import x from 'node:fs';",
  ].join('\n');
  assert.deepEqual(relativeImports(source).sort(), ['../b.js', './a.js', './c.js', './d.js', './side-effect.js']);
});
