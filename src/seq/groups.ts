import { EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import { headerTag } from './labels.js';

/**
 * Which group (tree leaf) a FASTA record belongs to: its own id (one leaf per record), a header tag
 * (species=Homo_sapiens), the one capture group of a regex on the id, or the file it came from.
 */
export type GroupRule = { kind: 'record' } | { kind: 'tag'; key: string } | { kind: 'regex'; pattern: RegExp } | { kind: 'files' };

/** A FASTA input; `group` is set for --group NAME=FILE inputs. */
export interface GroupSource {
  file: string;
  group?: string;
}

export interface RecordPlace {
  id: string;
  description: string;
  line: number;
}

export function groupOf(record: RecordPlace, source: GroupSource, rule: GroupRule): string {
  const where = { file: source.file, line: record.line, record: record.id };
  switch (rule.kind) {
    case 'record':
      return record.id;
    case 'files':
      return source.group!;
    case 'tag': {
      const value = headerTag(record.description, rule.key);
      if (value === undefined || value === '') {
        throw dataError(
          where,
          `no '${rule.key}=' tag in the header, so the record is in no group (tag every record, or use --group-regex)`,
        );
      }
      return value;
    }
    case 'regex': {
      const match = rule.pattern.exec(record.id);
      if (match === null)
        throw dataError(where, `the id does not match --group-regex ${rule.pattern.source}, so the record is in no group`);
      const name = match[1];
      if (name === undefined || name === '') throw dataError(where, `--group-regex ${rule.pattern.source} captured nothing from the id`);
      return name;
    }
  }
}

/** `--group NAME=FILE` (repeatable); a name given twice collects all its files. */
export function parseGroupFiles(specs: readonly string[]): GroupSource[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new RnnseqError(`--group must look like NAME=FILE, got '${spec}'`, EXIT_USAGE);
    const group = spec.slice(0, eq);
    if (/[\t\n\r]/.test(group)) throw new RnnseqError(`--group name '${group}' contains a tab or line break`, EXIT_USAGE);
    return { group, file: spec.slice(eq + 1) };
  });
}

/** Compiles --group-regex and insists on exactly one capture group, the group name. */
export function compileGroupRegex(source: string): RegExp {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch (error) {
    throw new RnnseqError(`--group-regex '${source}' is not a valid regular expression: ${(error as Error).message}`, EXIT_USAGE);
  }
  // A regex that also matches the empty string reports how many groups it has.
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups !== 1) {
    throw new RnnseqError(
      `--group-regex needs exactly one capture group (the group name), '${source}' has ${groups}; e.g. '^([^_]+)_'`,
      EXIT_USAGE,
    );
  }
  return pattern;
}
