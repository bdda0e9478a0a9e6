/** The options of `rnnseq report`, as its definition (command.ts) parses them. */
import type { FigureName } from '../../report/figures.js';

export interface ReportOptions {
  input: string;
  out?: string;
  /** one figure instead of the page */
  figure?: { name: FigureName; format: 'svg' | 'png' };
  quiet: boolean;
  json: boolean;
}
