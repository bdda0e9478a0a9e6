/** The options of `rnnseq embed`, as its definition (command.ts) parses them. */
import type { EmbedPool } from '../../engine/requests.js';
import type { GenomeRegions } from '../shared/genome-regions.js';
import type { RuntimeOptions } from '../shared/runtime.js';

/** --format: TSV text, or a float32 .npy matrix with an ids table. */
export const EMBED_FORMATS = ['tsv', 'npy'] as const;
/** --rc: average the pooled vectors of both strands, or none. */
export const EMBED_RC = ['average', 'none'] as const;

export interface EmbedCommandOptions extends RuntimeOptions {
  model: string;
  inputs: string[];
  out?: string;
  pool: EmbedPool;
  /** 1-based; undefined: the last layer */
  layer?: number;
  perPosition: boolean;
  format: (typeof EMBED_FORMATS)[number];
  chunkBp: number;
  rc: (typeof EMBED_RC)[number];
  circular: boolean;
  defaultCondition?: string;
  covariates?: string;
  batchSize: number;
  /** a sequence a bidirectional model would need more than this for is refused, naming it */
  maxMemoryBytes: number;
  /** --genome G --regions R.bed: one record per BED line instead of FASTA inputs */
  regions?: GenomeRegions;
}
