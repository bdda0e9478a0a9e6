/** `rnnseq completion`: its argument, help and examples; the script is generated from the program's definitions. */
import { Argument, type Command } from '@commander-js/extra-typings';
import { SHELLS } from './run.js';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a bash or zsh completion script for rnnseq (generated from its own commands and options)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq completion bash > ~/.local/share/bash-completion/completions/rnnseq
  $ echo 'source <(rnnseq completion bash)' >> ~/.bashrc
  $ rnnseq completion zsh > "\${fpath[1]}/_rnnseq"      # then restart zsh`,
    )
    .action(async (shell) => {
      const { run } = await import('./run.js');
      await run({ shell, program });
    });
}
