/**
 * Float32 storage for many small encoded records, carved from shared 1 MB chunks. A typed array per record is an
 * off-heap allocation apiece, ~10 us each: 75-140 ms of a command that encodes 12,800 records of 200 bp (a tenth
 * of a whole classify), against 10-45 ms from chunks. A chunk lives while any record cut from it does; records
 * over a quarter chunk get their own array.
 */
const CHUNK_FLOATS = 1 << 18;

let chunk = new Float32Array(0);
let used = 0;

/** A zero-filled Float32Array of length n, sharing a chunk with other small arrays (mind its byteOffset). */
export function slabFloats(n: number): Float32Array {
  if (n > CHUNK_FLOATS / 4) return new Float32Array(n);
  if (used + n > chunk.length) {
    chunk = new Float32Array(CHUNK_FLOATS);
    used = 0;
  }
  const out = chunk.subarray(used, used + n);
  used += n;
  return out;
}
