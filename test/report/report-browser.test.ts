import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium } from '../../src/report/png.js';
import { plantedMotifFasta } from '../motif-data.js';
import { needTool } from '../system-tools.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

/**
 * One short real training run (a planted motif: the answer is known), then its report opened in headless
 * Chromium. Without Chromium these tests skip, or fail when CI is set (CI installs Debian's chromium).
 */
let work: string;
let run: string;
let validLabels: string[];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'rnnseq-report-'));
  writeFileSync(join(work, 'train.fa'), plantedMotifFasta(400, 24, 11).fasta);
  const valid = plantedMotifFasta(200, 24, 12);
  validLabels = valid.labels;
  writeFileSync(join(work, 'valid.fa'), valid.fasta);
  run = join(work, 'run');
  const trained = await runCli([
    'train',
    '-o',
    run,
    // A small recurrent model as the flags give it (the report's figures are under test, not the recipe).
    '--plain',
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--pool',
    'max',
    '--epochs',
    '6',
    '--lr',
    '0.01',
    '--batch-size',
    '16',
    '--valid',
    join(work, 'valid.fa'),
    '-q',
    join(work, 'train.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Chromium's path, or undefined with the test skipped (failed on CI) when there is none (RNNSEQ_CHROMIUM picks one). */
function browserPath(t: { skip(message?: string): void }): string | undefined {
  const path = findChromium();
  return needTool(t, 'chromium', path !== undefined) ? path : undefined;
}

/** AUC by its definition, from `rnnseq classify` on the validation FASTA: what the report must show. */
async function classifyAuc(): Promise<number> {
  const classified = await runCli(['classify', '-m', run, '-q', join(work, 'valid.fa')]);
  assert.equal(classified.code, 0, classified.stderr);
  const rows = classified.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line, i) => ({ p: Number(line.split('\t')[3]), positive: validLabels[i] === 'motif' }));
  let wins = 0;
  let pairs = 0;
  for (const a of rows) {
    for (const b of rows) {
      if (!a.positive || b.positive) continue;
      pairs++;
      wins += a.p > b.p ? 1 : a.p === b.p ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

test('report renders offline in Chromium: axes, curves and the AUC of the validation set, no network request', {
  timeout: 180_000,
}, async (t) => {
  assert.ok(existsSync(join(run, 'best', 'valid-predictions.tsv')), 'train writes best/valid-predictions.tsv');
  const html = join(work, 'report.html');
  const made = await runCli(['report', run, '-o', html]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.stdout, '');
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('.')),
    [],
    'no temp file left',
  );

  const executablePath = browserPath(t);
  if (!executablePath) return;
  // The profile goes only after the browser has closed: removed while Chromium still wrote to it, it failed the
  // test (ENOTEMPTY) and the unclosed browser kept the test process alive.
  const profile = mkdtempSync(join(tmpdir(), 'rnnseq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  context.setDefaultTimeout(30_000); // a browser that stops answering fails the test instead of hanging the suite
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

  assert.deepEqual(await page.locator('svg[data-figure]').evaluateAll((svgs) => svgs.map((s) => s.getAttribute('data-figure'))), [
    'loss',
    'metrics',
    'roc',
    'pr',
    'confusion',
    'threshold',
    'reliability',
  ]);
  for (const name of ['loss', 'metrics', 'roc', 'pr', 'threshold', 'reliability']) {
    const figure = page.locator(`svg[data-figure="${name}"]`);
    assert.equal(await figure.locator('g.x-axis').count(), 1, `${name} has an x axis`);
    assert.equal(await figure.locator('g.y-axis').count(), 1, `${name} has a y axis`);
    const paths = await figure.locator('path.curve').evaluateAll((curves) => curves.map((c) => (c as SVGPathElement).getTotalLength()));
    assert.ok(paths.length >= 1 && paths.every((length) => length > 50), `${name} draws its curves: ${paths.join(', ')}`);
    const box = await figure.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 200, `${name} is laid out: ${JSON.stringify(box)}`);
  }
  assert.equal(await page.locator('svg[data-figure="confusion"] g.cell').count(), 4);
  assert.match((await page.locator('pre.command').textContent()) ?? '', /rnnseq train -o .* --epochs 6 /);
  assert.match((await page.locator('#data + table').textContent()) ?? '', /validSequences\s*200/);

  const note = (await page.locator('svg[data-figure="roc"] text.note').textContent()) ?? '';
  const shown = Number(/^AUC (\d\.\d{3})$/.exec(note)?.[1]);
  const expected = await classifyAuc();
  assert.ok(Math.abs(shown - expected) <= 0.0015, `report AUC ${shown}, classify AUC ${expected}`);
  assert.ok(shown > 0.95, `a planted motif is learned: AUC ${shown}`);

  const screenshot = await page.screenshot({ fullPage: true });
  assert.deepEqual([...screenshot.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  assert.ok(screenshot.readUInt32BE(20) > 2000, `the page is tall: ${screenshot.readUInt32BE(20)} px`);
  writeFileSync(join(work, 'report.png'), screenshot);
  assert.deepEqual(requests, [pathToFileURL(html).href], 'the page loads nothing but itself');
});

test('--svg writes the figure the page shows, --png renders it in Chromium at twice its size', { timeout: 180_000 }, async (t) => {
  const svg = await runCli(['report', run, '--svg', 'roc', '-q']);
  assert.equal(svg.code, 0, svg.stderr);
  const page = readFileSync(join(work, 'report.html'), 'utf8');
  assert.ok(page.includes(svg.stdout.trim()), 'the standalone SVG is the figure in the page');
  assert.match(svg.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="([\d.]+)" height="([\d.]+)"/);
  const [, width, height] = /width="([\d.]+)" height="([\d.]+)"/.exec(svg.stdout)!;

  if (!browserPath(t)) return; // --png renders with Chromium
  const png = join(work, 'roc.png');
  const made = await runCli(['report', run, '--png', 'roc', '-o', png]);
  assert.equal(made.code, 0, made.stderr);
  const data = readFileSync(png);
  assert.equal(data.toString('latin1', 1, 4), 'PNG');
  assert.equal(data.readUInt32BE(16), 2 * Math.ceil(Number(width)));
  assert.equal(data.readUInt32BE(20), 2 * Math.ceil(Number(height)));
  assert.ok(data.length > 5000, `a drawn figure, not a blank page: ${data.length} bytes`);
});

test('a model without validation predictions, or not a classifier, still gets its curves and the reasons', async (t) => {
  const dir = tempDir(t);
  // The shipped model carries its validation predictions: every figure. Without them (models trained before
  // rnnseq wrote them) the report still draws the curves and says why the rest are missing.
  const full = await runCli(['report', 'splice-primate', '-o', join(dir, 'shipped.html')]);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(readFileSync(join(dir, 'shipped.html'), 'utf8').match(/<svg /g)?.length, 7, 'every figure of the shipped model');
  const old = join(dir, 'old-model');
  cpSync(join(repoRoot, 'models', 'splice-primate'), old, { recursive: true });
  rmSync(join(old, 'valid-predictions.tsv'));
  const shipped = await runCli(['report', old, '-o', join(dir, 'old.html')]);
  assert.equal(shipped.code, 0, shipped.stderr);
  const html = readFileSync(join(dir, 'old.html'), 'utf8');
  assert.equal(html.match(/<svg /g)?.length, 2, 'loss and metrics');
  assert.equal(html.match(/class="unavailable" data-figure=/g)?.length, 5);
  assert.match(html, /ROC curve: unavailable: no .*valid-predictions\.tsv/);
  assert.match(html, /rnnseq train -o \S+ --seed 1 \S+train\.fa/, 'the command that made the model');
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script, no link to anywhere');

  const tagger = join(dir, 'tagger');
  cpSync(join(run, 'best'), tagger, { recursive: true });
  const spec = JSON.parse(readFileSync(join(tagger, 'rnnseq.json'), 'utf8')) as { architecture: Record<string, unknown> };
  spec.architecture.task = 'tag';
  writeFileSync(join(tagger, 'rnnseq.json'), JSON.stringify(spec));
  const tagged = await runCli(['report', tagger, '-q']);
  assert.equal(tagged.code, 0, tagged.stderr);
  assert.match(tagged.stdout, /ROC curve: unavailable: the model&apos;s task is &apos;tag&apos;, not classification/);
  assert.match(tagged.stdout, /data-figure="loss"/);

  const refused = await runCli(['report', old, '--svg', 'roc', '-o', join(dir, 'roc.svg')]);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /^rnnseq: --svg roc: the figure is unavailable for \S*old-model: no /);
  assert.ok(!existsSync(join(dir, 'roc.svg')));
});

test('report names what is wrong with a missing model or a foreign predictions file', async (t) => {
  const dir = tempDir(t);
  const missing = await runCli(['report', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope: no such model/);
  const badFigure = await runCli(['report', run, '--svg', 'volcano']);
  assert.equal(badFigure.code, 2);
  assert.match(badFigure.stderr, /volcano/);

  const copy = join(dir, 'copy');
  cpSync(join(run, 'best'), copy, { recursive: true });
  writeFileSync(join(copy, 'valid-predictions.tsv'), 'label\tp_x\tp_y\nx\t0.5\t0.5\n');
  const foreign = await runCli(['report', copy, '-o', join(dir, 'r.html')]);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /valid-predictions\.tsv:1: classes x, y differ from the model's \(background, motif\)/);
  assert.ok(!existsSync(join(dir, 'r.html')), 'no partial report');
  assert.doesNotMatch(foreign.stderr, /\bat .*\.js:\d+/, 'no stack trace');
});

test('explain --motifs draws a sequence logo of each motif it finds: the planted ACG on top', async (t) => {
  const dir = tempDir(t);
  const positives = readFileSync(join(work, 'valid.fa'), 'utf8')
    .split('\n')
    .reduce<string[]>((out, line, i, lines) => {
      if (line.includes('label=motif')) out.push(line, lines[i + 1]!);
      return out;
    }, []);
  writeFileSync(join(dir, 'pos.fa'), `${positives.join('\n')}\n`);
  const explained = await runCli([
    'explain',
    '-m',
    run,
    '--target',
    'motif',
    join(dir, 'pos.fa'),
    '-o',
    join(dir, 'e.tsv'),
    '--motifs',
    '2',
    '--motif-width',
    '6',
    '-q',
  ]);
  assert.equal(explained.code, 0, explained.stderr);
  const logos = readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .sort();
  assert.ok(logos.length >= 1 && logos[0] === 'e.motifs.rnnseq_1.svg', logos.join(', '));
  const svg = readFileSync(join(dir, logos[0]!), 'utf8');
  const meme = readFileSync(join(dir, 'e.motifs.meme'), 'utf8');
  const consensus = /^MOTIF rnnseq_1 (\S+)/m.exec(meme)![1]!;
  assert.match(consensus, /ACG/, 'the model learned the planted motif');
  assert.ok(svg.includes(`rnnseq_1 (${consensus},`), 'the logo is titled with the MEME motif');
  // the tallest columns spell the planted motif: A, C, G, each with its own letter on top
  const columns = [...svg.matchAll(/data-bits="([\d.]+)"(?:\/>|>(.*?)<\/g>)/g)].map((m) => ({
    bits: Number(m[1]),
    top: /data-symbol="(\w)"/.exec([...(m[2] ?? '').matchAll(/<path[^>]*>/g)].at(-1)?.[0] ?? '')?.[1],
  }));
  const start = consensus.indexOf('ACG');
  assert.deepEqual(
    columns.slice(start, start + 3).map((c) => c.top),
    ['A', 'C', 'G'],
  );
  assert.ok(
    columns.slice(start, start + 3).every((c) => c.bits > 1.5),
    JSON.stringify(columns),
  );
});
