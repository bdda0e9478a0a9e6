import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** CI (.ci/run) installs every system tool the tests use, so there a missing one fails the test. */
const onCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/**
 * Whether a system tool a test needs (bedtools, zsh, chromium, snakemake) is there. Where it is missing the test is
 * skipped with a one-line reason, or fails when CI is set. `found` defaults to running `name --version`.
 */
export function needTool(
  t: { skip(message?: string): void },
  name: string,
  found: boolean = spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0,
): boolean {
  if (found) return true;
  const install = `apt-get install ${name}; .ci/run installs it`;
  if (onCi) assert.fail(`${name} is not installed (${install})`);
  t.skip(`${name} is not installed (${install})`);
  return false;
}
