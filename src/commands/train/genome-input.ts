import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { bedInput } from '../../io/bed.js';
import { type GenomeSource, firstBases, loadFastaGenome } from '../../io/genome-source.js';
import type { Logger } from '../../log.js';
import { type Alphabet, type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import { detectGenomeAlphabet } from '../../seq/genome.js';
import { type GenomeSplit, regionsOnGenome } from '../../seq/genome-training.js';
import type { GenomeInterval } from '../../seq/regions.js';

/** First bases looked at to detect a genome's alphabet (--alphabet auto). */
const DETECTION_BP = 100_000;

/**
 * The genome of train --genome or --task tag, read whole once its alphabet is settled (detected from its first
 * bases unless given), so every character is checked against it. `whyNucleotides` ends the message when the
 * genome is protein.
 */
export async function openTrainingGenome(
  file: string,
  requested: AlphabetName | 'auto',
  whyNucleotides: string,
): Promise<{ genome: GenomeSource; alphabet: Alphabet }> {
  const alphabet = requested === 'auto' ? getAlphabet(detectGenomeAlphabet(await firstBases(file, DETECTION_BP))) : getAlphabet(requested);
  if (alphabet.name === 'protein') throw new RnnseqError(`--genome ${file}: ${whyNucleotides}; give --alphabet dna`, EXIT_USAGE);
  return { genome: await loadFastaGenome(file, { allowed: alphabet.allowed, alphabetLabel: alphabet.label }), alphabet };
}

/**
 * The split options with every --exclude BED's intervals added to --exclude-region's, read against the open
 * genome. A line on a sequence the genome lacks is skipped with a warning (a blacklist lists chrY, chrM and
 * unplaced contigs whether the genome has them or not); a line past its sequence's end is an error naming file
 * and line (the BED is for another assembly).
 */
export async function withExcludedBeds<T extends GenomeSplit & { excludeBeds: string[] }>(
  options: T,
  genome: GenomeSource,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<T> {
  if (options.excludeBeds.length === 0) return options;
  const excluded: GenomeInterval[] = [];
  for (const file of options.excludeBeds) {
    const records = await regionsOnGenome(bedInput(file), genome, log);
    for (const r of records) excluded.push({ chrom: r.chrom, start: r.start, end: r.end });
    log.info(`--exclude ${file}: ${records.length} interval${records.length === 1 ? '' : 's'} kept out of every window`);
  }
  return { ...options, excludeRegions: [...options.excludeRegions, ...excluded] };
}
