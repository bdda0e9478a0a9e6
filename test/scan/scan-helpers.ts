import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBedLine } from '../../src/io/bed.js';
import { formatBedGraphLine } from '../../src/io/bedgraph.js';
import { readFastaChunks } from '../../src/io/fasta.js';
import { Random } from '../../src/seq/random.js';
import type { Batch } from '../../src/seq/batch.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import type { OwnedStarts } from '../../src/seq/regions.js';
import { byteEncodingTable } from '../../src/seq/windows.js';
import { type ScanSettings, type ScanStats, type WindowScorer, emptyStats, scanChunks } from '../../src/scan/scanner.js';

export function settings(overrides: Partial<ScanSettings> = {}): ScanSettings {
  const dna = getAlphabet('dna');
  return {
    grid: { windowBp: 10, strideBp: 4 },
    batchWindows: 4,
    maxN: 2,
    strand: 'both',
    rcCombine: 'max',
    threshold: 0.5,
    extent: 'window',
    windowScores: true,
    channels: 4,
    encoding: byteEncodingTable(dna),
    ...overrides,
  };
}

/** Turns a batch row back into bases (N for the all-0.25 code), so fake scorers can look at the sequence. */
export function decodeRows(batch: Batch): string[] {
  const rows: string[] = [];
  for (let r = 0; r < batch.batch; r++) {
    let text = '';
    for (let t = 0; t < batch.steps; t++) {
      const at = (r * batch.steps + t) * batch.channels;
      const k = [0, 1, 2, 3].find((c) => batch.x[at + c] === 1);
      text += k === undefined ? (batch.x[at] === 0.25 ? 'N' : '?') : 'ACGT'[k];
    }
    rows.push(text);
  }
  return rows;
}

/** A scorer whose probability depends only on the window's bases (so any batching gives the same answer). */
export function hashScorer(seen?: string[]): WindowScorer {
  return (batch) => {
    const rows = decodeRows(batch);
    seen?.push(...rows);
    return Float32Array.from(rows, (text) => {
      let h = 2166136261;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
      return (h % 1000) / 1000;
    });
  };
}

export function motifScorer(motif: string): WindowScorer {
  return (batch) => Float32Array.from(decodeRows(batch), (text) => (text.includes(motif) ? 0.99 : 0.01));
}

export function randomBases(length: number, seed: number): string {
  const random = new Random(seed);
  return Array.from({ length }, () => 'ACGT'[random.int(4)]).join('');
}

export function writeFasta(dir: string, name: string, records: Array<[string, string]>, lineWidth = 60): string {
  const path = join(dir, name);
  const lines: string[] = [];
  for (const [id, seq] of records) {
    lines.push(`>${id}`);
    for (let i = 0; i < seq.length; i += lineWidth) lines.push(seq.slice(i, i + lineWidth));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Runs the scan pipeline on a FASTA file and returns the BED and bedGraph text it would write. */
export async function scanText(
  file: string,
  scanSettings: ScanSettings,
  scorer: WindowScorer,
  options: { owned?: OwnedStarts; chunkBp?: number } = {},
): Promise<{ bed: string; bedgraph: string; stats: ScanStats }> {
  const stats = emptyStats();
  let bed = '';
  let bedgraph = '';
  const chunks = readFastaChunks(file, { chunkBp: options.chunkBp ?? 1 << 20 });
  for await (const event of scanChunks(chunks, options.owned, scanSettings, scorer, stats, file)) {
    for (const r of event.regions) {
      bed += formatBedLine(
        { chrom: event.chrom, start: r.start, end: r.end, name: 'hit', score: Math.round(r.maxProb * 1000), strand: '.' },
        [r.maxProb.toFixed(4), (r.sumProb / r.windows).toFixed(4), String(r.windows)],
      );
    }
    for (const b of event.bins) bedgraph += formatBedGraphLine(event.chrom, b.start, b.end, b.prob);
  }
  return { bed, bedgraph, stats };
}
