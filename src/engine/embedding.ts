import { tf } from './tf.js';
import { type Architecture, directionsOf, layerOutputSize, positionsPerStep, recurrentSteps } from './architecture.js';
import { type LayerState, frontEnd, initialStates, runRecurrentStack, withConditionSteps } from './model.js';
import { batchTensors, type SequenceModel } from './sequence-model.js';
import { readTidy } from './read-tensor.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';

/**
 * How per-position states become one vector. mean and max run over real positions. first and last are per
 * direction: forward after the first / last base; backward (bidirectional models) after its first step (the
 * last base) / after reading back to the first base. A bidirectional vector is [forward | backward].
 */
import type { EmbedPool } from './requests.js';
import type { WholeStep } from './core.js';

export type { EmbedPool } from './requests.js';

export interface EmbedOptions {
  /** 1-based recurrent layer whose outputs are embedded */
  layer: number;
  /** longest stretch read in one engine call; longer sequences (unidirectional models) carry their state across */
  chunkBp: number;
  /** 2 for circular sequences: a first lap's final state seeds the second, whose outputs are embedded */
  laps: 1 | 2;
}

/** Per-position outputs of a few sequences, [items × steps × size], with each item's real length. */
export interface PositionBlock {
  data: Float32Array;
  steps: number;
  lengths: number[];
}

/**
 * Hidden-state vectors of any model (classifier, regressor, scanner, language model): the outputs of one
 * recurrent layer, per position or pooled per sequence.
 */
export class Embedder {
  readonly size: number;
  private readonly arch: Architecture;

  constructor(
    private readonly model: SequenceModel,
    readonly options: EmbedOptions,
  ) {
    const full = model.info.architecture;
    this.arch = { ...full, layers: options.layer };
    this.size = layerOutputSize(full);
  }

  /**
   * Whether long sequences can be streamed in chunks: a backward direction must see the whole sequence first, and
   * a convolution's windows would be cut at chunk edges.
   */
  get streams(): boolean {
    return !this.arch.bidirectional && !this.arch.conv;
  }

  /**
   * Whether there is one output per input position. A pooling convolutional front-end gives one per --conv-pool
   * positions, so per-position output (embed --per-position, phylo's codes) is refused rather than misaligned.
   */
  get perPosition(): boolean {
    return positionsPerStep(this.arch) === 1;
  }

  /** Pooled vectors of a batch of sequences, [items × size]; a sequence longer than chunkBp is streamed. */
  pooled(items: readonly EncodedSequence[], pool: EmbedPool): Float32Array {
    const out = new Float32Array(items.length * this.size);
    const short: number[] = [];
    items.forEach((item, i) => {
      if (this.streams && item.length > this.options.chunkBp) out.set(this.pooledStream(item, pool), i * this.size);
      else short.push(i);
    });
    if (short.length > 0) {
      const rows = short.map((i) => items[i]!);
      const native = this.nativePooled(rows, pool);
      if (native) short.forEach((i, row) => out.set(native.subarray(row * this.size, (row + 1) * this.size), i * this.size));
      else {
        const block = this.stepOutputs(rows);
        short.forEach((i, row) => out.set(poolRow(block, row, pool, this.size, this.arch.bidirectional), i * this.size));
      }
    }
    return out;
  }

  /**
   * Mean, max and last vectors from the core's native whole pass, where it has one for this model: the kernel keeps
   * each feature's running sum, maximum or final state, so the [items × steps × size] outputs are never written.
   * first, circular laps and what the native step does not cover read the per-position outputs instead.
   */
  private nativePooled(items: readonly EncodedSequence[], pool: EmbedPool): Float32Array | undefined {
    const step = this.pooledStep(pool);
    return step?.pooledStates?.(this.model.weightArrays(), packBatch(items, this.arch.inputSize));
  }

  /** Whether `pooled` reads through the native pass for this pool (which sizes a long record's memory). */
  pooledNatively(pool: EmbedPool): boolean {
    return this.pooledStep(pool)?.pooledStates !== undefined;
  }

  private pooledStep(pool: EmbedPool): WholeStep | undefined {
    if (pool === 'first' || this.options.laps !== 1) return undefined;
    // Pooled as a classifier pools, whatever the model's own task and head: only the recurrent layers run.
    const { regression: _regression, ...arch } = this.arch;
    return this.model.core.wholeStep?.({ ...arch, task: 'classify', pool });
  }

  /** Per-position outputs of a batch read whole (one engine call, padded and masked). */
  positions(items: readonly EncodedSequence[]): PositionBlock {
    if (!this.perPosition) {
      throw new RnnseqError(
        `this model's convolutional front-end pools every ${positionsPerStep(this.arch)} positions (--conv-pool), so it has no output per position; use a pooled embedding (--pool)`,
        EXIT_USAGE,
      );
    }
    return this.stepOutputs(items);
  }

  /** Outputs per recurrent step (per position unless the front-end pools), with each item's real step count. */
  private stepOutputs(items: readonly EncodedSequence[]): PositionBlock {
    const batch = packBatch(items, this.arch.inputSize);
    let steps = batch.steps;
    const data = readTidy(() => {
      const { x, mask, ...context } = batchTensors(batch);
      const front = frontEnd(this.arch, this.model.params, x, mask, { core: this.model.core, training: false });
      const input = withConditionSteps(this.arch, front.x, context.conditions);
      steps = front.x.shape[1];
      let states = this.startStates(batch.batch, context);
      let outputs: tf.Tensor3D | undefined;
      for (let lap = 0; lap < this.options.laps; lap++) {
        const run = runRecurrentStack(this.arch, this.model.params, input, front.mask, { core: this.model.core, training: false }, states);
        states = run.states;
        outputs = run.outputs;
      }
      return outputs!;
    });
    return { data, steps, lengths: items.map((item) => recurrentSteps(this.arch, item.length)) };
  }

  /** One long sequence of a unidirectional model, pooled from its chunks (see chunks). */
  pooledStream(item: EncodedSequence, pool: EmbedPool): Float32Array {
    const accumulate = new PoolAccumulator(pool, this.size);
    for (const { outputs, start } of this.chunks(item)) accumulate.add(outputs, start, item.length);
    return accumulate.result();
  }

  /**
   * Outputs of a long sequence (unidirectional models) chunk by chunk ([length × size] and where it starts), the
   * state carried from each chunk into the next, so memory stays flat however long the sequence. A circular
   * sequence's first lap only carries state; the second lap's outputs are yielded.
   */
  *chunks(item: EncodedSequence): Generator<{ outputs: Float32Array; start: number }> {
    const channels = this.arch.inputSize;
    let states = this.keptStartStates(item);
    try {
      for (let lap = 0; lap < this.options.laps; lap++) {
        for (let start = 0; start < item.length; start += this.options.chunkBp) {
          const end = Math.min(item.length, start + this.options.chunkBp);
          const chunk: EncodedSequence = { ...item, encoded: item.encoded.subarray(start * channels, end * channels), length: end - start };
          const previous = states;
          let next: LayerState[] = [];
          const outputs = readTidy(() => {
            const { x } = batchTensors(packBatch([chunk], channels));
            // Position by position (an embedding at most, never a convolution: see streams), so chunking is exact.
            const front = frontEnd(this.arch, this.model.params, x, undefined, { core: this.model.core, training: false });
            const condition = item.condition === undefined ? undefined : tf.tensor1d([item.condition], 'int32');
            const input = withConditionSteps(this.arch, front.x, condition);
            const run = runRecurrentStack(
              this.arch,
              this.model.params,
              input,
              undefined,
              { core: this.model.core, training: false },
              previous,
            );
            next = run.states.map(keepState); // kept: they seed the next chunk
            return run.outputs;
          });
          disposeStates(previous);
          states = next;
          if (lap === this.options.laps - 1) yield { outputs, start };
        }
      }
    } finally {
      disposeStates(states);
    }
  }

  private keptStartStates(item: EncodedSequence): LayerState[] {
    let states: LayerState[] = [];
    tf.tidy(() => {
      states = this.startStates(1, contextTensors(item)).map(keepState);
    });
    return states;
  }

  /** The model's initial state for the embedded layers only. */
  private startStates(batch: number, context: { conditions?: tf.Tensor1D; covariates?: tf.Tensor2D }): LayerState[] {
    const full = this.model.info.architecture;
    return initialStates(full, this.model.params, batch, context).slice(0, this.options.layer * directionsOf(full).length);
  }
}

function disposeStates(states: LayerState[]): void {
  for (const state of states) tf.dispose([state.h, ...(state.c ? [state.c] : [])]);
}

function keepState(state: LayerState): LayerState {
  return state.c ? { h: tf.keep(state.h), c: tf.keep(state.c) } : { h: tf.keep(state.h) };
}

function contextTensors(item: EncodedSequence): { conditions?: tf.Tensor1D; covariates?: tf.Tensor2D } {
  return {
    ...(item.condition !== undefined ? { conditions: tf.tensor1d([item.condition], 'int32') } : {}),
    ...(item.covariates ? { covariates: tf.tensor2d(item.covariates, [1, item.covariates.length]) } : {}),
  };
}

/** Pools one row of a block: see EmbedPool for what first and last mean per direction. */
function poolRow(block: PositionBlock, row: number, pool: EmbedPool, size: number, bidirectional: boolean): Float32Array {
  const length = block.lengths[row]!;
  const at = (t: number) => block.data.subarray((row * block.steps + t) * size, (row * block.steps + t + 1) * size);
  if (pool === 'mean' || pool === 'max') {
    const accumulate = new PoolAccumulator(pool, size);
    accumulate.add(block.data.subarray(row * block.steps * size, (row * block.steps + length) * size), 0, length);
    return accumulate.result();
  }
  const forwardAt = pool === 'first' ? 0 : length - 1;
  const out = Float32Array.from(at(forwardAt));
  if (bidirectional) out.set(at(length - 1 - forwardAt).subarray(size / 2), size / 2);
  return out;
}

/** Pools outputs arriving in consecutive stretches (chunks) of one unidirectional sequence. */
class PoolAccumulator {
  private readonly values: Float64Array;
  private count = 0;

  constructor(
    private readonly pool: EmbedPool,
    private readonly size: number,
  ) {
    this.values = new Float64Array(size).fill(pool === 'max' ? -Infinity : 0);
  }

  /** outputs: [n × size] for positions start .. start + n − 1 of a sequence of `length`. */
  add(outputs: Float32Array, start: number, length: number): void {
    const n = outputs.length / this.size;
    const v = this.values;
    for (let t = 0; t < n; t++) {
      const position = start + t;
      const row = outputs.subarray(t * this.size, (t + 1) * this.size);
      if (this.pool === 'mean') for (let k = 0; k < this.size; k++) v[k]! += row[k]!;
      else if (this.pool === 'max') for (let k = 0; k < this.size; k++) v[k] = Math.max(v[k]!, row[k]!);
      else if ((this.pool === 'first' && position === 0) || (this.pool === 'last' && position === length - 1)) v.set(row);
    }
    this.count += n;
  }

  result(): Float32Array {
    if (this.pool !== 'mean') return Float32Array.from(this.values);
    return Float32Array.from(this.values, (sum) => sum / Math.max(this.count, 1));
  }
}
