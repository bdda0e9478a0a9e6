/**
 * The memory check for a sequence the model must read whole (classify always; embed with a bidirectional model):
 * past the budget the run would die of memory half-way, or ask for an array no engine can allocate, so it is
 * refused first, naming the record and what to do instead. `native`: the read goes through the native inference
 * pass (one output per sequence, no per-position tensors), which costs a fraction of the tensor path.
 */
import type { Architecture } from '../../engine/architecture.js';
import { WASM_WHOLE_READ_BYTES, formatBytes, nativeReadBytesPerToken, wholeReadBytesPerToken } from '../../engine/memory.js';
import { dataError } from '../../errors.js';

export function checkWholeRead(
  where: { file: string; line: number; id: string },
  length: number,
  arch: Architecture,
  limits: { maxMemoryBytes: number; backend: string; native: boolean },
  why: string,
  instead: string,
): void {
  // The native inference pass keeps its arrays outside TensorFlow.js, so the wasm heap does not bound it.
  const bytes = length * (limits.native ? nativeReadBytesPerToken(arch) : wholeReadBytesPerToken(arch));
  const wasmBound = !limits.native && limits.backend === 'wasm' && WASM_WHOLE_READ_BYTES < limits.maxMemoryBytes;
  const budget = wasmBound ? WASM_WHOLE_READ_BYTES : limits.maxMemoryBytes;
  if (bytes <= budget) return;
  const over = wasmBound
    ? `over what the wasm backend's 4 GB heap holds (${formatBytes(budget)})`
    : `over --max-memory ${formatBytes(budget)}`;
  const remedy = wasmBound ? 'install @tensorflow/tfjs-node (README: GPU and native TensorFlow)' : 'raise --max-memory';
  throw dataError(
    { file: where.file, line: where.line, record: where.id },
    `${length} bp is too long to read whole (${why}): about ${formatBytes(bytes)}, ${over}; ` +
      `split it into pieces (e.g. seqkit sliding), ${remedy}, or ${instead}`,
  );
}
