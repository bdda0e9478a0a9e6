/**
 * Inference commands start without TensorFlow.js's union package: it is only there to register gradient functions
 * (src/engine/gradients.ts) and brings tfjs-layers, -converter, -data and -webgl, ~250 ms of every start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const union = (cache: Record<string, unknown>) => Object.keys(cache).filter((path) => /[\\/]@tensorflow[\\/]tfjs[\\/]/.test(path));

test('classify, scan and embed load without the union package; training loads it for its gradients', async () => {
  const require = createRequire(import.meta.url);
  await import('../../src/commands/classify/run.js');
  await import('../../src/commands/scan/run.js');
  await import('../../src/commands/embed/run.js');
  await import('../../src/engine/sequence-model.js');
  await import('../../src/engine/native-step.js');
  await import('../../src/engine/reference-core.js');
  assert.deepEqual(union(require.cache), [], 'an inference module imports src/engine/gradients.ts');
  await import('../../src/engine/trainer.js');
  assert.ok(union(require.cache).length > 0, 'the trainer registers gradients (and this check sees the package when it loads)');
});
