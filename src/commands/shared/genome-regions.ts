/**
 * --genome G --regions R.bed for the commands that read records (classify, embed, explain): the two flags,
 * defined once, and their check at the edge. Reading them is src/commands/shared/record-input.ts.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';

/** --genome G --regions R.bed, as the commands' options carry them. */
export interface GenomeRegions {
  genome: string;
  regions: string;
}

export const GENOME_REGIONS_HELP = `--genome G --regions R.bed reads one record per BED line instead of FASTA: the bases [start, end) of the
genome (FASTA, .gz allowed; .2bit; or FASTA / bgzip FASTA with a samtools .fai, read region by region), reverse-
complemented where column 6 is '-'. Rows start with the BED's chrom, start, end and name instead of id; a line
without a name is named CHROM:START-END, with (+) or (-) when it has a strand (as bedtools getfasta names it).`;

export const REGIONS_FLAG_HELP = 'with --genome: read one record per line of this BED (strand from column 6) instead of FASTA inputs';

export function withGenomeRegions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  genomeHelp = 'with --regions: the genome (FASTA, .gz allowed; .2bit; FASTA or bgzip FASTA with a samtools .fai)',
) {
  return command.option('--genome <genome>', genomeHelp).option('--regions <bed>', REGIONS_FLAG_HELP);
}

/** Validates --genome and --regions of a command that otherwise reads FASTA inputs (given as `inputs`). */
export function parseGenomeRegions(inputs: readonly string[], raw: { genome?: string; regions?: string }): GenomeRegions | undefined {
  if (raw.genome === undefined && raw.regions === undefined) return undefined;
  if (raw.regions === undefined) throw new RnnseqError('--genome needs --regions BED: the regions of the genome to read', EXIT_USAGE);
  if (raw.genome === undefined) throw new RnnseqError('--regions needs --genome: the genome the BED coordinates refer to', EXIT_USAGE);
  if (!(inputs.length === 1 && inputs[0] === '-'))
    throw new RnnseqError('--regions reads its records from --genome; give no FASTA inputs with it', EXIT_USAGE);
  if (raw.genome === '-') throw new RnnseqError('--genome must be a file, not stdin', EXIT_USAGE);
  return { genome: raw.genome, regions: raw.regions };
}

/** The same, as the options field classify and embed spread in: `{ regions }` or nothing. */
export function parseRegionsOption(inputs: readonly string[], raw: { genome?: string; regions?: string }): { regions?: GenomeRegions } {
  const regions = parseGenomeRegions(inputs, raw);
  return regions === undefined ? {} : { regions };
}
