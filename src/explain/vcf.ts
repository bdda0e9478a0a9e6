/**
 * Just enough VCF for variant-effect scoring: the header is kept verbatim, each record's columns are split, SNV
 * alleles are recognised, and an INFO field is added on the way back out. Coordinates: VCF POS is 1-based; the
 * `position` here is 0-based, as everywhere else in rnnseq.
 */
import { dataError } from '../errors.js';

export interface VcfRecord {
  /** 1-based line in the file, for messages */
  line: number;
  fields: string[];
  chrom: string;
  /** 0-based */
  position: number;
  ref: string;
  alts: string[];
}

export interface Vcf {
  /** `##` meta lines, verbatim */
  meta: string[];
  /** the `#CHROM ...` line */
  columns: string;
  records: VcfRecord[];
}

export function parseVcf(text: string, file: string): Vcf {
  const meta: string[] = [];
  let columns: string | undefined;
  const records: VcfRecord[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const where = { file, line: i + 1 };
    if (line.startsWith('##')) {
      if (columns !== undefined) throw dataError(where, "a '##' meta line after the #CHROM header line");
      meta.push(line);
      return;
    }
    if (line.startsWith('#')) {
      if (!line.startsWith('#CHROM'))
        throw dataError(where, `expected the '#CHROM POS ID REF ALT ...' header line, got '${line.slice(0, 40)}'`);
      columns = line;
      return;
    }
    if (line.trim() === '') return;
    if (columns === undefined) throw dataError(where, "no '#CHROM' header line before the first record (not a VCF?)");
    const fields = line.split('\t');
    if (fields.length < 8) throw dataError(where, `a VCF record has at least 8 tab-separated columns, this line has ${fields.length}`);
    // Digits only: Number() would also take '1e3', ' 12' or '0x10', which no VCF writer means as a position.
    const pos = /^[0-9]+$/.test(fields[1]!) ? Number(fields[1]) : NaN;
    if (!Number.isSafeInteger(pos) || pos < 1) throw dataError(where, `POS must be a positive integer, got '${fields[1]}'`);
    records.push({
      line: i + 1,
      fields,
      chrom: fields[0]!,
      position: pos - 1,
      ref: fields[3]!.toUpperCase(),
      alts: fields[4]!.toUpperCase().split(','),
    });
  });
  if (columns === undefined) throw dataError({ file }, "no '#CHROM' header line (not a VCF?)");
  return { meta, columns, records };
}

/** A single-base substitution (not '.', '*', <DEL> or an indel). */
export function isSnv(ref: string, alt: string): boolean {
  return ref.length === 1 && alt.length === 1 && /^[ACGT]$/.test(ref) && /^[ACGT]$/.test(alt) && ref !== alt;
}

/** The record with `key=value` added to INFO (replacing a '.' INFO, or an earlier value of the same key). */
export function withInfo(record: VcfRecord, key: string, value: string): string {
  const fields = record.fields.slice();
  const kept = fields[7] === '.' || fields[7] === '' ? [] : fields[7]!.split(';').filter((entry) => entry.split('=')[0] !== key);
  fields[7] = [...kept, `${key}=${value}`].join(';');
  return fields.join('\t');
}
