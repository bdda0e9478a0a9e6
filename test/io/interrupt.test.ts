import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenForStop, signalExitCode } from '../../src/io/interrupt.js';

// The commands that stop their own way (train between batches, scan while it measures the genome) must report the
// signal that stopped them: a scheduler's SIGTERM is 143, not the 130 of a Ctrl-C.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`listenForStop aborts on ${signal}, reports exit ${signalExitCode(signal)} and stops listening when released`, () => {
    const before = process.listenerCount(signal);
    const stop = listenForStop();
    assert.equal(process.listenerCount(signal), before + 1);
    assert.equal(stop.signal.aborted, false);
    process.emit(signal, signal);
    assert.equal(stop.signal.aborted, true);
    assert.equal(stop.signal.reason, signal);
    assert.equal(stop.exitCode(), signalExitCode(signal));
    stop.release();
    assert.equal(process.listenerCount(signal), before);
  });
}

test('a released listener leaves later signals to others', () => {
  const stop = listenForStop();
  stop.release();
  let seen = 0;
  const other = () => seen++;
  process.once('SIGTERM', other);
  process.emit('SIGTERM', 'SIGTERM');
  assert.equal(seen, 1);
  assert.equal(stop.signal.aborted, false);
});
