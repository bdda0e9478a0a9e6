/** The options of `rnnseq classify`, as its definition (command.ts) parses them. */
import type { Orientation } from '../../seq/orientation.js';
import type { GenomeRegions } from '../shared/genome-regions.js';
import type { RuntimeOptions } from '../shared/runtime.js';

/** How --rc combines a sequence's prediction with its reverse complement's. */
export const RC_MODES = ['none', 'average', 'max'] as const;
export type RcMode = (typeof RC_MODES)[number];

export interface ClassifyOptions extends RuntimeOptions {
  model: string;
  inputs: string[];
  out?: string;
  batchSize: number;
  /** a sequence that would need more than this to read whole is refused, naming it */
  maxMemoryBytes: number;
  /** condition for records without the model's condition tag */
  defaultCondition?: string;
  /** TSV of covariates by record id, for models that start from covariates */
  covariates?: string;
  /** show the model every sequence reversed and/or complemented (both: the reverse complement) */
  orientation: Orientation;
  rc: RcMode;
  /** every record is circular (records with topology=circular in the header are, regardless) */
  circular: boolean;
  /** --genome G --regions R.bed: one record per BED line instead of FASTA inputs */
  regions?: GenomeRegions;
}
