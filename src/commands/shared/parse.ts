/**
 * Checking command-line values once, at the edge: numbers and their ranges, choices, and the engine and log
 * flags every model-running command shares.
 */
import type { BackendRequest, EngineRequest } from '../../engine/requests.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { RuntimeOptions } from './runtime.js';

/** Parses a command-line number and checks its range once, at the edge. */
export function parseNumber(
  flag: string,
  raw: string | number | undefined,
  range: { min?: number; max?: number; integer?: boolean },
): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  const bad =
    raw === undefined ||
    raw === '' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    (range.min !== undefined && value < range.min) ||
    (range.max !== undefined && value > range.max);
  if (bad) {
    const bounds = [range.min !== undefined ? `>= ${range.min}` : '', range.max !== undefined ? `<= ${range.max}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new RnnseqError(
      `${flag} must be ${range.integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}, got '${String(raw)}'`,
      EXIT_USAGE,
    );
  }
  return value;
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new RnnseqError(`${flag} must be one of ${choices.join(', ')}, got '${raw}'`, EXIT_USAGE);
  }
  return raw as T;
}

/** The raw engine and log flags as commander hands them over. */
export interface RawRuntimeFlags {
  backend: BackendRequest;
  engine: EngineRequest;
  threads?: string;
  quiet: boolean;
  json: boolean;
}

export function parseCommon(raw: RawRuntimeFlags): RuntimeOptions {
  return {
    backend: raw.backend,
    engine: raw.engine,
    ...(raw.threads !== undefined ? { threads: parseNumber('--threads', raw.threads, { min: 1, max: 1024, integer: true }) } : {}),
    quiet: raw.quiet,
    json: raw.json,
  };
}

/** The parts of a model-over-records command's options that classify and embed parse alike. */
export function parseModelRun(inputs: string[], raw: RawRuntimeFlags & { model: string; out?: string }) {
  return { ...parseCommon(raw), model: raw.model, inputs, out: raw.out };
}

/** --default-condition and --covariates: what a conditioned or covariate model needs of each record. */
export function parseRecordContext(raw: { defaultCondition?: string; covariates?: string }): {
  defaultCondition?: string;
  covariates?: string;
} {
  return {
    ...(raw.defaultCondition !== undefined ? { defaultCondition: raw.defaultCondition } : {}),
    ...(raw.covariates !== undefined ? { covariates: raw.covariates } : {}),
  };
}

/** The first of these flags that was given, in the order listed (for "X does not combine with Y" errors). */
export function firstGiven(flags: ReadonlyArray<readonly [flag: string, given: boolean]>): string | undefined {
  return flags.find(([, given]) => given)?.[0];
}
