import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli.js';
import { FIGURE_NAMES } from '../../src/report/figures.js';
import { runCli, tempDir } from '../helpers.js';
import { needTool } from '../system-tools.js';

/** Every command and its long options, read from the same commander program the CLI runs. */
async function programWords(): Promise<Array<{ command: string; options: string[] }>> {
  return (await buildProgram()).commands.map((command) => ({
    command: command.name(),
    options: command.options.flatMap((o) => [o.short, o.long].filter((n): n is string => n !== undefined)),
  }));
}

/** What bash offers for a command line whose last word is being completed. */
function bashComplete(script: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _rnnseq; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      script,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean);
}

test('the bash script parses, and completes every command, option and choice list of the program', async (t) => {
  const dir = tempDir(t);
  const generated = await runCli(['completion', 'bash']);
  assert.equal(generated.code, 0, generated.stderr);
  const script = join(dir, 'rnnseq.bash');
  writeFileSync(script, generated.stdout);
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const commands = bashComplete(script, ['rnnseq', '']);
  const program = await programWords();
  for (const { command, options } of program) {
    assert.ok(commands.includes(command), `command ${command}`);
    const offered = bashComplete(script, ['rnnseq', command, '-']);
    assert.deepEqual(
      options.filter((o) => !offered.includes(o)),
      [],
      `options of ${command}`,
    );
  }
  assert.ok(program.some((c) => c.command === 'report') && program.some((c) => c.command === 'completion'));
  assert.deepEqual(bashComplete(script, ['rnnseq', 'train', '--cell', '']), ['lstm', 'gru', 'rnn', 'cifg']);
  const trainC = bashComplete(script, ['rnnseq', 'train', '--c']);
  assert.deepEqual(
    trainC.sort(),
    program
      .find((c) => c.command === 'train')!
      .options.filter((o) => o.startsWith('--c'))
      .sort(),
  );
  assert.ok(trainC.includes('--cell') && trainC.includes('--clip-norm'));
  assert.deepEqual(
    bashComplete(script, ['rnnseq', 'report', 'run', '--svg', '']),
    [...FIGURE_NAMES],
    'report --svg offers the figures report draws',
  );
  assert.deepEqual(bashComplete(script, ['rnnseq', 'completion', '']), ['bash', 'zsh']);
  assert.ok(bashComplete(script, ['rnnseq', 'classify', '-m', 'spl']).includes('splice-primate'), 'shipped models for -m');
  assert.ok(bashComplete(script, ['rnnseq', 'scan', '--su']).includes('--summary'));
});

/**
 * Types a line and TAB into an interactive zsh (zpty) and returns what the terminal shows once `waitFor`
 * appears (a candidate the typed line does not contain), control sequences removed.
 */
function zshComplete(script: string, line: string, waitFor: string): string {
  const readUntil = (marker: string) =>
    `out=''; SECONDS=0
while [[ $out != *${marker}* ]] && (( SECONDS < 25 )); do if zpty -r -t z chunk; then out+=$chunk; else sleep 0.1; fi; done`;
  const driver = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1="> "; autoload -U compinit; compinit -u -D; source ${script}; print -r -- RNNSEQ""READY'
${readUntil('RNNSEQREADY')}
zpty -w -n z $'${line}\\t'
${readUntil(waitFor)}
sleep 0.3
while zpty -r -t z chunk; do out+=$chunk; done
print -r -- "$out"
zpty -d z`;
  const result = spawnSync('zsh', ['-f', '-c', driver], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what starts the terminal control sequences taken out
  return result.stdout.replace(/\x1B\[[0-9;?]*[A-Za-z]/g, ' ');
}

test('the zsh script parses, registers itself and completes choices in a real zsh', async (t) => {
  const dir = tempDir(t);
  const generated = await runCli(['completion', 'zsh']);
  assert.equal(generated.code, 0, generated.stderr);
  const script = join(dir, '_rnnseq');
  writeFileSync(script, generated.stdout);
  if (!needTool(t, 'zsh')) return;
  const syntax = spawnSync('zsh', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const registered = spawnSync(
    'zsh',
    ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${script} && print -r -- $_comps[rnnseq]`],
    { encoding: 'utf8' },
  );
  assert.equal(registered.stdout.trim(), '_rnnseq', registered.stderr);
  for (const { command, options } of await programWords()) {
    assert.match(generated.stdout, new RegExp(`^    '${command}:`, 'm'), `command ${command}`);
    for (const option of options) assert.ok(generated.stdout.includes(`${option}[`), `${command} ${option}`);
  }
  // zsh lists the candidates under the line, in columns; the typed line itself names none of them
  const cells = zshComplete(script, 'rnnseq train --cell ', 'cifg');
  for (const cell of ['lstm', 'gru', 'rnn', 'cifg']) assert.match(cells, new RegExp(`\\b${cell}\\b`), cells);
  const figures = zshComplete(script, 'rnnseq report x --png ', 'reliability');
  for (const name of FIGURE_NAMES) assert.match(figures, new RegExp(`\\b${name}\\b`), figures);
});

test('completion refuses an unknown shell with a usage error', async () => {
  const result = await runCli(['completion', 'fish']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /fish/);
  assert.equal(result.stdout, '');
});
