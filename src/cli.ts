import { Command, Option, CommanderError } from '@commander-js/extra-typings';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from './errors.js';
import { rnnseqVersion } from './version.js';

/**
 * The entry point: command definitions only. Each action imports its command module when it runs, so
 * `rnnseq --help` never loads TensorFlow.js.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('rnnseq')
    .description('Recurrent neural networks for biological sequences: train and run LSTM/GRU models on FASTA.')
    .version(rnnseqVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'rnnseq: ')) })
    .exitOverride();

  program.addHelpText(
    'after',
    `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ rnnseq train -o runs/splice --alphabet dna ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq doctor`,
  );

  program
    .command('train')
    .description('train a sequence classifier on labelled FASTA (labels from a header tag or one file per class)')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin) whose headers carry label=CLASS")
    .requiredOption('-o, --out <dir>', 'run directory: best/ and last/ checkpoints, metrics.tsv')
    .option('--class <name=file>', 'one FASTA file per class (repeatable) instead of header labels', collect, [] as string[])
    .option('--label-tag <key>', 'header tag that holds the class', 'label')
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(['auto', 'dna', 'rna', 'protein'] as const).default('auto' as const))
    .option('--length <bp>', 'fixed input length: longer sequences keep their centre, shorter are padded and masked')
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(['lstm', 'gru', 'rnn', 'cifg'] as const).default('lstm' as const))
    .option('--hidden <n>', 'hidden units per direction', '64')
    .option('--layers <n>', 'stacked recurrent layers', '1')
    .option('--bidirectional', 'read both directions and concatenate', false)
    .option('--dropout <rate>', 'dropout between layers and before the head', '0')
    .addOption(new Option('--pool <how>', 'how per-position states become one vector').choices(['last', 'mean', 'max'] as const).default('mean' as const))
    .option('--epochs <n>', 'maximum epochs', '20')
    .option('--batch-size <n>', 'sequences per batch', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .option('--clip-norm <x>', 'clip gradients to this global norm (0: off)', '5')
    .option('--patience <n>', 'stop after n epochs without a better validation loss (0: never)', '5')
    .option('--seed <n>', 'random seed: same seed, same data, same thread count -> same weights', '1')
    .option('--valid <file>', 'validation FASTA (labels from the same header tag)')
    .option('--valid-fraction <f>', 'hold out this stratified fraction for validation when --valid is not given', '0.1')
    .option('--resume', 'continue the run in --out from its last/ checkpoint', false)
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq train -o runs/splice --bidirectional --epochs 30 ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq train -o runs/enh --class enhancer=enh.fa --class background=bg.fa --length 200`,
    )
    .action(async (inputs, opts) => {
      const { parseTrainOptions } = await import('./commands/train-options.js');
      const { run } = await import('./commands/train.js');
      await run(parseTrainOptions(inputs, opts, process.argv.slice(2).join(' ')));
    });

  program
    .command('classify')
    .description('classify sequences with a trained model; TSV (id, label, p_<class>...) to stdout or -o')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write the TSV here (atomically) instead of stdout')
    .option('--batch-size <n>', 'sequences per batch', '256')
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ zcat reads.fa.gz | rnnseq classify -m runs/splice - -o calls.tsv`,
    )
    .action(async (inputs, opts) => {
      const { parseCommon, parseNumber } = await import('./commands/runtime.js');
      const { run } = await import('./commands/classify.js');
      await run({ ...parseCommon(opts), model: opts.model, inputs, out: opts.out, batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }) });
    });

  program
    .command('doctor')
    .description('report the TensorFlow.js backend, native kernel status, SIMD level and threads')
    .addOption(engineOptions.backend())
    .addOption(logOptions.json())
    .addHelpText('after', '\nExample:\n  $ rnnseq doctor --json')
    .action(async (opts) => {
      const { run } = await import('./commands/doctor.js');
      await run({ backend: opts.backend, json: opts.json });
    });

  return program;
}

const engineOptions = {
  backend: () =>
    new Option('--backend <name>', 'TensorFlow.js backend (auto: tensorflow if tfjs-node is installed, else wasm, else cpu)')
      .choices(['auto', 'tensorflow', 'wasm', 'cpu'] as const)
      .default('auto' as const),
  engine: () =>
    new Option('--engine <name>', 'recurrent core: native fused CPU kernels or the tfjs reference (env RNNSEQ_ENGINE=ref)').choices(['auto', 'native', 'ref'] as const).default('auto' as const),
  threads: () => new Option('--threads <n>', 'native kernel threads (default: SLURM_CPUS_PER_TASK, OMP_NUM_THREADS, or all cores)'),
};

const logOptions = {
  quiet: () => new Option('-q, --quiet', 'only warnings and errors on stderr').default(false),
  json: () => new Option('--json', 'log one JSON object per line on stderr (for batch jobs)').default(false),
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI; turns every failure into one line on stderr and an exit code. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `rnnseq ... | head` closes the pipe early: that is the reader's choice, not an error.
    if (error.code === 'EPIPE') process.exit(0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : EXIT_USAGE; // commander already printed its message
  }
  if (error instanceof RnnseqError) {
    process.stderr.write(`rnnseq: ${error.message}\n`);
    return error.exitCode;
  }
  const err = error as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? ' (disk full)' : err.code === 'EACCES' ? ' (permission denied)' : '';
  process.stderr.write(`rnnseq: ${err?.message ?? String(error)}${hint}\n`);
  if (process.env.RNNSEQ_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('rnnseq: this is a bug if the message does not say what to fix; rerun with RNNSEQ_DEBUG=1 and report the trace\n');
  return EXIT_RUNTIME;
}
