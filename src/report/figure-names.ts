/** The figures `rnnseq report` draws, by name (--svg, --png): apart from figures.ts so the command's definition lists them without loading the drawing code. */
export const FIGURE_NAMES = ['loss', 'metrics', 'roc', 'pr', 'confusion', 'threshold', 'reliability'] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];
