/**
 * Packs encoded sequences into dense batches. Sequences of unequal length are right-padded and masked; a batch
 * whose sequences all have one length carries no mask, so the common fixed-length case pays nothing for masking.
 */
export interface EncodedSequence {
  encoded: Float32Array; // length × channels
  length: number;
}

export interface Batch {
  x: Float32Array; // [batch, steps, channels]
  mask?: Float32Array; // [batch, steps] of 0/1
  batch: number;
  steps: number;
  channels: number;
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
  return { x, ...(mask ? { mask } : {}), batch: items.length, steps, channels };
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
