import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { EXIT_DATA, RnnseqError, dataError } from '../errors.js';

/**
 * A TSV keyed by sequence id with numeric columns: regression targets (`--targets`) and covariates
 * (`--covariates`). The first line is a header (`id` then column names); '#' lines and blank lines are skipped.
 */
export interface IdTable {
  file: string;
  columns: string[];
  rows: Map<string, Float32Array>;
}

export async function readIdTable(file: string): Promise<IdTable> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RnnseqError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a TSV file' : (error as Error).message}`,
      EXIT_DATA,
    );
  }
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split(/\r?\n/);
  let columns: string[] | undefined;
  const rows = new Map<string, Float32Array>();
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fields = line.split('\t');
    const where = { file, line: index + 1 };
    if (!columns) {
      if (fields.length < 2) throw dataError(where, 'expected a header line: id, then one or more column names, tab-separated');
      columns = fields.slice(1);
      return;
    }
    if (fields.length !== columns.length + 1)
      throw dataError(where, `expected ${columns.length + 1} tab-separated fields (id, ${columns.join(', ')}), got ${fields.length}`);
    const id = fields[0]!;
    if (rows.has(id)) throw dataError(where, `id '${id}' appears twice`);
    rows.set(
      id,
      Float32Array.from(fields.slice(1), (field, i) => {
        const value = Number(field);
        if (field.trim() === '' || !Number.isFinite(value))
          throw dataError(where, `column '${columns![i]}' of '${id}' is '${field}', not a finite number`);
        return value;
      }),
    );
  });
  if (!columns) throw new RnnseqError(`${file}: empty: expected a header line and one row per sequence id`, EXIT_DATA);
  return { file, columns, rows };
}

/** The row of a record, or an error naming both the table and the record. */
export function rowFor(table: IdTable, record: { id: string; file: string; line: number }): Float32Array {
  const row = table.rows.get(record.id);
  if (!row) throw dataError({ file: record.file, line: record.line, record: record.id }, `no row for this id in ${table.file}`);
  return row;
}

/** An id table not yet read: `name` is its path for messages; `read` parses it. */
export interface IdTableInput {
  name: string;
  read(): Promise<IdTable>;
}

export function idTableInput(file: string): IdTableInput {
  return { name: file, read: () => readIdTable(file) };
}
