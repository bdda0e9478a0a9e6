/**
 * Flags that several commands define the same way, each defined once here: the engine and log flags of every
 * command that runs a model, --max-memory's default, and repeatable flags.
 */
import os from 'node:os';
import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { BACKEND_REQUESTS, ENGINE_REQUESTS } from '../../engine/requests.js';

export const engineOptions = {
  backend: () =>
    new Option('--backend <name>', 'TensorFlow.js backend (auto: tensorflow if tfjs-node is installed, else wasm, else cpu)')
      .choices(BACKEND_REQUESTS)
      .default('auto' as const),
  engine: () =>
    new Option('--engine <name>', 'recurrent core: native fused CPU kernels or the tfjs reference (env RNNSEQ_ENGINE=ref)')
      .choices(ENGINE_REQUESTS)
      .default('auto' as const),
  threads: () =>
    new Option('--threads <n>', 'native kernel threads (default: RNNSEQ_THREADS, OMP_NUM_THREADS, SLURM_CPUS_PER_TASK, or all cores)'),
};

export const logOptions = {
  quiet: () => new Option('-q, --quiet', 'only warnings and errors on stderr').default(false),
  json: () => new Option('--json', 'log one JSON object per line on stderr (for batch jobs)').default(false),
};

/** The backend, engine, thread and logging options of every command that runs a model, added in one place. */
export function withRuntimeOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
) {
  return command
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json());
}

/** Half the machine (or the job's share as the OS reports it), so a long-sequence run cannot take it all. */
export function defaultMaxMemoryGb(): string {
  return (os.totalmem() / 2 ** 30 / 2).toFixed(1);
}

/** For repeatable flags (--region, --class NAME=FILE, ...): every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A command that runs a model over FASTA records: its inputs (stdin by default) and -m, defined once. */
export function modelOverRecords(program: Command, name: string, description: string) {
  return program
    .command(name)
    .description(description)
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name');
}
