/**
 * The one error type users see. Its message is written for a person at a shell (which file, which record,
 * which line, what to do); only bin/ turns it into stderr text and an exit code.
 */
export const EXIT_USAGE = 2;
export const EXIT_DATA = 2;
export const EXIT_RUNTIME = 1;

export class RnnseqError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_DATA) {
    super(message);
    this.name = 'RnnseqError';
    this.exitCode = exitCode;
  }
}

/** Formats "file:line: record 'id': message" consistently for data errors. */
export function dataError(where: { file: string; line?: number; record?: string }, message: string): RnnseqError {
  const parts = [where.file === '-' ? '<stdin>' : where.file];
  if (where.line !== undefined) parts[0] += `:${where.line}`;
  if (where.record !== undefined) parts.push(`record '${where.record}'`);
  return new RnnseqError(`${parts.join(': ')}: ${message}`, EXIT_DATA);
}
