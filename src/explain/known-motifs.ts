/**
 * Known motif collections in JASPAR text formats, and naming a discovered motif by its closest known one.
 * Read: the bracketed format (`A [ 3 1 5 ]`, one row per base) and the raw "pfm" format of JASPAR's collection
 * downloads (four rows of bare counts in A C G T order), each matrix after a `>ID NAME` line.
 */
import { readFile } from 'node:fs/promises';
import { dataError, EXIT_USAGE, RnnseqError } from '../errors.js';
import { pfmCorrelation } from './motifs.js';

export interface KnownMotif {
  id: string;
  name: string;
  /** counts[column][symbol], symbols A C G T */
  counts: number[][];
}

export async function readKnownMotifs(file: string): Promise<KnownMotif[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RnnseqError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      EXIT_USAGE,
    );
  }
  return parseKnownMotifs(text, file);
}

export function parseKnownMotifs(text: string, file: string): KnownMotif[] {
  const motifs: KnownMotif[] = [];
  let current: { id: string; name: string; line: number; rows: number[][] } | undefined;
  const finish = () => {
    if (!current) return;
    const { rows, line } = current;
    if (rows.length !== 4) throw dataError({ file, line, record: current.id }, `expected 4 rows (A C G T), got ${rows.length}`);
    const width = rows[0]!.length;
    if (width === 0 || rows.some((r) => r.length !== width))
      throw dataError({ file, line, record: current.id }, 'rows have different lengths');
    motifs.push({ id: current.id, name: current.name, counts: Array.from({ length: width }, (_, c) => rows.map((r) => r[c]!)) });
    current = undefined;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('>')) {
      finish();
      const [id = '', ...name] = line.slice(1).trim().split(/\s+/);
      if (id === '') throw dataError({ file, line: i + 1 }, "motif header has no ID after '>'");
      current = { id, name: name.join(' '), line: i + 1, rows: [] };
      return;
    }
    if (!current) throw dataError({ file, line: i + 1 }, "expected a '>ID NAME' motif header (JASPAR format)");
    const body = line
      .replace(/^[ACGT]\s*\[/, '')
      .replace(/\]$/, '')
      .trim();
    const values = body.split(/\s+/).map(Number);
    if (values.some((v) => !Number.isFinite(v) || v < 0))
      throw dataError({ file, line: i + 1, record: current.id }, `not a row of counts: '${line}'`);
    current.rows.push(values);
  });
  finish();
  if (motifs.length === 0) throw dataError({ file }, 'no motifs (expected JASPAR text: >ID NAME, then 4 rows of counts)');
  return motifs;
}

export interface MotifMatch {
  known: KnownMotif;
  correlation: number;
  /** '-' when the known motif's reverse complement matches better */
  strand: '+' | '-';
}

/** The known motif whose frequencies correlate best with `counts` (A C G T columns), on either strand. */
export function closestKnown(counts: number[][], known: readonly KnownMotif[]): MotifMatch | undefined {
  let best: MotifMatch | undefined;
  for (const motif of known) {
    const reverse = motif.counts
      .slice()
      .reverse()
      .map((column) => column.slice().reverse()); // A C G T reversed is T G C A: the complement
    for (const [strand, matrix] of [
      ['+', motif.counts],
      ['-', reverse],
    ] as const) {
      const correlation = pfmCorrelation(counts, matrix);
      if (!best || correlation > best.correlation) best = { known: motif, correlation, strand };
    }
  }
  return best;
}
