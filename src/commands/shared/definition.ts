import type { Command } from '@commander-js/extra-typings';

/**
 * What each command's definition file (src/commands/<name>/command.ts) exports: it adds the command, with its
 * flags, help text and examples, to the program. The action imports the command's run module only when it runs,
 * so defining every command never loads TensorFlow.js.
 */
export type RegisterCommand = (program: Command) => void;
