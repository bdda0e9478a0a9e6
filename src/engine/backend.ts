import { requirePackage, tf } from './tf.js';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from '../errors.js';

import { BACKEND_REQUESTS, type BackendName, type BackendRequest } from './requests.js';

export type { BackendName, BackendRequest } from './requests.js';

export interface BackendInfo {
  name: BackendName;
  /** Where the backend came from, e.g. "@tensorflow/tfjs-node-gpu" or "wasm SIMD". */
  detail: string;
  /** Why auto chose this one (what was missing), for the one line printed at start. */
  why?: string;
}

const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let active: BackendInfo | undefined;

/**
 * Chooses and initialises the TensorFlow.js backend once per process. `auto` prefers native TensorFlow (CUDA via
 * tfjs-node-gpu, else tfjs-node), then wasm, then the pure-JS cpu backend; an explicit request that cannot be met
 * is an error, never a quiet substitution.
 */
export async function initBackend(request: BackendRequest = 'auto'): Promise<BackendInfo> {
  if (active) {
    if (request !== 'auto' && request !== active.name) {
      throw new RnnseqError(`backend ${active.name} is already running in this process; cannot switch to ${request}`, EXIT_RUNTIME);
    }
    return active;
  }
  const fromEnv = process.env.RNNSEQ_BACKEND as BackendRequest | undefined;
  const wanted = request === 'auto' && fromEnv && BACKEND_REQUESTS.includes(fromEnv) ? fromEnv : request;

  if (wanted === 'tensorflow' || wanted === 'auto') {
    const found = await importTensorflow();
    if (found) {
      await tf.setBackend('tensorflow');
      await tf.ready();
      active = { name: 'tensorflow', detail: found };
      return active;
    }
    if (wanted === 'tensorflow') {
      throw new RnnseqError(
        'backend tensorflow needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node installed next to rnnseq; see README "GPU and native TensorFlow"',
        EXIT_USAGE,
      );
    }
  }
  const why = wanted === 'auto' ? 'tfjs-node not installed' : undefined;
  if (wanted === 'wasm' || wanted === 'auto') {
    const error = await tryWasm();
    if (!error) {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'wasm SIMD' : 'wasm (no SIMD)';
      active = { name: 'wasm', detail: simd, ...(why ? { why } : {}) };
      return active;
    }
    if (wanted === 'wasm') throw new RnnseqError(`backend wasm failed to start: ${error}`, EXIT_RUNTIME);
    return startCpu(`${why}; wasm failed: ${error}`);
  }
  return startCpu(why);
}

async function startCpu(why: string | undefined): Promise<BackendInfo> {
  requirePackage('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend's first write prints a five-line banner recommending tfjs-node, even under --quiet; rnnseq
  // says which backend runs and how to add tfjs-node itself (doctor, README), so the banner is switched off.
  const cpu = tf.backend() as unknown as { firstUse?: boolean };
  if (cpu.firstUse === true) cpu.firstUse = false;
  active = { name: 'cpu', detail: 'pure JavaScript', ...(why ? { why } : {}) };
  return active;
}

async function importTensorflow(): Promise<string | undefined> {
  for (const name of TFJS_NODE_PACKAGES) {
    try {
      requirePackage(name);
      if (tf.findBackend('tensorflow')) return name;
    } catch {
      // Not installed (the common case): try the next one.
    }
  }
  return undefined;
}

async function tryWasm(): Promise<string | undefined> {
  try {
    requirePackage('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    return ok ? undefined : 'setBackend returned false';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function activeBackend(): BackendInfo | undefined {
  return active;
}
