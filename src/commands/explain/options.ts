/** The options of `rnnseq explain`, as its definition (command.ts) parses them. */
import type { GenomeInterval } from '../../seq/regions.js';
import type { GenomeRegions } from '../shared/genome-regions.js';
import type { RuntimeOptions } from '../shared/runtime.js';

export interface ExplainOptions extends RuntimeOptions {
  model: string;
  inputs: string[];
  out?: string;
  /** Class whose probability is explained; default: a scanner's positive class. */
  target?: string;
  /** Variants per predict call. */
  batchSize: number;
  /** Write the top `motifs` motifs to `${motifPrefix}.meme` and `.jaspar`. */
  motifs?: { count: number; prefix: string; width: number; compare?: string };
  /** Score the SNVs of a VCF against a genome instead of mutating FASTA records. */
  vcf?: { file: string; genome: string; windowBp?: number };
  /** Gradient × input per position instead of mutagenesis. */
  saliency?: boolean;
  /** Mutate every base of these regions of a genome instead of FASTA records. */
  regions?: { genome: string; regions: GenomeInterval[]; bedgraph?: string; windowBp?: number };
  /** --genome G --regions R.bed: one record per BED line instead of FASTA inputs (mutagenesis, saliency, motifs) */
  genomeRegions?: GenomeRegions;
}
