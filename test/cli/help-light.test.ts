import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * Runs bin/rnnseq with hooks that refuse to load any @tensorflow package: one on ESM resolution, one on CommonJS
 * loading (the engine loads TensorFlow.js with require, src/engine/tf.ts, which the ESM hook does not see).
 */
function withoutTensorflow(dir: string, args: string[]) {
  const hook = join(dir, 'no-tensorflow.mjs');
  const resolve = `export async function resolve(specifier, context, next) {
    if (specifier.includes('@tensorflow')) throw new Error('TensorFlow.js was loaded: ' + specifier);
    return next(specifier, context);
  }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolve)}));\n`,
  );
  const requireHook = join(dir, 'no-tensorflow.cjs');
  writeFileSync(
    requireHook,
    `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.includes('@tensorflow')) throw new Error('TensorFlow.js was loaded: ' + request);
  return load.call(this, request, ...rest);
};
`,
  );
  return spawnSync(process.execPath, ['--require', requireHook, '--import', hook, join(repoRoot, 'bin', 'rnnseq'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, RNNSEQ_DEBUG: '1' },
  });
}

test('help answers without loading TensorFlow.js, for the program and every command', (t) => {
  const dir = tempDir(t);
  for (const args of [
    ['--help'],
    ['train', '--help'],
    ['classify', '--help'],
    ['scan', '--help'],
    ['explain', '--help'],
    ['embed', '--help'],
    ['phylo', '--help'],
    ['report', '--help'],
    ['doctor', '--help'],
    ['completion', 'bash'],
  ]) {
    const result = withoutTensorflow(dir, args);
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /TensorFlow\.js was loaded/, args.join(' '));
  }
  // The hook itself works: doctor does load TensorFlow.js, and is stopped.
  const doctor = withoutTensorflow(dir, ['doctor']);
  assert.notEqual(doctor.status, 0);
  assert.match(doctor.stderr, /TensorFlow\.js was loaded/);
});
