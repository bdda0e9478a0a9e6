import { EXIT_USAGE, RnnseqError } from '../errors.js';
import type { BackendInfo } from './backend.js';
import type { RecurrentCore } from './core.js';
import { ReferenceCore } from './reference-core.js';

import type { EngineRequest } from './requests.js';

export type { EngineRequest } from './requests.js';

export interface EngineChoice {
  core: RecurrentCore;
  /** One line for the start-up message and the checkpoint, e.g. "native (avx512f, 2 threads)". */
  description: string;
}

/**
 * Picks the recurrent core: the fused native kernels on CPU backends when they were built, else the tfjs-ops
 * reference. On the `tensorflow` backend the reference runs as real TensorFlow (GPU) kernels, so it stays.
 * RNNSEQ_ENGINE=ref forces the reference everywhere (CI runs the suite both ways).
 */
export async function selectCore(request: EngineRequest, backend: BackendInfo): Promise<EngineChoice> {
  const wanted: EngineRequest = process.env.RNNSEQ_ENGINE === 'ref' ? 'ref' : request;
  if (wanted === 'ref') return { core: new ReferenceCore(), description: 'reference (tfjs ops)' };
  if (backend.name === 'tensorflow' && wanted === 'auto') {
    return { core: new ReferenceCore(), description: 'reference (tfjs ops on native TensorFlow)' };
  }
  const native = await loadNative();
  if (native.core) return { core: native.core, description: native.description };
  if (wanted === 'native') {
    throw new RnnseqError(`--engine native: the native kernels are not available (${native.description}); run 'rnnseq doctor'`, EXIT_USAGE);
  }
  return { core: new ReferenceCore(), description: `reference (tfjs ops; native kernels unavailable: ${native.description})` };
}

async function loadNative(): Promise<{ core?: RecurrentCore; description: string }> {
  try {
    // Imported lazily: the addon loads only when a command actually runs the engine.
    const { createNativeCore } = await import('./native-core.js');
    return createNativeCore();
  } catch (error) {
    return { description: (error as Error).message };
  }
}
