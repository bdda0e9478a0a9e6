import { EXIT_DATA, RnnseqError, dataError } from '../errors.js';
import type { IdTable } from '../io/id-table.js';
import { rowFor } from '../io/id-table.js';
import { headerTag } from './labels.js';

/** What a conditioned model knows about its context: see Architecture. */
export interface ContextModel {
  conditions?: string[];
  conditionTag?: string;
  covariates?: string[];
  covariateScaling?: { mean: number[]; std: number[] };
}

export interface RecordRef {
  id: string;
  description: string;
  file: string;
  line: number;
}

/**
 * The condition index of a record: its header tag, else the fallback (--default-condition). An unknown or
 * missing condition is an error naming the ones the model knows, never a silent guess.
 */
export function conditionIndex(model: ContextModel, record: RecordRef, fallback?: string): number {
  const conditions = model.conditions ?? [];
  const tag = model.conditionTag ?? 'condition';
  const value = headerTag(record.description, tag) ?? fallback;
  const where = { file: record.file, line: record.line, record: record.id };
  if (value === undefined)
    throw dataError(
      where,
      `no '${tag}=' tag in the header; the model needs one of: ${conditions.join(', ')} (or give --default-condition)`,
    );
  const index = conditions.indexOf(value);
  if (index < 0) throw dataError(where, `condition '${value}' is not one the model was trained on (${conditions.join(', ')})`);
  return index;
}

/** Distinct condition values of the training records, sorted so indices never depend on file order. */
export function collectConditions(records: readonly RecordRef[], tag: string): string[] {
  const seen = new Set<string>();
  for (const record of records) {
    const value = headerTag(record.description, tag);
    if (value === undefined || value === '')
      throw dataError(
        { file: record.file, line: record.line, record: record.id },
        `no '${tag}=' tag in the header (--condition-tag ${tag})`,
      );
    seen.add(value);
  }
  if (seen.size < 2)
    throw new RnnseqError(
      `--condition-tag ${tag}: every record has the same condition '${[...seen][0]}'; a conditioned model needs at least two`,
      EXIT_DATA,
    );
  return [...seen].sort();
}

/** Mean and std of each covariate column over the training records (std 1 for a constant column). */
export function covariateScaling(table: IdTable, records: readonly RecordRef[]): { mean: number[]; std: number[] } {
  const width = table.columns.length;
  const mean = new Array<number>(width).fill(0);
  const square = new Array<number>(width).fill(0);
  for (const record of records) {
    const row = rowFor(table, record);
    for (let k = 0; k < width; k++) {
      mean[k]! += row[k]!;
      square[k]! += row[k]! ** 2;
    }
  }
  const n = Math.max(records.length, 1);
  const std = mean.map((sum, k) => {
    const variance = square[k]! / n - (sum / n) ** 2;
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { mean: mean.map((sum) => sum / n), std };
}

/** A record's covariates, standardised as in training; the table must have every column the model was trained on. */
export function scaledCovariates(model: ContextModel, table: IdTable, record: RecordRef): Float32Array {
  const columns = model.covariates ?? [];
  const positions = columns.map((name) => {
    const at = table.columns.indexOf(name);
    if (at < 0) throw new RnnseqError(`${table.file}: no column '${name}'; the model needs ${columns.join(', ')}`, EXIT_DATA);
    return at;
  });
  const row = rowFor(table, record);
  const { mean, std } = model.covariateScaling!;
  return Float32Array.from(positions, (at, k) => (row[at]! - mean[k]!) / std[k]!);
}
