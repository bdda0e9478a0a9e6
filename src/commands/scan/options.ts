/** The options of `rnnseq scan`, as its definition (command.ts) parses them, for window scanners and taggers alike. */
import type { CallExtent } from '../../scan/scanner.js';
import type { GenomeInterval, Shard } from '../../seq/regions.js';
import type { RcCombine, StrandMode } from '../../seq/strands.js';
import type { RuntimeOptions } from '../shared/runtime.js';

/** how calls are written: BED6 + max_prob, mean_prob, windows, p, q; or ENCODE narrowPeak (BED6 + 4) */
export const SCAN_FORMATS = ['bed', 'narrowpeak'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export interface ScanOptions extends RuntimeOptions {
  model: string;
  input: string;
  out?: string;
  bedgraph?: string;
  /** the track as bigWig (written from the same bins as --bedgraph) */
  bigwig?: string;
  /** calls as BED6+3 (default) or narrowPeak (BED6+4) */
  format?: ScanFormat;
  /** SVG of call density along each sequence */
  summary?: string;
  /** defaults come from the model: a quarter window, its strand / rcCombine / threshold, 10% N */
  strideBp?: number;
  strand?: StrandMode;
  rcCombine?: RcCombine;
  extent?: CallExtent;
  maxN?: number;
  threshold?: number;
  /** call at this false-discovery rate (default 0.05 when the model stores a null and no --threshold is given) */
  fdr?: number;
  /** scan --gather: make --fdr calls from these candidate files (the parts' outputs) instead of scanning */
  gather?: string[];
  positiveClass?: string;
  regions: GenomeInterval[];
  shard?: Shard;
  batchSize: number;
  /** every sequence circular (else those tagged topology=circular) */
  circular?: boolean;
  /** taggers: bedGraph bin width; runs joined across gaps this short; runs shorter than this dropped */
  binBp?: number;
  mergeGapBp?: number;
  minRunBp?: number;
}
