/**
 * npm run bench:quality: does rnnseq's default recipe match the tools a user would otherwise pick? For every task
 * of the suite (bench/quality/tasks.ts), training size and seed, it trains the default recipe exactly as a user
 * does (`rnnseq train -o RUN train.fa`, data only) and classifies the test split, and beside it, on the same
 * split in the same run: the in-project k-mer linear baseline, gkm-SVM (LS-GKM, binary nucleotide tasks), a
 * one-hot MLP (fixed-length tasks), for 16S an RDP-style 8-mer naive Bayes and, for proteins, HMMER's phmmer as a
 * nearest-neighbour classifier. Candidate recipes (--recipe) are extra columns. Writes OUT/results.tsv (every
 * point) and OUT/results.md (mean ± sd, training time), and prints the table. A benchmark, never a timed test:
 * numbers vary with the machine and its load.
 *
 *   npm run bench:quality -- --tier quick
 *   npm run bench:quality -- --tier full --jobs 16 --out runs/quality-full
 *   npm run bench:quality -- --tasks splice,clip-pum2 --sizes 500,full --seeds 3 --methods rnnseq,kmer \
 *       --recipe="--pool max --bidirectional" --label bi-max
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureGkm, gkmApplies, runGkm, type GkmTools } from './quality/gkm.js';
import { findPhmmer, hmmerApplies, runHmmer } from './quality/hmmer.js';
import { type PointMeta, readPoint } from './quality/point.js';
import { findShared, pointTraining, writePoint } from './quality/prepare.js';
import { lastLine, runLogged, runPool } from './quality/processes.js';
import { resultsMarkdown, resultsTsv } from './quality/report.js';
import type { MethodResult, ResultRow } from './quality/result.js';
import { rnnseqCli, runRnnseq } from './quality/rnnseq.js';
import { type BenchTask, TASKS, findTask } from './quality/tasks.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const BASELINES = ['kmer', 'poskmer', 'cvkmer', 'gkm', 'mlp', 'rdp', 'hmmer'] as const;

/** quick: minutes, for iterating; full: every task at every size (hours; use --jobs on a large machine). */
const QUICK: Array<{ task: string; sizes: Array<number | 'full'> }> = [
  { task: 'motif-anywhere', sizes: ['full'] },
  { task: 'splice', sizes: [500] },
  { task: 'clip-pum2', sizes: [500] },
  { task: 'coiled-coil', sizes: ['full'] },
];

function quickSizes(task: BenchTask): Array<number | 'full'> {
  return QUICK.find((q) => q.task === task.name)?.sizes ?? (task.curve.includes(500) ? [500] : ['full']);
}

interface Recipe {
  label: string;
  flags: string[];
}

interface Options {
  plan: Array<{ task: BenchTask; sizes: Array<number | 'full'> }>;
  seeds: number;
  jobs: number;
  threads: number;
  recipes: Recipe[];
  baselines: string[];
  out: string;
  data: string;
  peers: string;
  cache: string;
  gkmMax: number;
  keep: boolean;
}

const USAGE = `usage: npm run bench:quality -- [options]
  --tier quick|full        quick: 4 small points x seeds (~10 min on 2 free cores); full: every task and size (hours)   [quick]
  --tasks a,b              only these tasks (${TASKS.map((t) => t.name).join(', ')})
  --sizes 250,500,full     training sizes instead of each task's learning curve ('full' = the whole training split)
  --seeds N                seeds 1..N (each changes the subsample, the hold-out where drawn, and --seed)   [3]
  --jobs N                 points run in parallel processes                                               [1]
  --threads N              engine threads per job (RNNSEQ_THREADS)                      [cores / jobs, at least 1]
  --recipe="FLAGS"         a candidate recipe: extra rnnseq train flags (repeatable; a column each; the = is needed, the flags start with a dash)
  --label NAME             name of the matching --recipe column (repeatable, in order)
  --no-default             leave out the default recipe column
  --methods a,b            baselines to run: kmer,poskmer,cvkmer,gkm,mlp,rdp,hmmer (or none)                        [all]
  --out DIR                results and work files                                       [bench-results/quality-TIER]
  --data DIR               the shared data sets                                         [../shared/data of the checkout]
  --peers DIR              peer tool sources (lsgkm/)                                   [../shared/peers of the checkout]
  --cache DIR              where LS-GKM is built                       [$RNNSEQ_PEERS_CACHE or ~/.cache/rnnseq-peers]
  --gkm-max N              skip gkm-SVM above this many training sequences (its time grows ~n^2)         [10000]
  --keep                   keep every rnnseq run directory`;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      tier: { type: 'string', default: 'quick' },
      tasks: { type: 'string' },
      sizes: { type: 'string' },
      seeds: { type: 'string', default: '3' },
      jobs: { type: 'string', default: '1' },
      threads: { type: 'string' },
      recipe: { type: 'string', multiple: true, default: [] },
      label: { type: 'string', multiple: true, default: [] },
      'no-default': { type: 'boolean', default: false },
      methods: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      peers: { type: 'string' },
      cache: { type: 'string' },
      'gkm-max': { type: 'string', default: '10000' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const tier = values.tier!;
  if (tier !== 'quick' && tier !== 'full') throw new Error(`--tier must be quick or full, got '${tier}'`);
  const positive = (flag: string, raw: string | undefined) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${raw}'`);
    return n;
  };
  const sizes = values.sizes?.split(',').map((s) => (s === 'full' ? ('full' as const) : positive('--sizes', s)));
  const chosen = values.tasks ? values.tasks.split(',').map(findTask) : undefined;
  const plan = chosen
    ? chosen.map((task) => ({ task, sizes: sizes ?? (tier === 'quick' ? quickSizes(task) : [...task.curve, 'full' as const]) }))
    : tier === 'quick'
      ? QUICK.map((q) => ({ task: findTask(q.task), sizes: sizes ?? q.sizes }))
      : TASKS.map((task) => ({ task, sizes: sizes ?? [...task.curve, 'full' as const] }));
  const jobs = positive('--jobs', values.jobs);
  const recipes: Recipe[] = values['no-default'] ? [] : [{ label: 'rnnseq', flags: [] }];
  values.recipe!.forEach((flags, i) =>
    recipes.push({ label: values.label![i] ?? `recipe${i + 1}`, flags: flags.split(/\s+/).filter(Boolean) }),
  );
  const baselines = values.methods === undefined ? [...BASELINES] : values.methods === 'none' ? [] : values.methods.split(',');
  for (const b of baselines)
    if (!(BASELINES as readonly string[]).includes(b)) throw new Error(`--methods: unknown baseline '${b}' (${BASELINES.join(', ')})`);
  const shared = findShared(repoRoot);
  return {
    plan,
    seeds: positive('--seeds', values.seeds),
    jobs,
    threads: values.threads ? positive('--threads', values.threads) : Math.max(1, Math.floor(availableParallelism() / jobs)),
    recipes,
    baselines,
    out: resolve(values.out ?? join(repoRoot, 'bench-results', `quality-${tier}`)),
    data: resolve(values.data ?? process.env.RNNSEQ_DATA ?? join(shared, 'data')),
    peers: resolve(values.peers ?? join(shared, 'peers')),
    cache: resolve(values.cache ?? process.env.RNNSEQ_PEERS_CACHE ?? join(homedir(), '.cache', 'rnnseq-peers')),
    gkmMax: positive('--gkm-max', values['gkm-max']),
    keep: values.keep!,
  };
}

interface PreparedPoint {
  dir: string;
  meta: PointMeta;
}

/** Writes each point's train.fa, test.fa and meta.json once; every method reads the same files. */
async function preparePoints(options: Options): Promise<PreparedPoint[]> {
  const points: PreparedPoint[] = [];
  for (const { task, sizes } of options.plan) {
    for (let seed = 1; seed <= options.seeds; seed++) {
      const { train, test } = await task.load(options.data, seed);
      for (const size of sizes) {
        const chosen = pointTraining(task, train, size, seed);
        if (!chosen) continue; // a curve size at or above the whole split: that is the full point
        const dir = join(options.out, 'work', task.name, `n${chosen.length}`, `s${seed}`);
        points.push({ dir, meta: writePoint(dir, task, chosen, test, seed, size === 'full') });
      }
    }
  }
  return points;
}

interface Job {
  point: PreparedPoint;
  method: string;
  flags: string[];
  resultFile: string;
}

function planJobs(points: PreparedPoint[], options: Options): Job[] {
  const jobs: Job[] = [];
  for (const point of points) {
    const key = `${point.meta.task}__n${point.meta.size}__s${point.meta.seed}`;
    for (const recipe of options.recipes)
      jobs.push({
        point,
        method: recipe.label,
        flags: recipe.flags,
        resultFile: join(options.out, 'points', `${key}__${recipe.label}.json`),
      });
    for (const method of options.baselines)
      jobs.push({ point, method, flags: [], resultFile: join(options.out, 'points', `${key}__${method}.json`) });
  }
  return jobs;
}

function isRecipe(job: Job, options: Options): boolean {
  return options.recipes.some((r) => r.label === job.method);
}

async function runJob(job: Job, options: Options, gkm: () => Promise<GkmTools>): Promise<ResultRow> {
  const { meta, dir } = job.point;
  const base = {
    task: meta.task,
    size: meta.size,
    full: meta.full,
    seed: meta.seed,
    method: job.method,
    flags: job.flags.join(' '),
    metricName: meta.metric,
    threads: options.threads,
  };
  if (existsSync(job.resultFile)) {
    const previous = JSON.parse(readFileSync(job.resultFile, 'utf8')) as ResultRow;
    if (previous.flags === base.flags && previous.status !== 'failed') return previous; // a rerun resumes an interrupted bench
  }
  const workDir = join(dir, job.method);
  mkdirSync(workDir, { recursive: true });
  let result: MethodResult;
  try {
    result = await runMethod(job, options, workDir, gkm);
  } catch (error) {
    result = { status: 'failed', detail: (error as Error).message.split('\n')[0] };
  }
  const row: ResultRow = { ...base, ...result };
  mkdirSync(dirname(job.resultFile), { recursive: true });
  writeFileSync(job.resultFile, `${JSON.stringify(row)}\n`);
  const shown =
    row.status === 'ok'
      ? `${meta.metric} ${row.metric!.toFixed(4)}, train ${row.trainSeconds!.toFixed(1)} s`
      : `${row.status}: ${row.detail}`;
  process.stderr.write(`quality: ${meta.task} n=${meta.size} seed ${meta.seed} ${job.method}: ${shown}\n`);
  return row;
}

async function runMethod(job: Job, options: Options, workDir: string, gkm: () => Promise<GkmTools>): Promise<MethodResult> {
  const { meta, dir } = job.point;
  if (isRecipe(job, options)) {
    const { test } = await readPoint(dir);
    return runRnnseq(rnnseqCli(repoRoot), meta, dir, workDir, job.flags, options.threads, test, options.keep);
  }
  switch (job.method) {
    case 'gkm': {
      if (!gkmApplies(meta)) return { status: 'skipped', detail: 'binary nucleotide tasks only' };
      if (meta.size > options.gkmMax) return { status: 'skipped', detail: `more than --gkm-max ${options.gkmMax} training sequences` };
      const { train, test } = await readPoint(dir);
      return runGkm(await gkm(), meta, train, test, workDir);
    }
    case 'hmmer': {
      if (!hmmerApplies(meta)) return { status: 'skipped', detail: 'protein tasks only' };
      const phmmer = findPhmmer();
      if (!phmmer) return { status: 'skipped', detail: 'phmmer (HMMER 3) is not on PATH (Debian: apt-get install hmmer)' };
      const { train, test } = await readPoint(dir);
      return runHmmer(phmmer, meta, train, test, workDir);
    }
    case 'rdp':
      if (!meta.rdp) return { status: 'skipped', detail: '16S only' };
      return runWorker(job, workDir);
    case 'mlp':
      if (meta.fixedLength === null) return { status: 'skipped', detail: 'variable-length task' };
      return runWorker(job, workDir);
    default:
      return runWorker(job, workDir);
  }
}

/** In-process methods run in a child process each, so --jobs parallelises them too. */
async function runWorker(job: Job, workDir: string): Promise<MethodResult> {
  const out = join(workDir, 'result.json');
  const log = join(workDir, 'worker.log');
  const env = { ...process.env, RNNSEQ_THREADS: '1', OMP_NUM_THREADS: '1' };
  const run = await runLogged(
    process.execPath,
    [join(repoRoot, 'dist', 'bench', 'quality', 'worker.js'), job.method, job.point.dir, out],
    log,
    env,
  );
  if (run.code !== 0 || !existsSync(out)) return { status: 'failed', detail: lastLine(log) };
  return JSON.parse(readFileSync(out, 'utf8')) as MethodResult;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(options.out, { recursive: true });
  process.stderr.write(`quality: data ${options.data}; results in ${options.out}; ${options.jobs} job(s) x ${options.threads} thread(s)\n`);
  const points = await preparePoints(options);
  const jobs = planJobs(points, options);
  let gkmTools: Promise<GkmTools> | undefined;
  const gkm = () => {
    gkmTools ??= ensureGkm(options.peers, options.cache).then((tools) => {
      process.stderr.write(`quality: ${tools.note}\n`);
      return tools;
    });
    return gkmTools;
  };
  // Recipes' columns first, baselines after, as in the table.
  const methods = [...options.recipes.map((r) => r.label), ...options.baselines];
  const rows: ResultRow[] = [];
  const write = () => {
    const done = rows
      .slice()
      .sort(
        (a, b) =>
          a.task.localeCompare(b.task) || a.size - b.size || a.seed - b.seed || methods.indexOf(a.method) - methods.indexOf(b.method),
      );
    writeFileSync(join(options.out, 'results.tsv'), resultsTsv(done));
    const shownMethods = methods.filter((m) => done.some((r) => r.method === m && r.status !== 'skipped'));
    const tasks = options.plan.map((p) => p.task);
    writeFileSync(join(options.out, 'results.md'), header(options, points) + resultsMarkdown(done, tasks, shownMethods));
    return resultsMarkdown(done, tasks, shownMethods);
  };
  await runPool(
    jobs.map((job) => async () => {
      rows.push(await runJob(job, options, gkm));
      write();
    }),
    options.jobs,
  );
  process.stdout.write(write());
  process.stderr.write(`quality: wrote ${join(options.out, 'results.tsv')} and results.md\n`);
}

function header(options: Options, points: PreparedPoint[]): string {
  const splits = options.plan.map(({ task }) => `- ${task.name}: ${task.split}`).join('\n');
  const recipes = options.recipes
    .map(
      (r) => `\`${r.label}\`${r.flags.length ? `: \`rnnseq train ${r.flags.join(' ')}\`` : ': `rnnseq train -o RUN train.fa` (defaults)'}`,
    )
    .join('; ');
  return [
    `# Model quality (rnnseq bench:quality)`,
    ``,
    `${points.length} points, ${options.seeds} seed(s) each; cells: test metric mean ± sd over seeds (mean training wall time, ${options.threads} thread(s) per job; gkm-SVM -T 1, phmmer --cpu 1). Bold: best mean of the row.`,
    `Recipes: ${recipes}. Baselines: kmer = in-project k-mer logistic regression (k, strands and penalty chosen on rnnseq's validation split); gkm = LS-GKM gkm-SVM defaults; mlp = one-hot MLP (fixed-length tasks); rdp = RDP-style 8-mer naive Bayes (16S); hmmer = phmmer nearest neighbour, best bit score per class (protein tasks).`,
    ``,
    `Splits:`,
    splits,
    ``,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`quality: ${(error as Error).message}\n`);
  process.exit(1);
});
