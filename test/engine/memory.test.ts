import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Architecture } from '../../src/engine/architecture.js';
import {
  ALONE_BP,
  ENGINE_CALL_BYTES,
  WASM_WHOLE_READ_BYTES,
  flushBefore,
  sequencesPerCall,
  nativeReadBytesPerToken,
  wholeReadBytesPerToken,
} from '../../src/engine/memory.js';
import { checkWholeRead } from '../../src/commands/shared/whole-read.js';
import { RnnseqError } from '../../src/errors.js';

// The shipped splice model's shape: 2 x 64 units read 1 Mbp at a measured 1.9 GB peak.
const ARCH: Architecture = {
  cell: 'cifg',
  inputSize: 4,
  hiddenSize: 64,
  layers: 1,
  bidirectional: true,
  dropout: 0,
  pool: 'max',
  numClasses: 3,
};

test('a sequence read whole costs about what was measured: 1.9 GB per Mbp at 2 x 64 units', () => {
  const gb = (1e6 * wholeReadBytesPerToken(ARCH)) / 2 ** 30;
  assert.ok(gb > 1.7 && gb < 2.2, `${gb} GB`);
});

test('engine calls shrink for long sequences but never below one, and short ones keep the requested batch', () => {
  assert.equal(sequencesPerCall(ARCH, 60, 256), 256);
  const at10k = sequencesPerCall(ARCH, 10_000, 256);
  assert.ok(at10k < 256 && at10k >= 64, `${at10k}`);
  assert.ok(at10k * 10_000 * wholeReadBytesPerToken(ARCH) <= ENGINE_CALL_BYTES);
  assert.equal(sequencesPerCall(ARCH, 5_000_000, 256), 1);
});

test('a batch is sent before a long sequence joins it, or before it would outgrow one engine call', () => {
  assert.equal(flushBefore(ARCH, [], ALONE_BP + 1, 64), false, 'nothing to send');
  assert.equal(flushBefore(ARCH, [100, 200], ALONE_BP + 1, 64), true, 'a long one goes alone');
  assert.equal(flushBefore(ARCH, [ALONE_BP + 1], 100, 64), true, 'nor is a long one joined');
  assert.equal(flushBefore(ARCH, [100, 200], 300, 64), false);
  const perCall = sequencesPerCall(ARCH, 9_000, 512);
  assert.equal(flushBefore(ARCH, Array(perCall - 1).fill(100), 9_000, 512), false);
  assert.equal(flushBefore(ARCH, Array(perCall).fill(100), 9_000, 512), true, 'padding to 9 kbp would outgrow the call');
});

test('a whole read over the budget is refused naming the record; on wasm the heap bound applies first', () => {
  const where = { file: 'g.fa', line: 7, id: 'chr9' };
  const lots = { maxMemoryBytes: 64 * 2 ** 30, native: false };
  const wasmLimitBp = Math.floor(WASM_WHOLE_READ_BYTES / wholeReadBytesPerToken(ARCH));
  checkWholeRead(where, wasmLimitBp, ARCH, { ...lots, backend: 'wasm' }, 'why', 'instead');
  assert.throws(
    () => checkWholeRead(where, wasmLimitBp + 1000, ARCH, { ...lots, backend: 'wasm' }, 'classify reads each sequence whole', 'scan it'),
    (e: unknown) =>
      e instanceof RnnseqError &&
      /^g\.fa:7: record 'chr9': \d+ bp is too long to read whole \(classify reads each sequence whole\): about 3\.5 GB, over what the wasm backend's 4 GB heap holds .*tfjs-node.*scan it$/.test(
        e.message,
      ),
  );
  checkWholeRead(where, wasmLimitBp + 1000, ARCH, { ...lots, backend: 'tensorflow' }, 'why', 'instead');
  assert.throws(
    () => checkWholeRead(where, 1e6, ARCH, { maxMemoryBytes: 2 ** 30, backend: 'tensorflow', native: false }, 'why', 'instead'),
    /over --max-memory 1\.0 GB; .*raise --max-memory/,
  );
});

// The recipe's classifier, as the shipped splice model: conv (64 filters, pool 3) + BiLSTM-64.
const RECIPE: Architecture = { ...ARCH, cell: 'lstm', conv: { filters: 64, width: 11, pool: 3, dropout: 0.1, positions: 60, skip: true } };

test('the native pass reading a record whole costs about what was measured: 113 MB per Mbp beyond the process', () => {
  const mb = (1e6 * nativeReadBytesPerToken(RECIPE)) / 2 ** 20;
  assert.ok(mb > 100 && mb < 160, `${mb} MB`);
  // A layer below the top one keeps its outputs for the layer above: that costs per position again.
  assert.ok(nativeReadBytesPerToken({ ...ARCH, layers: 2 }) > nativeReadBytesPerToken(ARCH) + 4 * 2 * 64);
});

test('a whole read through the native pass is budgeted by its own estimate, with no wasm heap bound', () => {
  const where = { file: 'g.fa', line: 7, id: 'chr9' };
  const lots = { maxMemoryBytes: 64 * 2 ** 30, backend: 'wasm' };
  const tensorLimitBp = Math.floor(WASM_WHOLE_READ_BYTES / wholeReadBytesPerToken(RECIPE));
  assert.throws(() => checkWholeRead(where, 10 * tensorLimitBp, RECIPE, { ...lots, native: false }, 'why', 'instead'), /wasm backend/);
  checkWholeRead(where, 10 * tensorLimitBp, RECIPE, { ...lots, native: true }, 'why', 'instead');
  const budget = { maxMemoryBytes: 2 ** 30, backend: 'wasm', native: true };
  const limitBp = Math.floor(2 ** 30 / nativeReadBytesPerToken(RECIPE));
  checkWholeRead(where, limitBp, RECIPE, budget, 'why', 'instead');
  assert.throws(
    () => checkWholeRead(where, limitBp + 1000, RECIPE, budget, 'why', 'instead'),
    /over --max-memory 1\.0 GB; .*raise --max-memory/,
  );
});
