import { Command, CommanderError } from '@commander-js/extra-typings';
import type { RegisterCommand } from './commands/shared/definition.js';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from './errors.js';
import { rnnseqVersion } from './version.js';

/**
 * The entry point: a map from command name to its definition (src/commands/<name>/command.ts: flags, help,
 * examples, parsing), imported only when needed. A definition imports its command's run module only when the
 * command runs, so `rnnseq --help` and `rnnseq train --help` never load TensorFlow.js.
 */
const COMMANDS: Record<string, () => Promise<{ register: RegisterCommand }>> = {
  train: () => import('./commands/train/command.js'),
  classify: () => import('./commands/classify/command.js'),
  scan: () => import('./commands/scan/command.js'),
  explain: () => import('./commands/explain/command.js'),
  embed: () => import('./commands/embed/command.js'),
  phylo: () => import('./commands/phylo/command.js'),
  report: () => import('./commands/report/command.js'),
  completion: () => import('./commands/completion/command.js'),
  doctor: () => import('./commands/doctor/command.js'),
  bigwig: () => import('./commands/bigwig/command.js'),
};

/**
 * The program with the commands `argv` needs: only the one it names (the usual case), else all of them (for the
 * overview in --help, and for completion, which describes every command).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
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
  const named = argv[2];
  const needed = named !== undefined && named !== 'completion' && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  const definitions = await Promise.all(needed.map((name) => COMMANDS[name]!()));
  for (const { register } of definitions) register(program);
  return program;
}

/** Runs the CLI; turns every failure into one line on stderr and an exit code. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `rnnseq ... | head` closes the pipe early: that is the reader's choice, not an error.
    if (error.code === 'EPIPE') process.exit(0);
    // Anything else (a full disk behind `> file`) must not pass silently: the output would look complete.
    process.stderr.write(
      `rnnseq: cannot write to stdout: ${error.code === 'ENOSPC' ? 'no space left on device (disk full)' : error.message}\n`,
    );
    process.exit(EXIT_RUNTIME);
  });
  try {
    await (await buildProgram(argv)).parseAsync(argv);
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
  else
    process.stderr.write('rnnseq: this is a bug if the message does not say what to fix; rerun with RNNSEQ_DEBUG=1 and report the trace\n');
  return EXIT_RUNTIME;
}
