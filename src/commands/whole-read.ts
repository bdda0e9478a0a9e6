/**
 * The memory check for a sequence the model must read whole (classify always; embed with a bidirectional model):
 * past the budget the run would die of memory half-way, or ask for an array no engine can allocate, so it is
 * refused first, naming the record and what to do instead.
 */
import { type Architecture } from '../engine/architecture.js';
import { formatBytes, wholeReadBytesPerToken } from '../engine/memory.js';
import { dataError } from '../errors.js';

export function checkWholeRead(
  where: { file: string; line: number; id: string },
  length: number,
  arch: Architecture,
  budgetBytes: number,
  why: string,
  instead: string,
): void {
  const bytes = length * wholeReadBytesPerToken(arch);
  if (bytes <= budgetBytes) return;
  throw dataError(
    { file: where.file, line: where.line, record: where.id },
    `${length} bp is too long to read whole (${why}): about ${formatBytes(bytes)}, over --max-memory ${formatBytes(budgetBytes)}; ` +
      `split it into pieces (e.g. seqkit sliding), raise --max-memory, or ${instead}`,
  );
}
