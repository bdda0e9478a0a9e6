import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type AlphabetName, getAlphabet } from '../../seq/alphabet.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import { type RuntimeOptions, createLogger, startRuntime } from '../shared/runtime.js';

export interface PhyloModelOptions extends Partial<RuntimeOptions> {
  /** checkpoint dir, run dir or shipped model name */
  model: string;
  log?: Logger;
}

/**
 * The model phylo reads windows with, loaded once for featurizer and adapter alike: phylo has nothing to give a
 * model that needs a condition or covariates per sequence, so such a model is refused before the engine starts.
 */
export async function openPhyloModel(options: PhyloModelOptions) {
  const { spec } = await readSpec(options.model);
  const arch = spec.architecture;
  if (arch.conditions || arch.covariates)
    throw new RnnseqError(`${options.model} needs a condition or covariates per sequence; phylo cannot supply them`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const log = options.log ?? (await createLogger(options));
  const runtime = await startRuntime(
    {
      backend: options.backend ?? 'auto',
      engine: options.engine ?? 'auto',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    },
    log,
  );
  const { model } = await loadModel(options.model, runtime.engine.core);
  return { spec, arch, alphabet, log, model };
}
