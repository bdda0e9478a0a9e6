import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { newParameters } from './model.js';
import { nextSymbolClasses } from './objective.js';
import { SequenceModel } from './sequence-model.js';
import { type TrainConfig, trainModel } from './trainer.js';

/**
 * A language model adapted to one group's sequences: a copy of a shared base model trained a little further on
 * them alone. The base keeps what all groups share; the copy shifts towards what this group does differently.
 * Adaptation is plain training (same optimiser, clipping and seeding), so the same seed adapts identically.
 */
export async function adaptedCopy(base: SequenceModel, items: readonly EncodedSequence[], config: TrainConfig): Promise<SequenceModel> {
  const copy = new SequenceModel(base.info, newParameters([...base.params].map(([name, value]) => [name, value])), base.core);
  // No validation set: adaptation is meant to fit the group (a compressor fits what it compresses).
  await trainModel(copy, { items: [...items] }, undefined, { ...config, patience: 0, lrPatience: 0 });
  return copy;
}

/** Total code length of each item under a language model, and how many positions it counts. */
export interface ItemBits {
  /** -log2 p(next symbol), summed over the item's counted positions */
  bits: Float64Array;
  /** positions whose next symbol is one definite residue (N and padding never count), per item */
  positions: Uint32Array;
}

/**
 * Each item's code length under `model`: every position predicts the next, as in training and validation, so
 * with no burn-in the numbers add up to the validation bits per base over the same windows. `burnIn` leaves out
 * each item's first positions (at most a quarter of the item, so a short one still counts): a recurrent model
 * starts every item from a blank state and needs some context before it can tell which stretch it is reading.
 */
export function itemBits(model: SequenceModel, items: readonly EncodedSequence[], batchSize: number, burnIn = 0): ItemBits {
  const arch = model.info.architecture;
  const bits = new Float64Array(items.length);
  const positions = new Uint32Array(items.length);
  for (let start = 0; start < items.length; start += batchSize) {
    const slice = items.slice(start, start + batchSize);
    const batch = packBatch(slice, arch.inputSize);
    const targets = nextSymbolClasses(
      batch,
      slice.map((item) => item.length),
    );
    const nats = model.positionLosses(batch, targets);
    for (let b = 0; b < batch.batch; b++) {
      let sum = 0;
      let counted = 0;
      const skip = Math.min(burnIn, Math.floor(slice[b]!.length / 4));
      for (let t = b * batch.steps + skip; t < (b + 1) * batch.steps; t++) {
        if (targets[t]! < 0) continue;
        sum += nats[t]!;
        counted++;
      }
      bits[start + b] = sum / Math.LN2;
      positions[start + b] = counted;
    }
  }
  return { bits, positions };
}
