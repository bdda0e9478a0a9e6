import { packBatch } from '../seq/batch.js';
import { getAlphabet, type AlphabetName } from '../seq/alphabet.js';
import { encodeSequence } from '../seq/dataset.js';
import { readFasta } from '../io/fasta.js';
import { openOutput } from '../io/output.js';
import { argmax } from '../engine/metrics.js';
import { loadModel, readSpec } from './checkpoints.js';
import { type RuntimeOptions, createLogger, startRuntime } from './runtime.js';

export interface ClassifyOptions extends RuntimeOptions {
  model: string;
  inputs: string[];
  out?: string;
  batchSize: number;
}

/**
 * rnnseq classify: streams FASTA through a model and writes one TSV row per sequence, in input order:
 * id, label (the most probable class), then p_<class> for every class.
 */
export async function run(options: ClassifyOptions): Promise<void> {
  const log = await createLogger(options);
  const { spec } = await readSpec(options.model); // validate the model before the engine starts
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const runtime = await startRuntime(options, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  const classes = model.info.classes;
  const output = await openOutput(options.out);
  let count = 0;
  try {
    await output.write(['id', 'label', ...classes.map((c) => `p_${c}`)].join('\t') + '\n');
    let pending: Array<{ id: string; sequence: string }> = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const items = pending.map((r) => encodeSequence(r.sequence, alphabet, model.info.inputLength));
      const probs = model.predict(packBatch(items, alphabet.size));
      const lines = pending.map((r, i) => {
        const row = probs.subarray(i * classes.length, (i + 1) * classes.length);
        return [r.id, classes[argmax(row, 0, classes.length)], ...Array.from(row, formatProbability)].join('\t');
      });
      count += pending.length;
      pending = [];
      await output.write(lines.join('\n') + '\n');
    };
    for (const file of options.inputs) {
      for await (const record of readFasta(file, { allowed: alphabet.allowed, alphabetLabel: alphabet.label })) {
        pending.push({ id: record.id, sequence: record.sequence });
        if (pending.length >= options.batchSize) await flush();
      }
    }
    await flush();
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    model.dispose();
  }
  log.info(`classified ${count} sequences${options.out ? ` into ${options.out}` : ''}`);
}

/** Six decimals: enough to rank, short enough to read; never exponent notation, which some TSV readers mangle. */
function formatProbability(p: number): string {
  return p.toFixed(6);
}
