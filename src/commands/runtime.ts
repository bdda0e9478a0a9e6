import type { BackendInfo, BackendRequest } from '../engine/backend.js';
import type { EngineChoice, EngineRequest } from '../engine/select-core.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { Logger } from '../log.js';

/** Options every engine-using command shares. */
export interface RuntimeOptions {
  backend: BackendRequest;
  engine: EngineRequest;
  threads?: number;
  quiet?: boolean;
  json?: boolean;
}

export interface Runtime {
  log: Logger;
  backend: BackendInfo;
  engine: EngineChoice;
}

export async function createLogger(options: { quiet?: boolean; json?: boolean }): Promise<Logger> {
  return new Logger({ quiet: options.quiet ?? false, json: options.json ?? false }).init();
}

/** Starts TensorFlow.js and the recurrent core once, and says which ones run (never a silent fallback). */
export async function startRuntime(options: RuntimeOptions, log: Logger): Promise<Runtime> {
  if (options.threads !== undefined) process.env.RNNSEQ_THREADS = String(options.threads);
  const { initBackend } = await import('../engine/backend.js');
  const { selectCore } = await import('../engine/select-core.js');
  const backend = await initBackend(options.backend);
  const engine = await selectCore(options.engine, backend);
  const why = backend.why ? `; ${backend.why}` : '';
  log.info(`backend ${backend.name} (${backend.detail}${why}), engine ${engine.description}`, {
    backend: backend.name,
    backendDetail: backend.detail,
    engine: engine.description,
  });
  return { log, backend, engine };
}

/** Parses a command-line number and checks its range once, at the edge. */
export function parseNumber(flag: string, raw: string | number | undefined, range: { min?: number; max?: number; integer?: boolean }): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  const bad =
    raw === undefined ||
    raw === '' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    (range.min !== undefined && value < range.min) ||
    (range.max !== undefined && value > range.max);
  if (bad) {
    const bounds = [range.min !== undefined ? `>= ${range.min}` : '', range.max !== undefined ? `<= ${range.max}` : ''].filter(Boolean).join(' and ');
    throw new RnnseqError(`${flag} must be ${range.integer ? 'an integer' : 'a number'}${bounds ? ' ' + bounds : ''}, got '${String(raw)}'`, EXIT_USAGE);
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
