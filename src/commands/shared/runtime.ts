import type { BackendInfo } from '../../engine/backend.js';
import type { BackendRequest, EngineRequest } from '../../engine/requests.js';
import type { EngineChoice } from '../../engine/select-core.js';
import { Logger } from '../../log.js';

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
  const { initBackend } = await import('../../engine/backend.js');
  const { selectCore } = await import('../../engine/select-core.js');
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
