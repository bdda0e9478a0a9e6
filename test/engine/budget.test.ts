import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTO_MAX_EPOCHS, AUTO_MIN_EPOCHS, autoEpochs, resolveBudget } from '../../src/engine/budget.js';
import type { TrainConfig } from '../../src/engine/trainer.js';

const base: TrainConfig = { epochs: 0, batchSize: 32, learningRate: 0.01, clipNorm: 5, seed: 1, patience: 10, budget: 'auto' };

test('--epochs auto: about 1,500 steps, within 20-150 epochs, patience a twelfth of them and at least 5', () => {
  assert.deepEqual(autoEpochs(450, 32), { epochs: 100, patience: 9 }); // 15 steps per epoch
  assert.deepEqual(autoEpochs(100, 32), { epochs: AUTO_MAX_EPOCHS, patience: 13 });
  assert.deepEqual(autoEpochs(100_000, 32), { epochs: AUTO_MIN_EPOCHS, patience: 5 });
});

test('an explicit --patience wins over the budget, 0 included; otherwise the budget chooses it', () => {
  assert.equal(resolveBudget(base, 450).patience, 9);
  assert.equal(resolveBudget({ ...base, patience: 3, patienceGiven: true }, 450).patience, 3);
  assert.equal(resolveBudget({ ...base, patience: 0, patienceGiven: true }, 450).patience, 0);
  assert.equal(resolveBudget({ ...base, patience: 40, patienceGiven: true }, 450).patience, 40);
  const fixed = { ...base, budget: undefined, epochs: 7 };
  assert.deepEqual(resolveBudget(fixed, 450), fixed, 'a fixed --epochs is left alone');
});
