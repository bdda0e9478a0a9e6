/** `rnnseq doctor`: its flags, help and example. */
import type { Command } from '@commander-js/extra-typings';
import { engineOptions, logOptions } from '../shared/flags.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('report the TensorFlow.js backend, native kernel status, SIMD level and threads')
    .addOption(engineOptions.backend())
    .addOption(logOptions.json())
    .addHelpText('after', '\nExample:\n  $ rnnseq doctor --json')
    .action(async (opts) => {
      const { run } = await import('./run.js');
      await run({ backend: opts.backend, json: opts.json });
    });
}
