/** The results as a TSV of every point and a README-ready markdown table of mean ± sd per task x size x method. */
import type { ResultRow } from './result.js';
import type { BenchTask } from './tasks.js';

const TSV_COLUMNS: Array<keyof ResultRow> = [
  'task',
  'size',
  'full',
  'seed',
  'method',
  'flags',
  'metricName',
  'status',
  'metric',
  'trainSeconds',
  'predictSeconds',
  'threads',
  'detail',
];

export function resultsTsv(rows: readonly ResultRow[]): string {
  const cell = (v: unknown) =>
    v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v).replace(/[\t\n]/g, ' ');
  return `${[TSV_COLUMNS.join('\t'), ...rows.map((r) => TSV_COLUMNS.map((c) => cell(r[c])).join('\t'))].join('\n')}\n`;
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(1)} s` : s < 600 ? `${Math.round(s)} s` : `${(s / 60).toFixed(0)} min`;
}

/**
 * One table: a row per task and training size, a column per method (recipe columns first), each cell
 * "mean ± sd (training time)"; the best mean of a row in bold; published results on the same split beside the
 * full-size rows. Failed or skipped points are counted under the table, never averaged in.
 */
export function resultsMarkdown(rows: readonly ResultRow[], tasks: readonly BenchTask[], methods: readonly string[]): string {
  // A full point's size can differ between seeds (a redrawn hold-out): full points share a row, whatever their size.
  const keys: Array<{ task: BenchTask; size: number; full: boolean }> = [];
  for (const task of tasks) {
    const ofTask = rows.filter((r) => r.task === task.name);
    for (const size of [...new Set(ofTask.filter((r) => !r.full).map((r) => r.size))].sort((a, b) => a - b))
      keys.push({ task, size, full: false });
    if (ofTask.some((r) => r.full)) keys.push({ task, size: -1, full: true });
  }
  const inRow = (r: ResultRow, key: { task: BenchTask; size: number; full: boolean }) =>
    r.task === key.task.name && r.full === key.full && (key.full || r.size === key.size);
  const header = ['task', 'metric', 'train n', ...methods, 'published (same split)'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const problems: string[] = [];
  for (const key of keys) {
    const { task, full } = key;
    const sizes = [...new Set(rows.filter((r) => inRow(r, key)).map((r) => r.size))].sort((a, b) => a - b);
    const size = sizes.length === 1 ? String(sizes[0]) : `${sizes[0]}-${sizes[sizes.length - 1]}`;
    const cells: string[] = [];
    const means: number[] = [];
    for (const method of methods) {
      const points = rows.filter((r) => inRow(r, key) && r.method === method);
      const good = points.filter((r) => r.status === 'ok' && r.metric !== undefined && !Number.isNaN(r.metric));
      for (const bad of points.filter((r) => r.status === 'failed'))
        problems.push(`${task.name} n=${size} seed ${bad.seed} ${method}: ${bad.detail ?? 'failed'}`);
      if (good.length === 0) {
        cells.push('–');
        means.push(-Infinity);
        continue;
      }
      const { mean, sd } = meanSd(good.map((r) => r.metric!));
      const time = meanSd(good.map((r) => r.trainSeconds ?? 0)).mean;
      cells.push(
        `${mean.toFixed(3)} ± ${sd.toFixed(3)} (${seconds(time)})${good.length < points.length ? ` [${good.length}/${points.length}]` : ''}`,
      );
      means.push(Number(mean.toFixed(3)));
    }
    const top = Math.max(...means);
    const shown = cells.map((c, i) => (means[i] === top && top > -Infinity ? `**${c.replace(/ \(/, '** (')}` : c));
    const published = full && task.published ? task.published.map((p) => `${p.name} ${p.value}`).join('; ') : '';
    lines.push(
      `| ${task.name} | ${task.metric === 'auroc' ? 'AUROC' : 'accuracy'} | ${full ? `full (${size})` : size} | ${shown.join(' | ')} | ${published} |`,
    );
  }
  const notes = problems.length > 0 ? `\n\nFailed points (not averaged):\n${problems.map((p) => `- ${p}`).join('\n')}` : '';
  return `${lines.join('\n')}\n${notes}\n`;
}
