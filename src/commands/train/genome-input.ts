import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { type GenomeSource, firstBases, loadFastaGenome } from '../../io/genome-source.js';
import { type Alphabet, type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import { detectGenomeAlphabet } from '../../seq/genome.js';

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
