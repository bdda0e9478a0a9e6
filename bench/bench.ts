/**
 * npm run bench: tokens/s (batch × length / second) for training and classification through the same model
 * path `rnnseq train` and `rnnseq classify` use, for every engine available here, and PyTorch's nn.LSTM on the
 * same machine when Debian's python3-torch is installed. The printed ratios are the result; absolute numbers
 * vary 10-30% between runs on shared machines.
 *
 * Workloads: one-hot DNA, T = 200, LSTM hidden 64 and 128 + dense head on the last state (what the PyTorch script
 * runs), and the default recipe's classifier (convolution + BiLSTM + max pooling + skip path, AdamW, weight
 * average), and the next-base language model phylo trains (per-position head and loss; inference: every position's
 * probabilities); training B = 64 (forward, backward, optimiser), classification B = 256. Native engines are measured
 * with the whole training step native and with TensorFlow.js ops around the kernels.
 * Then scan throughput in genome bp/s and embed throughput in sequences/s and bp/s for the fastest engine
 * (scanSection, embedSection below), and the peak RSS of whole commands (memorySection). Arguments pick sections
 * (SECTIONS, at the end).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/engine/backend.js';
import { selectCore } from '../src/engine/select-core.js';
import { ReferenceCore } from '../src/engine/reference-core.js';
import type { Architecture } from '../src/engine/architecture.js';
import type { RecurrentCore } from '../src/engine/core.js';
import { SequenceModel } from '../src/engine/sequence-model.js';
import { trainModel } from '../src/engine/trainer.js';
import type { EncodedSequence } from '../src/seq/batch.js';
import { packBatch } from '../src/seq/batch.js';
import { Random } from '../src/seq/random.js';
import { type BenchMode, coreFlopsPerToken, measureKernels, measureRecipeKernels } from './core-bench.js';

const STEPS = 200;
const TRAIN_BATCH = 64;
const INFER_BATCH = 256;

function randomDna(count: number, seed: number, length = STEPS): EncodedSequence[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const encoded = new Float32Array(length * 4);
    for (let t = 0; t < length; t++) encoded[t * 4 + random.int(4)] = 1;
    return { encoded, length };
  });
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The plain LSTM the PyTorch script also runs, the default recipe's classifier (conv + BiLSTM + max + skip), or the
 * next-base language model `phylo --train` trains and adapts (one-direction LSTM, a 4-way head at every position).
 */
type Workload = 'lstm' | 'recipe' | 'lm';

function architectureOf(workload: Workload, hidden: number): Architecture {
  const lstm: Architecture = {
    cell: 'lstm',
    inputSize: 4,
    hiddenSize: hidden,
    layers: 1,
    bidirectional: false,
    dropout: 0,
    pool: 'last',
    numClasses: 2,
  };
  if (workload === 'lstm') return lstm;
  if (workload === 'lm') return { ...lstm, task: 'lm', pool: 'mean', numClasses: 4 };
  return {
    ...lstm,
    bidirectional: true,
    pool: 'max',
    conv: { filters: 64, width: 11, pool: 4, dropout: 0.1, positions: STEPS, skip: true },
  };
}

/** Seconds per batch of the kernels alone, for a mode: timed between the end-to-end rounds it is compared with. */
type KernelTimer = (mode: BenchMode) => number;

interface Measured {
  train: number;
  infer: number;
  /** with a kernel timer: the kernels' tokens/s and end to end's share of them, medians over paired rounds */
  kernels?: Record<BenchMode, { tokensPerSecond: number; share: number; low: number; high: number }>;
}

async function measure(
  core: RecurrentCore,
  hidden: number,
  reps: number,
  options: { workload: Workload; nativeStep: boolean; kernels?: KernelTimer },
): Promise<Measured> {
  const lm = options.workload === 'lm';
  const info = {
    alphabet: 'dna',
    classes: lm ? ['A', 'C', 'G', 'T'] : ['a', 'b'],
    inputLength: lm ? null : STEPS,
    architecture: architectureOf(options.workload, hidden),
  };
  const model = SequenceModel.create(info, 1, core);
  // An epoch of 16 batches (1,024 sequences, a small training set): what happens once per epoch (the weight
  // average swapped into the model and out again) costs what it does in a real run, not a third of each step as in
  // a 3-batch epoch. The reference engine, 50-100x slower, keeps 3 so the bench stays minutes.
  const batches = core.name === 'reference' ? 3 : 16;
  const items = randomDna(TRAIN_BATCH * batches, 2);
  const set = lm ? { items } : { items, labels: Int32Array.from(items, (_, i) => i % 2) };
  // The recipe trains with a cosine schedule, AdamW, a weight average and clipping; the plain LSTM with plain Adam.
  const recipe = options.workload === 'recipe' ? { lrSchedule: 'cosine' as const, weightDecay: 0.01, ema: 0.99, clipNorm: 5 } : {};
  const config = {
    epochs: 1,
    batchSize: TRAIN_BATCH,
    learningRate: 1e-3,
    clipNorm: 0,
    seed: 1,
    patience: 0,
    ...recipe,
    nativeStep: options.nativeStep,
  };
  // Warm-up: the first epochs run 2x slower (JIT, first-touch of the step's buffers); a median over 3 short reps
  // that included them understated the steady state.
  for (let w = 0; w < 2; w++) await trainModel(model, set, undefined, config);
  // With a kernel timer, each end-to-end round is followed by the kernels alone on the same shapes and the share is
  // taken round by round: on a shared node the load drifts over the seconds between two separate medians (shares
  // of 72-84% were printed for the same build), much less between the two halves of a pair.
  const paired: Record<BenchMode, { rates: number[]; shares: number[] }> = {
    train: { rates: [], shares: [] },
    infer: { rates: [], shares: [] },
  };
  const pair = (mode: BenchMode, endToEnd: number) => {
    if (!options.kernels) return;
    const rate = ((mode === 'train' ? TRAIN_BATCH : INFER_BATCH) * STEPS) / options.kernels(mode);
    paired[mode].rates.push(rate);
    paired[mode].shares.push(endToEnd / rate);
  };
  const trainRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const state = await trainModel(model, set, undefined, config);
    trainRates.push(state.history[0]!.tokensPerSecond);
    pair('train', trainRates[r]!);
  }
  const batch = packBatch(randomDna(INFER_BATCH, 3), 4);
  const predict = () => (lm ? model.predictPositions(batch) : model.predict(batch));
  predict();
  const inferRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    predict();
    inferRates.push((INFER_BATCH * STEPS) / ((performance.now() - started) / 1000));
    pair('infer', inferRates[r]!);
  }
  model.dispose();
  const summary = (mode: BenchMode) => ({
    tokensPerSecond: median(paired[mode].rates),
    share: median(paired[mode].shares),
    low: Math.min(...paired[mode].shares),
    high: Math.max(...paired[mode].shares),
  });
  return {
    train: median(trainRates),
    infer: median(inferRates),
    ...(options.kernels ? { kernels: { train: summary('train'), infer: summary('infer') } } : {}),
  };
}

function torchFigures(): Map<string, number> | undefined {
  const python = '/usr/bin/python3';
  const script = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bench', 'torch_lstm.py');
  if (!existsSync(python) || !existsSync(script)) return undefined;
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return undefined;
  const result = spawnSync(python, [script], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (result.status !== 0) return undefined;
  // The sgemm peak on every core: torch.mm runs on OpenBLAS's own threads.
  const cores = String(os.availableParallelism());
  const sgemm = spawnSync(python, [script, '--sgemm'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: cores } });
  const figures = new Map<string, number>();
  for (const line of `${result.stdout.trim()}\n${sgemm.status === 0 ? sgemm.stdout.trim() : ''}`.trim().split('\n')) {
    const row = JSON.parse(line) as { mode: string; hidden: number; tokens_per_s: number; gflops: number };
    figures.set(row.mode === 'sgemm' ? 'sgemm' : `${row.mode}-${row.hidden}`, row.mode === 'sgemm' ? row.gflops : row.tokens_per_s);
  }
  return figures;
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : `${(v / 1000).toFixed(1)}k`);

async function main(): Promise<void> {
  const backend = await initBackend((process.env.RNNSEQ_BACKEND as 'wasm' | undefined) ?? 'auto');
  const fast = await selectCore('auto', backend);
  const engines: Array<[string, RecurrentCore]> = [['reference', new ReferenceCore()]];
  if (fast.core.name !== 'reference') engines.unshift([fast.core.name, fast.core]);
  console.log(`backend ${backend.name} (${backend.detail}); engines: ${engines.map(([n]) => n).join(', ')}; ${fast.description}`);
  const torch = torchFigures();
  console.log(
    torch
      ? 'PyTorch: measured now with /usr/bin/python3 (OPENBLAS_NUM_THREADS=1, 2 torch threads)'
      : 'PyTorch: not available (apt-get install python3-torch to compare)',
  );
  // Native engines run twice: the whole training step natively (native-step.ts) and through TensorFlow.js ops
  // around the same kernels, so the table shows what the whole step buys.
  const columns: Array<[string, RecurrentCore, boolean]> = engines.flatMap(
    ([name, core]): Array<[string, RecurrentCore, boolean]> =>
      core.wholeStep
        ? [
            [`${name} whole-step`, core, true],
            [`${name} tfjs-step`, core, false],
          ]
        : [[name, core, false]],
  );
  console.log(['workload', ...columns.map(([n]) => n), 'pytorch', 'best/pytorch'].join('\t'));
  for (const workload of ['lstm', 'recipe', 'lm'] as const) {
    for (const hidden of [64, 128]) {
      const results: Measured[] = [];
      // The kernels alone on the same shapes: for the recipe the convolution and both LSTM directions, else the LSTM.
      const kernels: KernelTimer = (mode) => {
        const batch = mode === 'train' ? TRAIN_BATCH : INFER_BATCH;
        return workload === 'recipe' ? measureRecipeKernels(hidden, mode, batch, 3) : measureKernels(hidden, mode, batch, 3);
      };
      for (const [index, [name, core, nativeStep]] of columns.entries()) {
        const paired = index === 0 && fast.core.name === 'native' && nativeStep;
        if (workload === 'recipe' && name === 'reference' && hidden === 128) results.push({ train: Number.NaN, infer: Number.NaN });
        else
          results.push(
            await measure(core, hidden, name === 'reference' ? 1 : paired ? 5 : 3, {
              workload,
              nativeStep,
              ...(paired ? { kernels } : {}),
            }),
          );
      }
      for (const mode of ['train', 'infer'] as const) {
        const ours = results.map((r) => r[mode]);
        const k = results[0]!.kernels?.[mode];
        if (k) {
          const gflops = workload === 'recipe' ? undefined : (k.tokensPerSecond * coreFlopsPerToken(hidden, mode)) / 1e9;
          const peak = torch?.get('sgemm');
          const share = gflops && peak ? ` (${((100 * gflops) / peak).toFixed(0)}% of sgemm's ${peak.toFixed(0)})` : '';
          const what = {
            recipe: `recipe H${hidden} (conv + both LSTM directions)`,
            lm: `language model LSTM H${hidden} (the same kernels)`,
            lstm: `LSTM H${hidden}`,
          }[workload];
          const pct = (v: number) => (100 * v).toFixed(0);
          console.log(
            `${mode} ${what} kernels only: ${fmt(k.tokensPerSecond)} tokens/s${gflops ? `, ${gflops.toFixed(0)} GFLOP/s${share}` : ''}; ` +
              `end to end ${pct(k.share)}% of it (median of 5 paired rounds, ${pct(k.low)}-${pct(k.high)}%)`,
          );
        }
        const reference = workload === 'lstm' ? torch?.get(`${mode}-${hidden}`) : undefined;
        const best = Math.max(...ours.filter((v) => !Number.isNaN(v)));
        const ratio = reference ? `${(best / reference).toFixed(2)}x` : '-';
        const shape = { lstm: `LSTM H${hidden}`, recipe: `recipe BiLSTM H${hidden}`, lm: `language model LSTM H${hidden}` }[workload];
        const label = `${mode} ${shape} B${mode === 'train' ? TRAIN_BATCH : INFER_BATCH} T${STEPS} tokens/s`;
        console.log([label, ...ours.map((v) => (Number.isNaN(v) ? '-' : fmt(v))), fmt(reference), ratio].join('\t'));
      }
    }
  }
}

/**
 * Scan throughput: genome bp per second through the same pipeline `rnnseq scan` runs (FASTA chunks -> windows
 * -> batches -> model -> merged calls), on a synthetic genome, with the scan defaults: both strands combined,
 * a stride of a quarter window, 256 windows per batch; LSTM scanners with 200 bp windows.
 */
async function scanSection(core: RecurrentCore, engineName: string): Promise<void> {
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { readFastaChunks } = await import('../src/io/fasta.js');
  const { getAlphabet } = await import('../src/seq/alphabet.js');
  const { byteEncodingTable } = await import('../src/seq/windows.js');
  const { emptyStats, scanChunks } = await import('../src/scan/scanner.js');
  const genomeBp = Number(process.env.RNNSEQ_BENCH_SCAN_BP ?? 300_000);
  const dir = mkdtempSync(join(tmpdir(), 'rnnseq-bench-'));
  const random = new Random(4);
  const file = join(dir, 'genome.fa');
  const lines = ['>chrBench'];
  for (let at = 0; at < genomeBp; at += 60)
    lines.push(Array.from({ length: Math.min(60, genomeBp - at) }, () => 'ACGT'[random.int(4)]).join(''));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const dna = getAlphabet('dna');
  console.log(
    `scan (${engineName}, ${(genomeBp / 1e6).toFixed(1)} Mbp synthetic genome, window ${STEPS}, stride ${STEPS / 4}, both strands)\tbp/s\t100 Mbp takes`,
  );
  try {
    // An LSTM with mean pooling (the scanners of the first releases), and the recipe's classifier: what
    // `train --genome` trains by default now.
    const scanners: Array<[string, Architecture]> = [
      ...[64, 128].map((hidden): [string, Architecture] => [
        `H${hidden}`,
        { cell: 'lstm', inputSize: 4, hiddenSize: hidden, layers: 1, bidirectional: false, dropout: 0, pool: 'mean', numClasses: 2 },
      ]),
      ['recipe H64', architectureOf('recipe', 64)],
    ];
    for (const [label, architecture] of scanners) {
      const info = { alphabet: 'dna', classes: ['background', 'hit'], inputLength: STEPS, architecture };
      const model = SequenceModel.create(info, 1, core);
      const settings = {
        grid: { windowBp: STEPS, strideBp: STEPS / 4 },
        batchWindows: 256,
        maxN: STEPS / 10,
        strand: 'both' as const,
        rcCombine: 'max' as const,
        threshold: 0.5,
        extent: 'window' as const,
        windowScores: false,
        channels: 4,
        encoding: byteEncodingTable(dna),
      };
      const score = (batch: Parameters<typeof model.predict>[0]) => {
        const probs = model.predict(batch);
        return Float32Array.from({ length: batch.batch }, (_, r) => probs[r * 2 + 1]!);
      };
      const started = performance.now();
      for await (const _ of scanChunks(readFastaChunks(file, { allowed: dna.allowed }), undefined, settings, score, emptyStats(), file)) {
        // the calls are not the point here
      }
      const bpPerSecond = genomeBp / ((performance.now() - started) / 1000);
      console.log(
        [`scan ${label} T${STEPS} bp/s`, `${(bpPerSecond / 1000).toFixed(1)}k`, `${(1e8 / bpPerSecond / 60).toFixed(1)} min`].join('\t'),
      );
      model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Embed throughput: pooled vectors of 16S-length sequences (1,500 bp) from a bidirectional LSTM, as `rnnseq embed`
 * reads them (whole sequences, 64 per batch, mean pooling).
 */
async function embedSection(core: RecurrentCore, engineName: string): Promise<void> {
  const { Embedder } = await import('../src/engine/embedding.js');
  const length = 1500;
  const count = Number(process.env.RNNSEQ_BENCH_EMBED_SEQUENCES ?? 256);
  const batch = 64;
  const sequences = randomDna(count, 5, length);
  console.log(
    `embed (${engineName}, ${count} sequences of ${length} bp, bidirectional, mean pooling, ${batch} per batch)\tsequences/s\tbp/s`,
  );
  for (const hidden of [64, 128]) {
    const info = {
      alphabet: 'dna',
      classes: ['a', 'b'],
      inputLength: length,
      architecture: {
        cell: 'lstm' as const,
        inputSize: 4,
        hiddenSize: hidden,
        layers: 1,
        bidirectional: true,
        dropout: 0,
        pool: 'mean' as const,
        numClasses: 2,
      },
    };
    const model = SequenceModel.create(info, 1, core);
    const embedder = new Embedder(model, { layer: 1, chunkBp: 10_000, laps: 1 });
    const started = performance.now();
    for (let start = 0; start < count; start += batch) embedder.pooled(sequences.slice(start, start + batch), 'mean');
    const seconds = (performance.now() - started) / 1000;
    console.log(
      [`embed H${hidden} bidirectional`, (count / seconds).toFixed(0), `${((count * length) / seconds / 1000).toFixed(1)}k`].join('\t'),
    );
    model.dispose();
  }
}

/**
 * Peak memory of whole commands: each runs as its own process with bench/rss-hook.cjs preloaded, which prints
 * the peak RSS on exit. scan runs on two genome sizes: its memory should not grow with the genome. embed reads the
 * larger genome as one record with a bidirectional model (about 125 bytes per bp: engine/memory.ts).
 */
async function memorySection(): Promise<void> {
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'rnnseq-bench-rss-'));
  const random = new Random(6);
  const bases = (n: number) => Array.from({ length: n }, () => 'ACGT'[random.int(4)]).join('');
  const records = Array.from({ length: 1000 }, (_, i) => `>s${i} label=${i % 2 ? 'hit' : 'miss'}\n${bases(200)}`);
  writeFileSync(join(dir, 'train.fa'), `${records.join('\n')}\n`);
  for (const [name, bp] of [
    ['small', 300_000],
    ['large', 3_000_000],
  ] as const) {
    const lines = [`>${name}`];
    for (let at = 0; at < bp; at += 60) lines.push(bases(Math.min(60, bp - at)));
    writeFileSync(join(dir, `${name}.fa`), `${lines.join('\n')}\n`);
  }
  const commands: Array<[string, string[]]> = [
    ['train (recipe, 1,000 x 200 bp, 2 epochs)', ['train', '-q', '-o', join(dir, 'run'), '--epochs', '2', join(dir, 'train.fa')]],
    ['classify (1,000 x 200 bp)', ['classify', '-q', '-m', join(dir, 'run'), join(dir, 'train.fa'), '-o', join(dir, 'c.tsv')]],
    ['embed (1,000 x 200 bp)', ['embed', '-q', '-m', join(dir, 'run'), join(dir, 'train.fa'), '-o', join(dir, 'e.tsv')]],
    ['scan 0.3 Mbp (chloroplast-cds)', ['scan', '-q', '-m', 'chloroplast-cds', join(dir, 'small.fa'), '-o', join(dir, 's.bed')]],
    ['scan 3 Mbp (chloroplast-cds)', ['scan', '-q', '-m', 'chloroplast-cds', join(dir, 'large.fa'), '-o', join(dir, 'l.bed')]],
    // A bidirectional model reads a record whole: one 3 Mbp record through the native pass, pooled in the kernel.
    [
      'embed 3 Mbp as one record (splice-primate)',
      ['embed', '-q', '-m', 'splice-primate', join(dir, 'large.fa'), '-o', join(dir, 'g.tsv')],
    ],
  ];
  console.log('peak memory (each command its own process)\tpeak RSS\twall');
  try {
    for (const [label, args] of commands) {
      const started = performance.now();
      const result = spawnSync(process.execPath, ['-r', join(root, 'bench', 'rss-hook.cjs'), join(root, 'bin', 'rnnseq'), ...args], {
        encoding: 'utf8',
        cwd: root,
      });
      const seconds = (performance.now() - started) / 1000;
      const kb = Number(/rnnseq-bench-max-rss-kb (\d+)/.exec(result.stderr)?.[1]);
      const rss = result.status === 0 && kb > 0 ? `${(kb / 1024).toFixed(0)} MB` : `failed: ${result.stderr.trim().split('\n')[0]}`;
      console.log([label, rss, `${seconds.toFixed(1)} s`].join('\t'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sections to run: all by default, or those named on the command line (`npm run bench -- scan memory`), so one
 * can be re-measured without the minutes the throughput table takes.
 */
const SECTIONS = ['throughput', 'scan', 'embed', 'memory'] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wanted = (name: (typeof SECTIONS)[number]) => asked.length === 0 || asked.includes(name);
if (wanted('throughput')) await main();
if (wanted('scan') || wanted('embed')) {
  const backend = await initBackend((process.env.RNNSEQ_BACKEND as 'wasm' | undefined) ?? 'auto');
  const fast = await selectCore('auto', backend);
  if (wanted('scan')) await scanSection(fast.core, fast.core.name);
  if (wanted('embed')) await embedSection(fast.core, fast.core.name);
}
if (wanted('memory')) await memorySection();
