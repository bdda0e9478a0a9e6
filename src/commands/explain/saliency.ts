import type { Alphabet } from '../../seq/alphabet.js';
import { encodeSequence } from '../../seq/dataset.js';
import { centreCropStart, cropToLength } from '../../seq/batch.js';
import { openOutput } from '../../io/output.js';
import type { SequenceModel } from '../../engine/sequence-model.js';
import { saliency } from '../../explain/saliency.js';
import { formatEffect } from '../../explain/window-scoring.js';
import { BufferedOutput } from '../../explain/buffered-output.js';
import type { Logger } from '../../log.js';
import type { RecordInput } from '../shared/record-input.js';

/** Sequences per forward+backward pass: saliency keeps activations, so batches stay modest. */
const SALIENCY_BATCH = 64;

/**
 * explain --saliency: TSV id (or a region's chrom, start, end, name), position (0-based in the record), ref,
 * saliency (gradient × input of the target probability), one row per position, in input order. A fixed-length
 * model sees the record's centre only.
 */
export async function explainSaliency(
  model: SequenceModel,
  alphabet: Alphabet,
  targetIndex: number,
  request: { input: RecordInput; out?: string },
  log: Logger,
): Promise<number> {
  const output = await openOutput(request.out);
  const buffered = new BufferedOutput(output);
  const inputLength = model.info.inputLength;
  let count = 0;
  let pending: Array<{ key: string; sequence: string; offset: number }> = [];
  const flush = async () => {
    const items = pending.map((r) => encodeSequence(r.sequence, alphabet, null));
    const scores = saliency(model, items, targetIndex);
    const lines: string[] = [];
    pending.forEach((r, i) => {
      for (let pos = 0; pos < r.sequence.length; pos++)
        lines.push([r.key, r.offset + pos, r.sequence[pos], formatEffect(scores[i]![pos]!)].join('\t'));
    });
    if (lines.length > 0) await buffered.write(`${lines.join('\n')}\n`);
    count += pending.length;
    pending = [];
  };
  try {
    await output.write(`${[...request.input.keyColumns, 'position', 'ref', 'saliency'].join('\t')}\n`);
    for await (const { record, key } of request.input.records()) {
      const upper = record.sequence.toUpperCase();
      const offset = centreCropStart(upper.length, inputLength);
      pending.push({ key, sequence: cropToLength(upper, inputLength ?? undefined), offset });
      if (pending.length >= SALIENCY_BATCH) await flush();
    }
    await flush();
    await buffered.flush();
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  log.info(`saliency for ${count} sequences${request.out ? ` into ${request.out}` : ''}`);
  return count;
}
