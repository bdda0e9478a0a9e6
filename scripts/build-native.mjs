#!/usr/bin/env node
// Builds the native recurrent kernels (src/native) with node-gyp. Run by npm's `install` script, where a failed
// build must not fail `npm ci`: rnnseq then runs on the tfjs reference engine, and this prints one line saying so.
//
//   node scripts/build-native.mjs            best effort, exit 0 (npm install)
//   node scripts/build-native.mjs --strict   show the compiler output and exit non-zero on failure
//   RNNSEQ_SKIP_NATIVE=1                     skip the build
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const warn = (why) =>
  console.error(
    `rnnseq: native kernels not built (${why}); rnnseq will use the slower reference engine. Run 'node scripts/build-native.mjs --strict' for details.`,
  );

function nodeGypCommand() {
  // npm tells its scripts where its own node-gyp is; npm_execpath points at npm-cli.js, next to npm's node_modules.
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath)
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  // Run by hand: the npm installed with this Node (distribution packages and official tarballs alike).
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const script of candidates) if (script && existsSync(script)) return [process.execPath, [script]];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return ['node-gyp', []];
  return ['npx', ['--no-install', 'node-gyp']];
}

function main() {
  if (process.env.RNNSEQ_SKIP_NATIVE === '1') {
    console.error('rnnseq: RNNSEQ_SKIP_NATIVE=1, native kernels not built; rnnseq will use the reference engine.');
    return 0;
  }
  if (process.arch !== 'x64') {
    warn(`the kernels target x86-64, this is ${process.arch}`);
    return strict ? 1 : 0;
  }
  try {
    createRequire(join(root, 'package.json')).resolve('node-addon-api');
  } catch {
    warn('node-addon-api is not installed');
    return strict ? 1 : 0;
  }

  const [command, prefix] = nodeGypCommand();
  const args = [...prefix, 'rebuild', '--jobs=max', '--directory', join(root, 'src', 'native')];
  // Build against the headers of the Node that runs us when they are installed beside it (distribution packages,
  // official tarballs), so the build works offline instead of downloading a header tarball.
  const prefixDir = resolve(dirname(process.execPath), '..');
  const configured = process.env.npm_config_nodedir;
  if (!configured && existsSync(join(prefixDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefixDir}`);

  const result = spawnSync(command, args, { cwd: root, stdio: strict ? 'inherit' : 'pipe', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status === 0) return 0;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const firstError = output.split('\n').find((line) => /error/i.test(line) && !/^gyp (info|http)/.test(line));
  const why = result.error
    ? `${command}: ${result.error.message}`
    : (firstError?.trim().slice(0, 200) ?? `node-gyp exited with ${result.status}`);
  warn(why);
  return strict ? 1 : 0;
}

process.exitCode = main();
