import { writeThenCommit } from '../shared/commit-or-abort.js';
import { readIdTable, type IdTable } from '../../io/id-table.js';
import { openNpy, type NpyWriter } from '../../io/npy.js';
import { type Output, openOutput } from '../../io/output.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import type { EncodedSequence } from '../../seq/batch.js';
import { conditionIndex, scaledCovariates } from '../../seq/context.js';
import { encodeSequence } from '../../seq/dataset.js';
import { isCircular } from '../../seq/topology.js';
import { reverseComplementEncoded } from '../../seq/windows.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import { checkWholeRead } from '../shared/whole-read.js';
import { flushBefore } from '../../engine/memory.js';
import { openRecordInput } from '../shared/record-input.js';
import { createLogger, startRuntime } from '../shared/runtime.js';
import type { EmbedCommandOptions } from './options.js';

interface PendingRecord {
  /** the row's first columns: the ID, or a region's chrom, start, end, name */
  key: string;
  item: EncodedSequence;
  circular: boolean;
}

/**
 * rnnseq embed: one vector per sequence (or per position) from any model's hidden states, as TSV or .npy, in
 * input order. Short sequences are batched; long ones are read in chunks with the state carried across.
 */
export async function run(options: EmbedCommandOptions): Promise<void> {
  const log = await createLogger(options);
  const { spec } = await readSpec(options.model);
  const arch = spec.architecture;
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const layer = options.layer ?? arch.layers;
  if (layer > arch.layers)
    throw new RnnseqError(`--layer ${layer}: the model has ${arch.layers} recurrent layer${arch.layers === 1 ? '' : 's'}`, EXIT_USAGE);
  if (options.rc === 'average' && alphabet.name === 'protein') throw new RnnseqError('--rc average needs a DNA or RNA model', EXIT_USAGE);
  if (options.rc === 'average' && options.perPosition)
    throw new RnnseqError('--rc average pools both strands; it does not apply to --per-position', EXIT_USAGE);
  if (options.format === 'npy' && (options.out === undefined || options.out === '-'))
    throw new RnnseqError('--format npy needs -o FILE.npy (a binary file, not stdout)', EXIT_USAGE);
  const covariates: IdTable | undefined = options.covariates ? await readIdTable(options.covariates) : undefined;
  if (arch.covariates && !covariates)
    throw new RnnseqError(`${options.model} starts from covariates (${arch.covariates.join(', ')}): give --covariates TSV`, EXIT_USAGE);
  const input = await openRecordInput(options, alphabet); // a BED that does not fit the genome stops here

  const runtime = await startRuntime(options, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  // Members have hidden states of their own sizes and meanings: averaging them would mean nothing.
  if (model.others.length > 0)
    log.info(`${options.model} is an ensemble of ${model.others.length + 1}: vectors are its first member's hidden states`);
  const { Embedder } = await import('../../engine/embedding.js');
  const embedders = {
    linear: new Embedder(model, { layer, chunkBp: options.chunkBp, laps: 1 }),
    circular: new Embedder(model, { layer, chunkBp: options.chunkBp, laps: 2 }),
  };
  const size = embedders.linear.size;
  if (arch.bidirectional) log.info('bidirectional model: vectors are [forward | backward]; each sequence is read whole (no chunking)');
  const sink = await openSink(options, size, input.keyColumns);
  let count = 0;
  await writeThenCommit(
    sink,
    () => model.dispose(),
    async () => {
      let pending: PendingRecord[] = [];
      const flush = async () => {
        for (const circular of [false, true]) {
          const part = pending.filter((p) => p.circular === circular);
          if (part.length === 0) continue;
          const embedder = circular ? embedders.circular : embedders.linear;
          if (options.perPosition) {
            const block = embedder.positions(part.map((p) => p.item));
            for (let row = 0; row < part.length; row++) {
              const start = row * block.steps * size;
              await sink.positions(part[row]!.key, block.data.subarray(start, start + part[row]!.item.length * size), 0);
            }
          } else {
            const vectors = embedder.pooled(
              part.map((p) => p.item),
              options.pool,
            );
            if (options.rc === 'average') {
              const flipped = embedder.pooled(
                part.map((p) => ({ ...p.item, encoded: reverseComplementEncoded(p.item.encoded) })),
                options.pool,
              );
              for (let i = 0; i < vectors.length; i++) vectors[i] = (vectors[i]! + flipped[i]!) / 2;
            }
            for (let row = 0; row < part.length; row++) await sink.vector(part[row]!.key, vectors.subarray(row * size, (row + 1) * size));
          }
        }
        count += pending.length;
        pending = [];
      };
      for await (const { record, file, key } of input.records()) {
        const where = { ...record, file };
        const item = encodeSequence(record.sequence, alphabet, null);
        if (arch.conditions) item.condition = conditionIndex(arch, where, options.defaultCondition);
        if (arch.covariates) item.covariates = scaledCovariates(arch, covariates!, where);
        const circular = isCircular(record.description, options.circular);
        const alone = item.length > options.chunkBp;
        const embedder = circular ? embedders.circular : embedders.linear;
        if (alone && !embedders.linear.streams) {
          checkWholeRead(
            where,
            item.length,
            arch,
            {
              maxMemoryBytes: options.maxMemoryBytes,
              backend: runtime.backend.name,
              native: !options.perPosition && embedder.pooledNatively(options.pool),
            },
            'a bidirectional model reads a sequence whole',
            'use a unidirectional model, which streams it in --chunk pieces',
          );
        }
        const long = alone && embedders.linear.streams;
        if (
          flushBefore(
            arch,
            pending.map((p) => p.item.length),
            item.length,
            options.batchSize,
            options.chunkBp,
          )
        )
          await flush();
        if (long && options.perPosition) {
          // Positions of a long sequence go out chunk by chunk, never held whole (flushBefore sent what was pending).
          for (const { outputs, start } of embedder.chunks(item)) await sink.positions(key, outputs, start);
          count++;
          continue;
        }
        pending.push({ key, item, circular });
        if (pending.length >= options.batchSize) await flush();
      }
      await flush();
    },
  );
  log.info(
    `embedded ${count} sequences (${size} values each${options.perPosition ? ' per position' : `, ${options.pool} pooling`}, layer ${layer})${options.out ? ` into ${options.out}` : ''}`,
  );
}

/**
 * Where vectors go: TSV rows, or an .npy matrix with an ids table beside it. `key` names the record in the
 * `keyColumns` (id; or chrom, start, end, name for --regions), already tab-joined.
 */
interface Sink {
  vector(key: string, values: Float32Array): Promise<void>;
  positions(key: string, values: Float32Array, start: number): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function openSink(options: EmbedCommandOptions, size: number, keyColumns: readonly string[]): Promise<Sink> {
  if (options.format === 'npy') return npySink(options.out!, size, options.perPosition, keyColumns);
  const output = await openOutput(options.out);
  const dims = Array.from({ length: size }, (_, k) => `dim${k + 1}`);
  await output.write(`${[...keyColumns, ...(options.perPosition ? ['position'] : []), ...dims].join('\t')}\n`);
  return tsvSink(output, size);
}

function tsvSink(output: Output, size: number): Sink {
  const format = (values: Float32Array) => Array.from(values, (v) => v.toFixed(6)).join('\t');
  return {
    vector: (key, values) => output.write(`${key}\t${format(values)}\n`),
    async positions(key, values, start) {
      const lines: string[] = [];
      for (let t = 0; t < values.length / size; t++)
        lines.push(`${key}\t${start + t}\t${format(values.subarray(t * size, (t + 1) * size))}`);
      if (lines.length > 0) await output.write(`${lines.join('\n')}\n`);
    },
    commit: () => output.commit(),
    abort: () => output.abort(),
  };
}

/**
 * PATH.npy holds the vectors (rows in input order); PATH.ids.tsv names them: `row, id` for pooled vectors,
 * `id, first_row, length` per sequence for --per-position (id: the key columns).
 */
async function npySink(path: string, size: number, perPosition: boolean, keyColumns: readonly string[]): Promise<Sink> {
  const matrix: NpyWriter = await openNpy(path, size);
  const ids = await openOutput(`${path.replace(/\.npy$/, '')}.ids.tsv`);
  await ids.write(`${(perPosition ? [...keyColumns, 'first_row', 'length'] : ['row', ...keyColumns]).join('\t')}\n`);
  let rows = 0;
  let open: { key: string; first: number; length: number } | undefined;
  const closeOpen = async () => {
    if (open) await ids.write(`${open.key}\t${open.first}\t${open.length}\n`);
    open = undefined;
  };
  return {
    async vector(key, values) {
      await ids.write(`${rows}\t${key}\n`);
      await matrix.append(values);
      rows++;
    },
    async positions(key, values, start) {
      if (start === 0) {
        await closeOpen();
        open = { key, first: rows, length: 0 };
      }
      await matrix.append(values);
      rows += values.length / size;
      open!.length += values.length / size;
    },
    async commit() {
      await closeOpen();
      await matrix.commit();
      await ids.commit();
    },
    async abort() {
      await matrix.abort();
      await ids.abort();
    },
  };
}
