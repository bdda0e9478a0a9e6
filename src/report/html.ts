/**
 * The report page: one HTML file that opens anywhere, offline and forever. Figures are inline SVG, styles are
 * inline, there is no script, and a Content-Security-Policy forbids every network load, so the page cannot
 * fetch a font or a library even if a later edit tried to.
 */
import { type FigureName, type FigureSet, type ReportInput, bestEpochOf, modelTask } from './figures.js';
import { escapeXml } from './svg.js';

const CSS = `
body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1300px; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.meta { color: #555; margin-top: 0; }
pre.command { background: #f4f4f4; padding: 0.8em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; font-size: 0.92em; }
th { background: #f4f4f4; font-weight: normal; color: #333; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } figure svg { max-width: 100%; height: auto; }
.unavailable { color: #8a5a00; background: #fff8e5; padding: 0.4em 0.8em; border-left: 3px solid #e69f00; }
`;

const FIGURE_ORDER: Record<'training' | 'validation', FigureName[]> = {
  training: ['loss', 'metrics'],
  validation: ['roc', 'pr', 'confusion', 'threshold', 'reliability'],
};

export function renderReportHtml(input: ReportInput, set: FigureSet): string {
  const spec = input.spec;
  const name = modelName(input);
  const training = (spec.training ?? {}) as Record<string, unknown>;
  const command = typeof training.command === 'string' ? training.command : undefined;
  const parts: string[] = [];
  parts.push(`<h1>rnnseq model report: ${escapeXml(name)}</h1>`);
  parts.push(
    `<p class="meta">checkpoint ${escapeXml(input.checkpointDir)}, written by rnnseq ${escapeXml(String(spec.rnnseqVersion ?? '?'))}` +
      (typeof spec.createdAt === 'string' ? ` on ${escapeXml(spec.createdAt)}` : '') +
      `; history from ${escapeXml(input.historySource)}</p>`,
  );
  parts.push('<h2 id="command">Command</h2>');
  parts.push(
    command
      ? `<pre class="command">${escapeXml(command)}</pre>`
      : '<p class="unavailable">the checkpoint does not record the command that trained it</p>',
  );
  parts.push('<h2 id="summary">Model</h2>', keyValueTable(modelSummary(spec)));
  if (isRecord(training.config)) parts.push('<h3>Training options</h3>', keyValueTable(training.config));
  if (isRecord(spec.data)) parts.push('<h2 id="data">Data</h2>', keyValueTable(spec.data));
  if (isRecord(spec.window)) parts.push('<h2 id="window">Scanner window and threshold</h2>', keyValueTable(spec.window));
  parts.push('<h2 id="training">Training curves</h2>', figureSection(set, FIGURE_ORDER.training));
  parts.push('<h2 id="validation">Validation</h2>', figureSection(set, FIGURE_ORDER.validation));
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n` +
    `<meta name="generator" content="rnnseq report">\n<title>rnnseq report: ${escapeXml(name)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    parts.join('\n') +
    '\n</body>\n</html>\n'
  );
}

function modelName(input: ReportInput): string {
  return input.source.replace(/\/+$/, '') || input.source;
}

function figureSection(set: FigureSet, names: readonly FigureName[]): string {
  const figures = names
    .filter((name) => set.figures.has(name))
    .map((name) => {
      const figure = set.figures.get(name)!;
      return `<figure id="figure-${name}">${figure.svg}</figure>`;
    });
  const missing = names
    .filter((name) => set.unavailable.has(name))
    .map(
      (name) =>
        `<p class="unavailable" data-figure="${name}">${escapeXml(FIGURE_TITLES[name])}: unavailable: ${escapeXml(set.unavailable.get(name)!)}</p>`,
    );
  return (figures.length > 0 ? `<div class="figures">${figures.join('\n')}</div>\n` : '') + missing.join('\n');
}

const FIGURE_TITLES: Record<FigureName, string> = {
  loss: 'loss per epoch',
  metrics: 'metrics per epoch',
  roc: 'ROC curve',
  pr: 'precision-recall curve',
  confusion: 'confusion matrix',
  threshold: 'decision threshold',
  reliability: 'reliability (calibration)',
};

function modelSummary(spec: Record<string, unknown>): Record<string, unknown> {
  const metrics = isRecord(spec.metrics) ? spec.metrics : {};
  return {
    task: modelTask(spec),
    alphabet: spec.alphabet,
    classes: Array.isArray(spec.classes) ? spec.classes.join(', ') : spec.classes,
    'input length': spec.inputLength ?? 'variable (padded and masked)',
    architecture: spec.architecture,
    'best epoch': bestEpochOf(spec),
    'validation at best epoch': pick(metrics, ['validLoss', 'validAccuracy', 'validAuroc']),
    ...(isRecord(metrics.ensemble)
      ? {
          // train --ensemble: the numbers above are the first member's; the model that predicts is the average
          'ensemble at validation': pick(metrics.ensemble, ['members', 'validLoss', 'validAccuracy', 'validAuroc', 'memberValidMetric']),
        }
      : {}),
    'k-mer baseline at validation': baselineSummary(spec),
    ...refitSummary(spec),
    'trained on': `backend ${String(spec.backend ?? '?')}, engine ${String(spec.engine ?? '?')}`,
  };
}

/** train's refit (commands/train/refit.ts): what the model trained on, and whose validation numbers it shows. */
function refitSummary(spec: Record<string, unknown>): Record<string, unknown> {
  const training = isRecord(spec.training) ? spec.training : {};
  if (!isRecord(training.refit)) return {};
  const sequences = isRecord(spec.data) ? spec.data.trainSequences : undefined;
  return {
    refit: `trained again on all ${String(sequences ?? '?')} labelled sequences (validation included) for ${String(training.refit.epochs)} epochs; the validation numbers are the held-out model's (${String(training.refit.heldOut)}/)`,
  };
}

/** The k-mer baseline train fitted on the same split (data.baseline), as one line; undefined for older runs. */
function baselineSummary(spec: Record<string, unknown>): string | undefined {
  const baseline = isRecord(spec.data) && isRecord(spec.data.baseline) ? spec.data.baseline : undefined;
  if (!baseline || typeof baseline.validMetric !== 'number') return undefined;
  const metric = baseline.metric === 'auroc' ? 'validAuroc' : 'validAccuracy';
  return `${metric} ${baseline.validMetric.toFixed(4)} (${String(baseline.description)})`;
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in record).map((k) => [k, record[k]]));
}

/** Nested objects become nested tables; arrays of scalars a comma list; numbers are shown to 4 significant digits. */
export function keyValueTable(record: Record<string, unknown>): string {
  const rows = Object.entries(record)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `<tr><th>${escapeXml(key)}</th><td>${formatValue(value)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number')
    return escapeXml(
      Number.isInteger(value) ? String(value) : Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value),
    );
  if (Array.isArray(value))
    return value.every((v) => !isRecord(v) && !Array.isArray(v)) ? value.map(formatValue).join(', ') : value.map(formatValue).join('<br>');
  if (isRecord(value)) return Object.keys(value).length === 0 ? '' : keyValueTable(value);
  return escapeXml(String(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
