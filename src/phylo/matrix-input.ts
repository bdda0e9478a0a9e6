import type { DistanceMatrix } from './distance.js';

/**
 * Checks a distance matrix before a tree is built from it, and copies it so the builders may work in place.
 * Tree builders take plain arrays too, which keeps textbook matrices in tests readable.
 */
export function checkedCopy(names: readonly string[], distances: readonly ArrayLike<number>[], who: string): DistanceMatrix {
  const n = names.length;
  if (distances.length !== n) throw new RangeError(`${who}: ${n} names but ${distances.length} matrix rows`);
  return distances.map((row, i) => {
    if (row.length !== n) throw new RangeError(`${who}: row ${i} has ${row.length} entries, expected ${n}`);
    const copy = Float64Array.from(row as ArrayLike<number>);
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(copy[j]!) || copy[j]! < 0)
        throw new RangeError(`${who}: distance [${i}][${j}] is ${copy[j]}, not a finite number >= 0`);
    }
    return copy;
  });
}
