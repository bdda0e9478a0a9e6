import { join } from 'node:path';
import { saveModel } from '../../src/commands/shared/checkpoints.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { SequenceModel } from '../../src/engine/sequence-model.js';

/** A scanner with random weights: its calls mean nothing, but they are many and deterministic. */
export async function randomScanner(dir: string, windowBp = 40): Promise<string> {
  const path = join(dir, 'scanner');
  const model = SequenceModel.create(
    {
      alphabet: 'dna',
      classes: ['background', 'hit'],
      inputLength: windowBp,
      architecture: { cell: 'gru', inputSize: 4, hiddenSize: 8, layers: 1, bidirectional: false, dropout: 0, pool: 'mean', numClasses: 2 },
    },
    7,
    new ReferenceCore(),
  );
  await saveModel(path, model, {
    training: {},
    data: {},
    metrics: {},
    backend: 'cpu',
    engine: 'reference',
    window: {
      lengthBp: windowBp,
      positiveClass: 'hit',
      threshold: 0.5,
      strand: 'both',
      rcCombine: 'max',
      reverseComplement: true,
      calibration: { metric: 'test' },
    },
  });
  model.dispose();
  return path;
}
