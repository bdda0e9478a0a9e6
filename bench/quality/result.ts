/** What one method produced at one point: the row of the results table. */
export interface MethodResult {
  status: 'ok' | 'skipped' | 'failed';
  /** AUROC or accuracy on the test records */
  metric?: number;
  /** fitting wall time, including the choice of settings on validation (rnnseq: the whole `train` command) */
  trainSeconds?: number;
  predictSeconds?: number;
  /** chosen settings, best epoch, or why it was skipped or failed */
  detail?: string;
}

export interface ResultRow extends MethodResult {
  task: string;
  size: number;
  full: boolean;
  seed: number;
  /** column name: 'rnnseq' for the default recipe, a --label for other recipes, else the baseline's name */
  method: string;
  /** extra rnnseq flags of a recipe column ('' for the default and the baselines) */
  flags: string;
  metricName: string;
  threads: number;
}
