/** `rnnseq report`: its flags, help and examples, and their parsing into ReportOptions (options.ts). */
import { type Command, Option } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { FIGURE_NAMES } from '../../report/figure-names.js';
import { logOptions } from '../shared/flags.js';
import { parseChoice } from '../shared/parse.js';
import type { ReportOptions } from './options.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML page on a trained model: training curves, ROC/PR with AUC, confusion, calibration, data, command')
    .argument('<model>', 'training run directory, checkpoint directory, or shipped model name')
    .option('-o, --out <file>', 'write the HTML (or with --svg/--png, the figure) here (atomically) instead of stdout')
    .addOption(new Option('--svg <figure>', 'write one figure as SVG instead of the page').choices(FIGURE_NAMES))
    .addOption(
      new Option(
        '--png <figure>',
        'write one figure as PNG (2x), rendered by headless Chromium (RNNSEQ_CHROMIUM=path to choose one)',
      ).choices(FIGURE_NAMES),
    )
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
The page has no script and loads nothing (inline SVG and styles): it opens offline, and can be mailed or
archived with the run. ROC, precision-recall, confusion matrix, threshold and reliability figures come from
best/valid-predictions.tsv (the validation set as the best checkpoint predicted it); a run without it, or a
model that is not a classifier, gets the training curves and summary, and the page says what is missing.

Examples:
  $ rnnseq report runs/splice -o splice-report.html
  $ rnnseq report splice-primate > splice-primate.html
  $ rnnseq report runs/splice --svg roc -o roc.svg
  $ rnnseq report runs/splice --png loss -o loss.png`,
    )
    .action(async (model, opts) => {
      const options = parseReportOptions(model, opts);
      const { run } = await import('./run.js');
      await run(options);
    });
}

export interface RawReportFlags {
  out?: string;
  svg?: string;
  png?: string;
  quiet: boolean;
  json: boolean;
}

export function parseReportOptions(input: string, raw: RawReportFlags): ReportOptions {
  if (raw.svg !== undefined && raw.png !== undefined)
    throw new RnnseqError('--svg and --png each write one figure; give one of them', EXIT_USAGE);
  const format = raw.svg !== undefined ? 'svg' : raw.png !== undefined ? 'png' : undefined;
  if (format === 'png' && (raw.out === undefined || raw.out === '-') && process.stdout.isTTY) {
    throw new RnnseqError('--png writes a binary image: give -o FILE.png or redirect stdout', EXIT_USAGE);
  }
  return {
    input,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(format ? { figure: { name: parseChoice(`--${format}`, (raw.svg ?? raw.png)!, FIGURE_NAMES), format } } : {}),
    quiet: raw.quiet,
    json: raw.json,
  };
}
