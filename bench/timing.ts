/** Median wall time of a step in milliseconds, after `warmup` untimed runs: what the core and conv benches report. */
export function medianMs(step: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) step();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    step();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}
