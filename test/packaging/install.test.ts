import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * What an HPC admin does: `npm pack`, then `npm install -g` of the tarball into a prefix, then rnnseq from any
 * directory. The install reaches only the npm registry (or, here, npm's local cache). It builds the native
 * kernels where a compiler is there, as `npm ci` does, and otherwise must still succeed and say so.
 */
/** The environment of a fresh shell: no switch of this test run (engine, skipped build) leaks into the install. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  for (const name of ['RNNSEQ_SKIP_NATIVE', 'RNNSEQ_ENGINE', 'RNNSEQ_THREADS']) delete env[name];
  return env;
}

function run(command: string, args: string[], options: { cwd: string }): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: options.cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function canCompile(): boolean {
  return (
    process.arch === 'x64' && ['g++', 'make', 'python3'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0)
  );
}

test('npm pack installs globally; rnnseq runs from another directory with its shipped models and native kernels', {
  timeout: 600_000,
}, (t) => {
  const dir = tempDir(t, 'rnnseq-pack-');
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

  // dist/ was compiled by `npm test` (tsc) before this runs; prepare would only compile it again.
  const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(dir, `rnnseq-${pkg.version}.tgz`);
  const listing = run('tar', ['tzf', tarball], { cwd: dir })
    .stdout.split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  for (const file of [
    'bin/rnnseq',
    'dist/src/cli.js',
    'dist/src/report/html.js',
    'models/splice-primate/rnnseq.json',
    'models/splice-primate/weights.bin',
    'scripts/build-native.mjs',
    'README.md',
  ]) {
    assert.ok(listing.includes(file), `the tarball holds ${file}`);
  }
  const nativeSources = readdirSync(join(repoRoot, 'src', 'native')).filter((f) => /\.(cc|h|gyp)$/.test(f));
  assert.deepEqual(
    nativeSources.filter((f) => !listing.includes(`src/native/${f}`)),
    [],
    'every native source ships, so the install can build',
  );
  assert.deepEqual(
    listing.filter((f) => /^(dist\/test|dist\/bench|src\/native\/build|src\/node_modules|node_modules)\//.test(f)),
    [],
    'no tests, build output or modules',
  );

  const prefix = join(dir, 'prefix');
  const installed = run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball],
    { cwd: dir },
  );
  assert.equal(installed.status, 0, installed.stderr);

  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  const rnnseq = (args: string[], input?: string) => {
    const result = spawnSync(join(prefix, 'bin', 'rnnseq'), args, {
      cwd: elsewhere,
      encoding: 'utf8',
      input: input ?? '',
      env: cleanEnv(),
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const version = rnnseq(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);

  // The fixture is copied: the installed rnnseq must not lean on the checkout in any way.
  const fixture = readFileSync(join(repoRoot, 'fixtures', 'splice-sample.fa'), 'utf8');
  writeFileSync(join(elsewhere, 'sample.fa'), fixture);
  const classified = rnnseq(['classify', '-m', 'splice-primate', '-q', 'sample.fa']);
  assert.equal(classified.status, 0, classified.stderr);
  const rows = classified.stdout.trim().split('\n');
  assert.equal(rows[0], 'id\tlabel\tp_EI\tp_IE\tp_N');
  const truth = [...fixture.matchAll(/^>(\S+) .*label=(\S+)/gm)].map((m) => m[2]);
  assert.equal(rows.length - 1, truth.length);
  const correct = rows.slice(1).filter((row, i) => row.split('\t')[1] === truth[i]).length;
  assert.ok(correct / truth.length >= 0.85, `the shipped model classifies the held-out sample: ${correct}/${truth.length}`);

  const doctor = rnnseq(['doctor', '--json']);
  assert.equal(doctor.status, 0, doctor.stderr);
  const facts = JSON.parse(doctor.stdout) as { engine: string; rnnseq: string };
  assert.equal(facts.rnnseq, pkg.version);
  if (canCompile()) {
    assert.match(facts.engine, /^native/, `a compiler is here, so the install builds the kernels: ${facts.engine}`);
  } else {
    assert.match(`${installed.stdout}${installed.stderr}`, /native kernels not built/, 'the install says it skipped the kernels');
    assert.match(facts.engine, /^reference/, facts.engine);
  }

  const report = rnnseq(['report', 'splice-primate', '-q']);
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /<svg xmlns[^>]*data-figure="loss"/, 'report runs on runtime dependencies alone');
  const completion = rnnseq(['completion', 'bash']);
  assert.match(completion.stdout, /compgen -W 'chloroplast-cds splice-primate'/, 'completion lists the installed models');
});
