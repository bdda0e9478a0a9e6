/**
 * A run's per-epoch history, from metrics.tsv (every epoch of the run) or, for a lone checkpoint, from the
 * history rnnseq.json carries (the epochs up to that checkpoint). Columns a future trainer adds are kept; missing
 * ones read as NaN, so an older or a non-classifier run still draws what it has.
 */
import { dataError } from '../errors.js';

export type EpochRecord = Record<string, number> & { epoch: number };

export function parseMetricsTsv(textContent: string, source: string): EpochRecord[] {
  const lines = textContent
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '');
  const header = (lines[0] ?? '').split('\t');
  if (!header.includes('epoch')) throw dataError({ file: source, line: 1 }, "header has no 'epoch' column: not an rnnseq metrics.tsv");
  return lines.slice(1).map((lineText, i) => {
    const fields = lineText.split('\t');
    if (fields.length !== header.length)
      throw dataError({ file: source, line: i + 2 }, `expected ${header.length} tab-separated fields, found ${fields.length}`);
    const record: Record<string, number> = {};
    header.forEach((column, c) => (record[column] = parseField(fields[c]!)));
    if (!Number.isInteger(record.epoch))
      throw dataError({ file: source, line: i + 2 }, `epoch must be an integer, got '${fields[header.indexOf('epoch')]}'`);
    return record as EpochRecord;
  });
}

/** history from rnnseq.json: training.state.history, or [] when the checkpoint has none. */
export function historyFromSpec(spec: Record<string, unknown>): EpochRecord[] {
  const training = spec.training as { state?: { history?: unknown } } | undefined;
  const history = training?.state?.history;
  if (!Array.isArray(history)) return [];
  return history
    .filter(
      (entry): entry is Record<string, unknown> =>
        typeof entry === 'object' && entry !== null && Number.isInteger((entry as { epoch?: unknown }).epoch),
    )
    .map((entry) => Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, toNumber(value)])) as EpochRecord);
}

function parseField(field: string): number {
  if (field === 'true') return 1;
  if (field === 'false') return 0;
  return field === '' ? Number.NaN : Number(field);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'string' ? parseField(value) : Number.NaN;
}

/** The values of one column, NaN where an epoch lacks it. */
export function column(history: readonly EpochRecord[], name: string): Array<[number, number]> {
  return history.map((record) => [record.epoch, record[name] ?? Number.NaN]);
}

export function hasColumn(history: readonly EpochRecord[], name: string): boolean {
  return history.some((record) => Number.isFinite(record[name]));
}
