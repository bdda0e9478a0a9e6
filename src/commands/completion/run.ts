/**
 * rnnseq completion bash|zsh: a shell completion script generated from the commander program itself, so every
 * command, option and choice list that cli.ts defines is completed, and a new one appears without an edit here.
 * Shipped model names (models/ of the installed package) are offered for -m/--model beside file names.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from '../../io/atomic.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import { packageRoot } from '../../version.js';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** The parts of a commander Command and Option this reads (structural, so any commander typing fits). */
export interface CommandLike {
  name(): string;
  description(): string;
  readonly commands: readonly CommandLike[];
  readonly options: readonly OptionLike[];
  readonly registeredArguments: readonly ArgumentLike[];
}

interface OptionLike {
  flags: string;
  description: string;
  short?: string;
  long?: string;
  required: boolean;
  optional: boolean;
  hidden: boolean;
  defaultValue?: unknown;
  argChoices?: string[];
}

interface ArgumentLike {
  name(): string;
  variadic: boolean;
  argChoices?: string[];
}

/** What a value after an option (or a positional) should complete to. */
type ValueKind =
  | { kind: 'none' }
  | { kind: 'choices'; choices: string[] }
  | { kind: 'files' }
  | { kind: 'directories' }
  | { kind: 'models' }
  | { kind: 'number' };

interface OptionSpec {
  names: string[]; // e.g. ['-o', '--out']
  description: string;
  value: ValueKind; // 'none': a flag
  placeholder: string;
  repeatable: boolean;
}

interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  positionals: Array<{ name: string; variadic: boolean; value: ValueKind }>;
}

export interface CompletionSpec {
  program: string;
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
  models: string[];
}

const HELP: OptionSpec = {
  names: ['-h', '--help'],
  description: 'display help for command',
  value: { kind: 'none' },
  placeholder: '',
  repeatable: false,
};
/** Placeholders that name a number: nothing to complete. */
const NUMERIC = new Set(['n', 'bp', 'rate', 'x', 'p', 'k', 'gb', 'f', 'K/N']);
const DIRECTORY = new Set(['dir']);

export function describeProgram(program: CommandLike, models: readonly string[]): CompletionSpec {
  const commands = program.commands.map((command) => ({
    name: command.name(),
    description: command.description(),
    options: [...command.options.filter((o) => !o.hidden).map(describeOption), HELP],
    positionals: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      variadic: argument.variadic,
      value: argument.argChoices
        ? ({ kind: 'choices', choices: argument.argChoices } as const)
        : argument.name() === 'model'
          ? ({ kind: 'models' } as const)
          : ({ kind: 'files' } as const),
    })),
  }));
  // commander answers `rnnseq help COMMAND`; it is not in program.commands.
  commands.push({
    name: 'help',
    description: 'display help for command',
    options: [],
    positionals: [{ name: 'command', variadic: false, value: { kind: 'choices', choices: commands.map((c) => c.name) } }],
  });
  return {
    program: program.name(),
    globalOptions: [...program.options.filter((o) => !o.hidden).map(describeOption), HELP],
    commands,
    models: [...models],
  };
}

function describeOption(option: OptionLike): OptionSpec {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]?.replace(/\.\.\.$/, '') ?? '';
  let value: ValueKind = { kind: 'none' };
  if (option.required || option.optional) {
    if (option.argChoices) value = { kind: 'choices', choices: option.argChoices };
    else if (option.long === '--model') value = { kind: 'models' };
    else if (NUMERIC.has(placeholder) || NUMERIC.has(placeholder.toLowerCase())) value = { kind: 'number' };
    else if (DIRECTORY.has(placeholder)) value = { kind: 'directories' };
    else value = { kind: 'files' };
  }
  return { names, description: option.description, value, placeholder, repeatable: Array.isArray(option.defaultValue) };
}

/** Shipped model names: the directories of models/ that hold a checkpoint. */
export async function shippedModels(): Promise<string[]> {
  const dir = join(packageRoot(), 'models');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries)
    if (entry.isDirectory() && (await exists(join(dir, entry.name, CHECKPOINT_FILES.spec)))) names.push(entry.name);
  return names.sort();
}

// ---- bash ----------------------------------------------------------------------------------------------------

export function bashScript(spec: CompletionSpec): string {
  const fn = `_${spec.program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const words = (list: readonly string[]) => list.map(bashWord).join(' ');
  const reply = (list: readonly string[]) => `mapfile -t COMPREPLY < <(compgen -W ${bashQuote(words(list))} -- "$cur")`;
  const valueReply = (value: ValueKind): string => {
    switch (value.kind) {
      case 'choices':
        return reply(value.choices);
      case 'directories':
        return 'mapfile -t COMPREPLY < <(compgen -d -- "$cur")';
      case 'models':
        return `mapfile -t COMPREPLY < <(compgen -W ${bashQuote(words(spec.models))} -- "$cur"; compgen -f -- "$cur")`;
      default:
        return ':';
    }
  };
  const cases = spec.commands.map((command) => {
    const valued = command.options.filter((o) => o.value.kind !== 'none');
    const special = valued.filter((o) => valueReply(o.value) !== ':');
    const plain = valued.filter((o) => valueReply(o.value) === ':').flatMap((o) => o.names);
    const prevCases = [
      ...special.map((o) => `        ${o.names.join('|')}) ${valueReply(o.value)}; return 0 ;;`),
      // a number or a file name follows: the shell's own file-name completion (-o default) takes over
      ...(plain.length > 0 ? [`        ${plain.join('|')}) return 0 ;;`] : []),
    ].join('\n');
    const first = command.positionals[0];
    const positional = first && valueReply(first.value) !== ':' ? `      else\n        ${valueReply(first.value)}\n` : '';
    return [
      `    ${bashWord(command.name)})`,
      valued.length > 0 ? `      case "$prev" in\n${prevCases}\n      esac` : '',
      `      if [[ "$cur" == -* ]]; then`,
      `        ${reply(command.options.flatMap((o) => o.names))}`,
      `${positional}      fi`,
      '      ;;',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return `# bash completion for ${spec.program}, generated by \`${spec.program} completion bash\` from its own command definitions.
# Install: ${spec.program} completion bash > ~/.local/share/bash-completion/completions/${spec.program}
# (or add  source <(${spec.program} completion bash)  to ~/.bashrc). Regenerate after upgrading ${spec.program}.
${fn}() {
  local cur prev cmd i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  COMPREPLY=()
  case "$cmd" in
    "")
      ${reply([...spec.commands.map((c) => c.name), ...spec.globalOptions.flatMap((o) => o.names)])}
      ;;
${cases.join('\n')}
  esac
  return 0
}
complete -o default -F ${fn} ${spec.program}
`;
}

function bashWord(word: string): string {
  return word.replace(/[^A-Za-z0-9_.,+/=:@%-]/g, (c) => `\\${c}`);
}

function bashQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// ---- zsh -----------------------------------------------------------------------------------------------------

export function zshScript(spec: CompletionSpec): string {
  const fn = `_${spec.program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const action = (value: ValueKind, placeholder: string): string => {
    const message = zshMessage(placeholder || 'value');
    switch (value.kind) {
      case 'choices':
        return `:${message}:(${value.choices.map(zshChoice).join(' ')})`;
      case 'directories':
        return `:${message}:_files -/`;
      case 'models':
        return `:${message}:${fn}_models`;
      case 'files':
        return `:${message}:_files`;
      case 'number':
        return `:${message}: `;
      default:
        return '';
    }
  };
  const optionSpecs = (options: readonly OptionSpec[]) =>
    options.flatMap((o) => {
      const exclusion = o.repeatable ? '*' : o.names.length > 1 ? `(${o.names.join(' ')})` : '';
      return o.names.map((name) => zshQuote(`${exclusion}${name}[${zshDescription(o.description)}]${action(o.value, o.placeholder)}`));
    });
  const cases = spec.commands.map((command) => {
    const positionals = command.positionals.map((p, i) =>
      zshQuote(`${p.variadic ? '*' : String(i + 1)}:${zshMessage(p.name)}${action(p.value, p.name).replace(/^:[^:]*/, '')}`),
    );
    const specs = [...optionSpecs(command.options), ...positionals];
    return `        ${command.name})\n          _arguments -s \\\n            ${specs.join(' \\\n            ')}\n          ;;`;
  });
  const described = spec.commands.map((c) => zshQuote(`${c.name.replace(/:/g, '\\:')}:${zshDescription(c.description)}`));
  return `#compdef ${spec.program}
# zsh completion for ${spec.program}, generated by \`${spec.program} completion zsh\` from its own command definitions.
# Install: ${spec.program} completion zsh > "\${fpath[1]}/_${spec.program}" (a directory on $fpath), then restart zsh;
# or add  source <(${spec.program} completion zsh)  to ~/.zshrc after compinit. Regenerate after upgrading ${spec.program}.

${fn}_models() {
  _alternative ${zshQuote(`models:shipped model:(${spec.models.map(zshChoice).join(' ')})`)} 'files:checkpoint directory:_files'
}

${fn}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands
  commands=(
    ${described.join('\n    ')}
  )
  _arguments -C \\
    ${optionSpecs(spec.globalOptions).join(' \\\n    ')} \\
    '1: :->command' \\
    '*:: :->arguments'
  case $state in
    command)
      _describe -t commands '${spec.program} command' commands
      ;;
    arguments)
      case $line[1] in
${cases.join('\n')}
      esac
      ;;
  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${spec.program}
fi
`;
}

/** Inside '...': only the quote itself needs care. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** An _arguments [description]: brackets and backslashes are special; keep it to one short line. */
function zshDescription(text: string): string {
  const short = text.length > 90 ? `${text.slice(0, 87).replace(/\s+\S*$/, '')}...` : text;
  return short.replace(/\\/g, '\\\\').replace(/\[/g, '\\[').replace(/\]/g, '\\]');
}

/** A message between colons: no colons of its own. */
function zshMessage(text: string): string {
  return text.replace(/:/g, ' ').replace(/[<>[\]]/g, '');
}

function zshChoice(word: string): string {
  return word.replace(/[^A-Za-z0-9_.,+/=@%-]/g, (c) => `\\${c}`);
}

export interface CompletionOptions {
  shell: Shell;
  program: CommandLike;
}

export async function run(options: CompletionOptions): Promise<void> {
  const spec = describeProgram(options.program, await shippedModels());
  process.stdout.write(options.shell === 'bash' ? bashScript(spec) : zshScript(spec));
}
