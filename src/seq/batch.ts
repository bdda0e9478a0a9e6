/**
 * Packs encoded sequences into dense batches. Sequences of unequal length are right-padded and masked; a batch
 * whose sequences all have one length carries no mask, so the common fixed-length case pays nothing for masking.
 */
export interface EncodedSequence {
  encoded: Float32Array; // length × channels
  length: number;
  /** index into the model's conditions, for models with a learned initial state per condition */
  condition?: number;
  /** values of the model's covariates, in its column order */
  covariates?: Float32Array;
}

export interface Batch {
  x: Float32Array; // [batch, steps, channels]
  mask?: Float32Array; // [batch, steps] of 0/1
  batch: number;
  steps: number;
  channels: number;
  /** [batch], present when the items carry a condition */
  conditions?: Int32Array;
  /** [batch, covariates], present when the items carry covariates */
  covariates?: Float32Array;
}

export function packBatch(items: readonly EncodedSequence[], channels: number): Batch {
  let steps = 0;
  let uniform = true;
  for (const item of items) {
    if (item.length !== items[0]!.length) uniform = false;
    steps = Math.max(steps, item.length);
  }
  const x = new Float32Array(items.length * steps * channels);
  const mask = uniform ? undefined : new Float32Array(items.length * steps);
  items.forEach((item, row) => {
    x.set(item.encoded.subarray(0, item.length * channels), row * steps * channels);
    if (mask) mask.fill(1, row * steps, row * steps + item.length);
  });
  return { x, ...(mask ? { mask } : {}), batch: items.length, steps, channels, ...packContext(items) };
}

/** Conditions and covariates travel with their sequences; a batch has them for every item or for none. */
function packContext(items: readonly EncodedSequence[]): Pick<Batch, 'conditions' | 'covariates'> {
  const first = items[0];
  if (!first) return {};
  const out: Pick<Batch, 'conditions' | 'covariates'> = {};
  if (first.condition !== undefined) out.conditions = Int32Array.from(items, (item) => item.condition ?? -1);
  if (first.covariates) {
    const width = first.covariates.length;
    const covariates = new Float32Array(items.length * width);
    items.forEach((item, row) => covariates.set(item.covariates!, row * width));
    out.covariates = covariates;
  }
  return out;
}

/**
 * Fits a sequence to a fixed model length: longer ones keep their centre (where a classifier's signal is usually
 * anchored), shorter ones are returned whole and padded by packBatch.
 */
export function cropToLength(sequence: string, length: number | undefined): string {
  if (length === undefined || sequence.length <= length) return sequence;
  const start = centreCropStart(sequence.length, length);
  return sequence.slice(start, start + length);
}

/** Where cropToLength's kept part starts in the original sequence (0 when nothing is cropped). */
export function centreCropStart(sequenceLength: number, length: number | null | undefined): number {
  return length !== null && length !== undefined && sequenceLength > length ? Math.floor((sequenceLength - length) / 2) : 0;
}
