// Register-blocked GEMM micro-kernels and the packing that feeds them.
//
// Every product in the recurrence is small (a thread's 32-128 batch rows times a [D+H, G*H] weight panel), so
// instead of calling a general GEMM the kernels compute one register tile at a time, R rows x NV vectors, and
// hand it to a cell-specific epilogue while it is still in L1. The B side is always "packed": NV*W floats per
// k, contiguous, so one column block of weights streams through L1 while all row tiles of the thread reuse it.
//
// Each output element is a single fused-multiply-add chain over k, started from zero, in ascending k. That chain
// does not depend on R, NV or on which thread owns the row or column, which is what makes results independent
// of the thread count.
#pragma once

#include "simd.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

// Accumulator budget per tile: 32 zmm registers leave room for 24 accumulators plus the NV panel vectors and a
// broadcast; AVX2 and SSE have 16 registers.
#if RNNSEQ_ISA_LEVEL == 3
constexpr int kAccumulators = 24;
#else
constexpr int kAccumulators = 12;
#endif
constexpr int kMaxRows = 8;  // row pointers live in general-purpose registers

constexpr int tile_rows(int nv) { return std::min(kMaxRows, std::max(1, kAccumulators / nv)); }

// c[r][v*W + w] = sum_k a(r, k) * b[k*b_ks + v*W + w], with a(r, k) = a[r*a_rs + k*a_ks].
// kUnitK: A is row-major (a_ks == 1); otherwise A is column-major (a_rs == 1), as in the weight-gradient GEMM.
template <int R, int NV, bool kUnitK>
inline void microkernel(int K, const float* __restrict a, ptrdiff_t a_rs, ptrdiff_t a_ks, const float* __restrict b,
                        ptrdiff_t b_ks, float* __restrict c) {
  V acc[R][NV];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v] = zero();

  if constexpr (kUnitK) {
    const float* row[R];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) row[r] = a + r * a_rs;
    for (int k = 0; k < K; ++k) {
      V bv[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) bv[v] = load(b + v * W);
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) {
        const V ar = set1(row[r][k]);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[r][v] = fmadd(ar, bv[v], acc[r][v]);
      }
      b += b_ks;
    }
  } else {
    (void)a_rs;
    for (int k = 0; k < K; ++k) {
      V bv[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) bv[v] = load(b + v * W);
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) {
        const V ar = set1(a[r]);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[r][v] = fmadd(ar, bv[v], acc[r][v]);
      }
      a += a_ks;
      b += b_ks;
    }
  }

#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) store(c + (r * NV + v) * W, acc[r][v]);
}

// Tile with a run-time row count (1..tile_rows(NV)), for the last rows of a thread's share.
template <int NV, bool kUnitK, int R = tile_rows(NV)>
inline void microkernel_rows(int rows, int K, const float* a, ptrdiff_t a_rs, ptrdiff_t a_ks, const float* b,
                             ptrdiff_t b_ks, float* c) {
  if constexpr (R >= 1) {
    if (rows == R) return microkernel<R, NV, kUnitK>(K, a, a_rs, a_ks, b, b_ks, c);
    if constexpr (R > 1) return microkernel_rows<NV, kUnitK, R - 1>(rows, K, a, a_rs, a_ks, b, b_ks, c);
  }
}

// Calls body(first_row, count) over `rows` in tiles of at most R rows, sized as evenly as possible: 32 rows go as
// 6,6,5,5,5,5 rather than 6,6,6,6,6,2, because a 2-row tile has too few accumulators to hide FMA latency.
template <int R, class Body>
inline void for_each_tile(int rows, Body&& body) {
  if (rows <= 0) return;
  const int tiles = (rows + R - 1) / R;
  const int base = rows / tiles, extra = rows % tiles;
  for (int t = 0, r0 = 0; t < tiles; ++t) {
    const int n = base + (t < extra ? 1 : 0);
    body(r0, n);
    r0 += n;
  }
}

// Row-major A (rows of a thread: a + r*a_rs, K contiguous floats) times a sequence of packed column blocks.
// epilogue(row, block, tile_row) receives NV*W outputs for that row and block.
template <int NV, class Epilogue>
inline void rows_times_blocks(int rows, int K, const float* a, ptrdiff_t a_rs, const float* blocks, int block_count,
                              float* tile, Epilogue&& epilogue) {
  constexpr int R = tile_rows(NV);
  const ptrdiff_t block_floats = ptrdiff_t(K) * NV * W;
  for (int jb = 0; jb < block_count; ++jb) {
    const float* panel = blocks + jb * block_floats;
    for_each_tile<R>(rows, [&](int r0, int n) {
      microkernel_rows<NV, true>(n, K, a + r0 * a_rs, a_rs, 1, panel, NV * W, tile);
      for (int r = 0; r < n; ++r) epilogue(r0 + r, jb, tile + r * NV * W);
    });
  }
}

// The stacked weights [W; U] ([D+H][G*H]) read as one matrix: row k < D is W's, the rest U's.
struct StackedWeights {
  const float* W;
  const float* U;
  int D, H, GH;
  float at(int k, int col) const { return k < D ? W[size_t(k) * GH + col] : U[size_t(k - D) * GH + col]; }
};

// Forward panels: for each chunk of W hidden units, K = D+H rows of NV vectors, vector v holding gate
// (gate0 + v) of those units. Units past H are zero so a tail chunk computes harmless zeros.
inline void pack_gate_blocks(const StackedWeights& w, int gate0, int nv, float* out) {
  const int K = w.D + w.H;
  const int chunks = (w.H + W - 1) / W;
  for (int jb = 0; jb < chunks; ++jb)
    for (int k = 0; k < K; ++k)
      for (int v = 0; v < nv; ++v)
        for (int l = 0; l < W; ++l) {
          const int unit = jb * W + l;
          *out++ = unit < w.H ? w.at(k, (gate0 + v) * w.H + unit) : 0.0f;
        }
}

inline size_t gate_blocks_floats(int D, int H, int nv) { return size_t((H + W - 1) / W) * (D + H) * nv * W; }

// Row-major A times column blocks of up to NV vectors covering `vectors` vectors of output; block jb starts
// jb*K*NV*W floats into `blocks` and is K rows of nv*W floats, nv = NV except in the last block. Lets N = H
// (64, 128, or 65) be covered without computing a whole padded block.
template <int NV, class Epilogue>
inline void rows_times_vectors(int rows, int K, const float* a, ptrdiff_t a_rs, const float* blocks, int vectors,
                               float* tile, Epilogue&& epilogue) {
  static_assert(NV >= 1 && NV <= 4, "blocks of 1-4 vectors");
  for (int jb = 0; jb * NV < vectors; ++jb) {
    const int nv = std::min(NV, vectors - jb * NV);
    const float* panel = blocks + ptrdiff_t(jb) * K * NV * W;
    auto block = [&](auto nv_const) {
      constexpr int kNv = decltype(nv_const)::value;
      for_each_tile<tile_rows(kNv)>(rows, [&](int r0, int n) {
        microkernel_rows<kNv, true>(n, K, a + r0 * a_rs, a_rs, 1, panel, kNv * W, tile);
        for (int r = 0; r < n; ++r) epilogue(r0 + r, jb, tile + r * kNv * W);
      });
    };
    switch (nv) {
      case 1: block(std::integral_constant<int, 1>()); break;
      case 2: if constexpr (NV >= 2) block(std::integral_constant<int, 2>()); break;
      case 3: if constexpr (NV >= 3) block(std::integral_constant<int, 3>()); break;
      default: if constexpr (NV >= 4) block(std::integral_constant<int, 4>()); break;
    }
  }
}

// Backward panels: U transposed, restricted to gate columns [col0, col0 + K), laid out for
// rows_times_vectors<NV> over the H output columns (dh). Columns past H are zero.
inline void pack_recurrent_transposed(const float* U, int H, int GH, int col0, int K, int NV, float* out) {
  const int vectors = (H + W - 1) / W;
  for (int jb = 0; jb * NV < vectors; ++jb) {
    const int nv = std::min(NV, vectors - jb * NV);
    float* block = out + ptrdiff_t(jb) * K * NV * W;
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < nv * W; ++j) {
        const int n = jb * NV * W + j;
        block[ptrdiff_t(k) * nv * W + j] = n < H ? U[size_t(n) * GH + col0 + k] : 0.0f;
      }
  }
}

inline size_t recurrent_transposed_floats(int H, int K, int NV) {
  const int vectors = (H + W - 1) / W;
  return size_t((vectors + NV - 1) / NV) * K * NV * W;
}

// out[j] = <a, b_j> over K floats, for the D rows b_j = W[j] of the input kernel: dx = da W^T. D is small
// (4 for DNA, ~20 for protein), too narrow for a register tile, so each output is one vector dot product.
inline void dot_rows(const float* a, const float* b, ptrdiff_t b_rs, int rows, int K, float* out) {
  constexpr int kGroup = 4;
  int j = 0;
  for (; j + kGroup <= rows; j += kGroup) {
    V acc[kGroup] = {zero(), zero(), zero(), zero()};
    int k = 0;
    for (; k + W <= K; k += W) {
      const V av = load(a + k);
      for (int q = 0; q < kGroup; ++q) acc[q] = fmadd(av, load(b + (j + q) * b_rs + k), acc[q]);
    }
    if (k < K)
      for (int q = 0; q < kGroup; ++q) acc[q] = fmadd(load_n(a + k, K - k), load_n(b + (j + q) * b_rs + k, K - k), acc[q]);
    for (int q = 0; q < kGroup; ++q) out[j + q] = hsum(acc[q]);
  }
  for (; j < rows; ++j) {
    V acc = zero();
    int k = 0;
    for (; k + W <= K; k += W) acc = fmadd(load(a + k), load(b + j * b_rs + k), acc);
    if (k < K) acc = fmadd(load_n(a + k, K - k), load_n(b + j * b_rs + k, K - k), acc);
    out[j] = hsum(acc);
  }
}

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq
