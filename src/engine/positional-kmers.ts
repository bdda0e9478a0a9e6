/**
 * Does where a k-mer sits in the sequence carry signal beyond which k-mers occur? The recipe asks before it gives
 * a convolutional model a learned bias per position: such a bias helps aligned inputs (splice junctions at the
 * centre, CLIP sites centred in their window) and costs a model meant to find an element anywhere in a window,
 * as `scan --class` does (a repeat family 300 bp long in 300 bp windows: 13 of 20 held-out copies called at FDR
 * 0.05 without the bias, 7 with it).
 *
 * The test: the k-mer baseline's chosen k-mers, counted once over the whole sequence and once in each of a few
 * equal bins (the same features per bin, side by side), each fitted along the same penalty path. Position
 * matters when the binned model reaches the lower validation loss. Loss, not AUROC or accuracy, because it is
 * smooth on the small validation sets this is for.
 */
import type { Alphabet } from '../seq/alphabet.js';
import { type KmerSpec, type SymbolCodes, symbolCodesOfEncoded } from '../seq/kmer-counts.js';
import { type LabelledEncoded, bestValidLoss } from './kmer-baseline.js';
import { binnedFeatures, kmerFeatures } from './kmer-features.js';

export const POSITION_BINS = 3;

export interface PositionTest {
  bins: number;
  /** the best validation log loss over the penalty path, k-mers of the whole sequence */
  wholeLoss: number;
  /** the same with k-mers counted per bin */
  binnedLoss: number;
  positional: boolean;
}

export function positionalSignal(
  train: LabelledEncoded,
  valid: LabelledEncoded,
  alphabet: Alphabet,
  spec: KmerSpec,
  numClasses: number,
  bins = POSITION_BINS,
): PositionTest {
  const codes = (set: LabelledEncoded) => set.items.map((item) => symbolCodesOfEncoded(item, alphabet.size));
  const trainCodes = codes(train);
  const validCodes = codes(valid);
  const whole = (c: SymbolCodes[]) => kmerFeatures(c, spec, alphabet.size);
  const binned = (c: SymbolCodes[]) => binnedFeatures(c, spec, alphabet.size, bins);
  const wholeLoss = bestValidLoss(whole(trainCodes), whole(validCodes), train.labels, valid.labels, numClasses);
  const binnedLoss = bestValidLoss(binned(trainCodes), binned(validCodes), train.labels, valid.labels, numClasses);
  return { bins, wholeLoss, binnedLoss, positional: binnedLoss < wholeLoss };
}
