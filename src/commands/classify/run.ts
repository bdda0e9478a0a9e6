import { writeThenCommit } from '../shared/commit-or-abort.js';
import { type Architecture, type Task, taskOf } from '../../engine/architecture.js';
import { argmax } from '../../engine/metrics.js';
import { flushBefore } from '../../engine/memory.js';
import type { SequenceModel } from '../../engine/sequence-model.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { type IdTable, readIdTable } from '../../io/id-table.js';
import { openOutput } from '../../io/output.js';
import { type RcCombine, combineStrands } from '../../seq/strands.js';
import { getAlphabet, type AlphabetName } from '../../seq/alphabet.js';
import { type EncodedSequence, packBatch } from '../../seq/batch.js';
import { type RecordRef, conditionIndex, scaledCovariates } from '../../seq/context.js';
import { encodeSequence } from '../../seq/dataset.js';
import { describeOrientation, orientEncoded } from '../../seq/orientation.js';
import { isCircular } from '../../seq/topology.js';
import { reverseComplementEncoded } from '../../seq/windows.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import { createLogger, startRuntime } from '../shared/runtime.js';
import type { ClassifyOptions, RcMode } from './options.js';
import { checkWholeRead } from '../shared/whole-read.js';
import { openRecordInput } from '../shared/record-input.js';

interface PendingRecord {
  /** the row's first columns: the ID, or a region's chrom, start, end, name */
  key: string;
  item: EncodedSequence;
  circular: boolean;
}

/**
 * rnnseq classify: streams FASTA (or --genome --regions: one record per BED line) through a classifier or regressor
 * and writes one TSV row per sequence, in input order: id (or chrom, start, end, name), label (the most probable
 * class), then p_<class> for every class; or id, value for a regressor.
 */
export async function run(options: ClassifyOptions): Promise<void> {
  const log = await createLogger(options);
  const { spec } = await readSpec(options.model); // validate the model and the options before the engine starts
  const arch = spec.architecture;
  const task = taskOf(arch);
  refuseTask(task, options.model);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  if (alphabet.name === 'protein' && (options.orientation.complement || options.rc !== 'none')) {
    throw new RnnseqError(
      `${options.orientation.complement ? '--complement' : `--rc ${options.rc}`} needs a DNA or RNA model; ${options.model} reads protein`,
      EXIT_USAGE,
    );
  }
  const covariates = await contextInputs(arch, options);
  const input = await openRecordInput(options, alphabet); // a BED that does not fit the genome stops here
  const runtime = await startRuntime(options, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  const regress = task === 'regress';
  const width = regress ? 1 : model.info.classes.length;
  const predictor = new StrandPredictor(model, options.rc);
  if (options.orientation.reverse || options.orientation.complement)
    log.info(`each sequence is shown to the model as its ${describeOrientation(options.orientation)}`);
  if (options.rc !== 'none') log.info(`each sequence and its reverse complement are predicted, combined by ${options.rc}`);

  const output = await openOutput(options.out);
  let count = 0;
  let circularCount = 0;
  await writeThenCommit(
    output,
    () => model.dispose(),
    async () => {
      const valueColumns = regress ? ['value'] : ['label', ...model.info.classes.map((c) => `p_${c}`)];
      await output.write(`${[...input.keyColumns, ...valueColumns].join('\t')}\n`);
      let pending: PendingRecord[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        const rows = predictInGroups(pending, predictor, width);
        const lines = pending.map((record, i) => {
          const row = rows.subarray(i * width, (i + 1) * width);
          if (regress) return `${record.key}\t${formatValue(row[0]!)}`;
          return [record.key, model.info.classes[argmax(row, 0, width)], ...Array.from(row, formatProbability)].join('\t');
        });
        count += pending.length;
        pending = [];
        await output.write(`${lines.join('\n')}\n`);
      };
      for await (const { record, file, key } of input.records()) {
        const circular = isCircular(record.description, options.circular);
        // A circular sequence is read whole: cropping it to the model's length would cut the junction it is read for.
        const encoded = encodeSequence(record.sequence, alphabet, circular ? null : model.info.inputLength);
        const item: EncodedSequence = { ...encoded, encoded: orientEncoded(encoded.encoded, alphabet.size, options.orientation) };
        const where: RecordRef = { ...record, file };
        if (arch.conditions) item.condition = conditionIndex(arch, where, options.defaultCondition);
        if (arch.covariates) item.covariates = scaledCovariates(arch, covariates!, where);
        if (circular) circularCount++;
        checkWholeRead(
          where,
          item.length,
          arch,
          { maxMemoryBytes: options.maxMemoryBytes, backend: runtime.backend.name, native: model.predictsNatively(circular ? 2 : 1) },
          'classify reads each sequence whole',
          'scan it with a window model (rnnseq scan)',
        );
        const pendingBp = pending.map((p) => p.item.length);
        if (flushBefore(arch, pendingBp, item.length, options.batchSize)) await flush();
        pending.push({ key, item, circular });
        if (pending.length >= options.batchSize) await flush();
      }
      await flush();
    },
  );
  if (circularCount > 0 && arch.conv)
    log.warn(
      "this model's convolutional front-end does not read across the origin of a circular sequence (only the recurrent state goes round): for elements that span it, train with --no-conv",
    );
  if (circularCount > 0)
    log.info(
      `${circularCount} circular sequence${circularCount === 1 ? ' was' : 's were'} read twice round (the first lap's final state seeding the second)`,
    );
  log.info(`classified ${count} sequences${options.out ? ` into ${options.out}` : ''}`);
}

/** Language models and taggers predict per position, not per sequence: say which command fits them. */
function refuseTask(task: Task, model: string): void {
  if (task === 'lm')
    throw new RnnseqError(
      `${model} is a language model (--task lm), not a classifier: use 'rnnseq embed' for its sequence vectors`,
      EXIT_USAGE,
    );
  if (task === 'tag')
    throw new RnnseqError(
      `${model} is a per-base tagger (--task tag), not a classifier: use 'rnnseq scan' to call regions with it`,
      EXIT_USAGE,
    );
}

/**
 * Checks the context options against what the model starts from (conditions, covariates) and reads the covariate
 * table, so a mismatch is reported before any sequence is read.
 */
async function contextInputs(arch: Architecture, options: ClassifyOptions): Promise<IdTable | undefined> {
  const conditions = arch.conditions ?? [];
  if (options.defaultCondition !== undefined) {
    if (conditions.length === 0)
      throw new RnnseqError(`--default-condition: ${options.model} has no conditions (it was trained without --condition-tag)`, EXIT_USAGE);
    if (!conditions.includes(options.defaultCondition)) {
      throw new RnnseqError(
        `--default-condition '${options.defaultCondition}' is not one the model was trained on (${conditions.join(', ')})`,
        EXIT_USAGE,
      );
    }
  }
  const wanted = arch.covariates ?? [];
  if (options.covariates === undefined) {
    if (wanted.length > 0)
      throw new RnnseqError(
        `${options.model} starts from covariates (${wanted.join(', ')}): give --covariates TSV with a row per sequence id`,
        EXIT_USAGE,
      );
    return undefined;
  }
  if (wanted.length === 0) throw new RnnseqError(`--covariates: ${options.model} was trained without covariates`, EXIT_USAGE);
  const table = await readIdTable(options.covariates);
  const missing = wanted.filter((name) => !table.columns.includes(name));
  if (missing.length > 0)
    throw new RnnseqError(
      `${options.covariates}: no column ${missing.map((m) => `'${m}'`).join(', ')}; the model needs ${wanted.join(', ')}`,
      EXIT_USAGE,
    );
  return table;
}

/**
 * Predictions for a flush of records, in their order: linear and circular records go through the model in
 * separate batches (circular ones read twice round), so the two never share a pass.
 */
function predictInGroups(pending: readonly PendingRecord[], predictor: StrandPredictor, width: number): Float32Array {
  const rows = new Float32Array(pending.length * width);
  for (const circular of [false, true]) {
    const indices = pending.flatMap((record, i) => (record.circular === circular ? [i] : []));
    if (indices.length === 0) continue;
    const predicted = predictor.predict(
      indices.map((i) => pending[i]!.item),
      circular ? 2 : 1,
    );
    indices.forEach((at, row) => rows.set(predicted.subarray(row * width, (row + 1) * width), at * width));
  }
  return rows;
}

/**
 * One prediction per sequence, optionally combined with its reverse complement's. The two strands go through the
 * model as two batches of the same shape, so a sequence and its reverse complement get bit-identical combined
 * outputs (--rc average/max are exactly strand-symmetric).
 */
class StrandPredictor {
  constructor(
    private readonly model: SequenceModel,
    private readonly rc: RcMode,
  ) {}

  predict(items: readonly EncodedSequence[], laps: 1 | 2): Float32Array {
    const channels = this.model.info.architecture.inputSize;
    const forward = this.model.predict(packBatch(items, channels), laps);
    if (this.rc === 'none') return forward;
    const flipped = this.model.predict(
      packBatch(
        items.map((item) => ({ ...item, encoded: reverseComplementEncoded(item.encoded) })),
        channels,
      ),
      laps,
    );
    const how: RcCombine = this.rc === 'average' ? 'mean' : 'max';
    // Per column, as scan combines a window's strands: with max, each class gets its higher probability of the
    // two strands (a motif on either strand counts), so a row need not sum to 1.
    return forward.map((p, k) => combineStrands(p, flipped[k]!, how));
  }
}

/** Six decimals: enough to rank, short enough to read; never exponent notation, which some TSV readers mangle. */
function formatProbability(p: number): string {
  return p.toFixed(6);
}

/** Six significant digits, never exponent notation (some TSV readers mangle it): regression targets have any scale. */
export function formatValue(value: number): string {
  const text = value.toPrecision(6);
  if (!text.includes('e') || !Number.isFinite(value)) return text;
  return value.toFixed(Math.min(20, Math.max(0, 5 - Math.floor(Math.log10(Math.abs(value))))));
}
