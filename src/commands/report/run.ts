import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EXIT_DATA, RnnseqError } from '../../errors.js';
import { exists, writeFileAtomically } from '../../io/atomic.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import { openOutput } from '../../io/output.js';
import type { MemberHistory } from '../../report/curves.js';
import { type ReportInput, bestEpochOf, buildFigures } from '../../report/figures.js';
import { type EpochRecord, historyFromSpec, parseMetricsTsv } from '../../report/history.js';
import { renderReportHtml } from '../../report/html.js';
import { type ValidPredictions, parsePredictions } from '../../report/predictions.js';
import { METRICS_FILE, readSpec } from '../shared/checkpoints.js';
import type { ReportOptions } from './options.js';
import { createLogger } from '../shared/runtime.js';
import { memberDir } from '../train/ensemble-layout.js';

/** rnnseq report: a training run or model -> one self-contained HTML page (or one figure as SVG or PNG). */
export async function run(options: ReportOptions): Promise<void> {
  const log = await createLogger(options);
  const input = await readReportInput(options.input);
  const set = buildFigures(input);
  if (options.figure) {
    const { name, format } = options.figure;
    const figure = set.figures.get(name);
    if (!figure)
      throw new RnnseqError(
        `--${format} ${name}: the figure is unavailable for ${options.input}: ${set.unavailable.get(name) ?? 'unknown reason'}`,
        EXIT_DATA,
      );
    if (format === 'svg') {
      await writeText(options.out, `${figure.svg}\n`);
    } else {
      const { svgToPng } = await import('../../report/png.js');
      await writeBytes(options.out, await svgToPng(figure.svg, figure.width, figure.height));
    }
    log.info(`wrote the ${name} figure (${format.toUpperCase()})${options.out ? ` to ${options.out}` : ''}`);
    return;
  }
  const byReason = new Map<string, string[]>();
  for (const [name, why] of set.unavailable) byReason.set(why, [...(byReason.get(why) ?? []), name]);
  for (const [why, names] of byReason) log.info(`unavailable: ${names.join(', ')}: ${why}`);
  await writeText(options.out, renderReportHtml(input, set));
  log.info(`wrote the report (${set.figures.size} figures, ${set.unavailable.size} unavailable)${options.out ? ` to ${options.out}` : ''}`);
}

/**
 * The checkpoint -m would load, its run's metrics.tsv when there is one, and its validation predictions. The
 * checkpoint's own copy comes first: a recipe candidate that became RUN/best keeps its history there, while
 * RUN/metrics.tsv is the first model's.
 */
async function readReportInput(source: string): Promise<ReportInput> {
  const { spec, dir } = await readSpec(source);
  const metricsCandidates = [...new Set([join(dir, METRICS_FILE), join(source, METRICS_FILE), join(dirname(dir), METRICS_FILE)])];
  const recorded = await readHistory(metricsCandidates);
  const history = recorded?.history ?? historyFromSpec(spec as unknown as Record<string, unknown>);
  const historySource = recorded?.path ?? join(dir, CHECKPOINT_FILES.spec);
  const members = await memberHistories(spec as unknown as Record<string, unknown>, dir, history);
  const predictionsPath = join(dir, CHECKPOINT_FILES.validPredictions);
  let predictions: ValidPredictions | undefined;
  if (await exists(predictionsPath)) predictions = parsePredictions(await readFile(predictionsPath, 'utf8'), predictionsPath);
  return {
    source,
    checkpointDir: dir,
    spec: spec as unknown as Record<string, unknown>,
    history,
    historySource,
    ...(members ? { members } : {}),
    ...(predictions ? { predictions } : {}),
    predictionsPath,
  };
}

/**
 * An ensemble's members' histories, from the run beside its checkpoint (RUN/members/K: the history its best/
 * carries when a candidate or a refit replaced it, else its run's metrics.tsv); member 1's is the run's own.
 * Undefined for a single model, or where fewer than two members' runs are still there (a copied checkpoint).
 */
async function memberHistories(
  spec: Record<string, unknown>,
  dir: string,
  ownHistory: EpochRecord[],
): Promise<MemberHistory[] | undefined> {
  const ensemble = spec.ensemble as { members?: unknown } | undefined;
  if (!Array.isArray(ensemble?.members) || ensemble.members.length === 0) return undefined;
  const count = ensemble.members.length + 1;
  const found: MemberHistory[] = [];
  for (let member = 1; member <= count; member++) {
    const run = memberDir(dirname(dir), member);
    const best = await readSpec(join(run, 'best')).catch(() => undefined);
    if (!best) continue;
    const bestEpoch = bestEpochOf(best.spec as unknown as Record<string, unknown>);
    if (member === 1) {
      found.push({ member, history: ownHistory, bestEpoch });
      continue;
    }
    const recorded = await readHistory([join(run, 'best', METRICS_FILE), join(run, METRICS_FILE)]);
    if (recorded) found.push({ member, history: recorded.history, bestEpoch });
  }
  return found.length > 1 ? found : undefined;
}

/** The first of `paths` that is a file, read as a metrics.tsv; undefined where none is. */
async function readHistory(paths: readonly string[]): Promise<{ history: EpochRecord[]; path: string } | undefined> {
  const path = await firstFile(paths);
  return path ? { history: parseMetricsTsv(await readFile(path, 'utf8'), path), path } : undefined;
}

async function firstFile(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

async function writeText(path: string | undefined, content: string): Promise<void> {
  const output = await openOutput(path);
  try {
    await output.write(content);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** Binary output: stdout, or a temp file renamed into place (openOutput writes text). */
async function writeBytes(path: string | undefined, data: Buffer): Promise<void> {
  if (path === undefined || path === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolve())));
    return;
  }
  await writeFileAtomically(path, data);
}
