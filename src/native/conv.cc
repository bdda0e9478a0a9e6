// The convolutional front-end of src/engine/front-end.ts as one fused kernel and its backward, compiled once per
// instruction set: conv1d 'same' + bias + ReLU + zero at masked positions + max-pool over runs of `pool` steps.
//
// No im2col. A chunk of batch rows is copied once into a zero-padded buffer (each row: K-1 zero positions, then
// its T steps; K-1 more zeros after the last row), where the window of output step t is K*C consecutive floats
// starting C floats after step t-1's: gemm.h's register tiles read these overlapping rows with row stride C. The
// kernel gradient reads the same buffer as a column-major matrix (position stride C), and dX reads a zero-padded
// copy of the pre-activation gradient the same way.
//
// Threads claim chunks of batch rows. The chunk size depends on the shape only; each chunk writes its own
// partial kernel and bias gradients, which are then summed in chunk order, so results are bit-identical for any
// thread count.
#include <optional>

#include "isa_target.h"
#include "chunk_queue.h"
#include "conv_api.h"
#include "gemm.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

namespace {

constexpr int kVectors = 4;               // filter vectors per register tile (gemm.h's NV)
constexpr int kPositionsPerChunk = 1024;  // padded positions per chunk of batch rows: its buffers stay in L2
constexpr int kTileSteps = 4096;          // output steps per chunk of a row too long for one (forward only)

struct Geometry {
  int B, T, C, K, F, pool, P;
  int left, right;  // taps before and after the output step
  int L;            // padded positions per batch row
  int KC;           // kernel rows
  int vectors, Fp;  // filters in SIMD vectors, and rounded up to whole vectors (row stride of the buffers)
  // The forward cuts a row longer than kTileSteps into tiles of whole pooling windows, one chunk each, so a
  // genome-length record needs buffers of a tile, not of its length, and spreads over the threads. The backward
  // (training batches: bounded lengths) keeps whole rows.
  int tile, tiles;  // output steps per tile and tiles per row; tiles == 1: chunks of whole rows
  int chunk_rows, chunks;

  Geometry(const ConvShape& s, bool tiled)
      : B(s.batch), T(s.steps), C(s.channels), K(s.width), F(s.filters), pool(s.pool),
        P((s.steps + s.pool - 1) / s.pool), left((s.width - 1) / 2), right(s.width - 1 - left),
        L(s.steps + s.width - 1), KC(s.width * s.channels), vectors((s.filters + W - 1) / W), Fp(vectors * W),
        tile(tiled && s.steps > kTileSteps ? (kTileSteps + s.pool - 1) / s.pool * s.pool : s.steps),
        tiles(s.steps == 0 ? 1 : (s.steps + tile - 1) / tile),
        chunk_rows(tiles > 1 ? 1 : std::max(1, std::min(s.batch, kPositionsPerChunk / std::max(1, L)))),
        chunks(s.batch == 0 || s.steps == 0 ? 0 : (s.batch + chunk_rows - 1) / chunk_rows * tiles) {}

  void rows_of(int chunk, int& b0, int& nb) const {
    b0 = chunk * chunk_rows;
    nb = std::min(chunk_rows, B - b0);
  }
  size_t padded_input_floats() const {
    return tiles > 1 ? (size_t(tile) + K - 1) * C : (size_t(chunk_rows) * L + K - 1) * C;
  }
  size_t padded_gradient_floats() const { return size_t(chunk_rows) * L * Fp; }
};

// Rows b0 .. b0+nb-1 of x in the padded layout: position i*L + p holds x[b0+i][p - (K-1)], zero for p < K-1.
void fill_padded_input(const float* x, const Geometry& g, int b0, int nb, float* out) {
  std::memset(out, 0, sizeof(float) * g.padded_input_floats());
  for (int i = 0; i < nb; ++i)
    std::memcpy(out + (size_t(i) * g.L + g.K - 1) * g.C, x + size_t(b0 + i) * g.T * g.C, sizeof(float) * g.T * g.C);
}

// Steps t0 .. t0+n-1 of row b with their taps: position q holds x[b][t0 - left + q], zero outside the row, so the
// window of step t0 + u is the K*C floats from position u.
void fill_tile_input(const float* x, const Geometry& g, int b, int t0, int n, float* out) {
  const int first = t0 - g.left, end = t0 + n + g.right;  // [first, end): the steps the tile's windows read
  const int from = std::max(0, first), to = std::min(g.T, end);
  std::memset(out, 0, sizeof(float) * (size_t(end - first) * g.C));
  if (to > from)
    std::memcpy(out + size_t(from - first) * g.C, x + (size_t(b) * g.T + from) * g.C, sizeof(float) * (to - from) * g.C);
}

// The kernel [K*C][F] as gemm.h's rows_times_vectors<kVectors> panels; filters past F are zero.
void pack_kernel(const float* kernel, const Geometry& g, std::vector<float>& out) {
  out.assign(size_t((g.vectors + kVectors - 1) / kVectors) * g.KC * kVectors * W, 0.0f);
  for (int jb = 0; jb * kVectors < g.vectors; ++jb) {
    const int width = std::min(kVectors, g.vectors - jb * kVectors) * W;
    float* block = out.data() + size_t(jb) * g.KC * kVectors * W;
    for (int k = 0; k < g.KC; ++k)
      for (int j = 0; j < width; ++j) {
        const int f = jb * kVectors * W + j;
        block[size_t(k) * width + j] = f < g.F ? kernel[size_t(k) * g.F + f] : 0.0f;
      }
  }
}

// For dX: panel[c][m*Fp + f] = kernel[(K-1-m)*C + c][f], so dX at step s, channel c is one dot product with the
// K*Fp gradient floats of positions s .. s+K-1 of a padded row.
void pack_flipped_kernel(const float* kernel, const Geometry& g, std::vector<float>& out) {
  out.assign(size_t(g.C) * g.K * g.Fp, 0.0f);
  for (int c = 0; c < g.C; ++c)
    for (int m = 0; m < g.K; ++m)
      std::memcpy(out.data() + (size_t(c) * g.K + m) * g.Fp, kernel + (size_t(g.K - 1 - m) * g.C + c) * g.F,
                  sizeof(float) * g.F);
}

// a > b ? x : y, lane by lane (false where a or b is NaN, as in scalar code).
inline V select_greater(V a, V b, V x, V y) {
#if RNNSEQ_ISA_LEVEL == 3
  return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), x);
#elif RNNSEQ_ISA_LEVEL == 2
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ));
#else
  const V m = _mm_cmpgt_ps(a, b);
  return _mm_or_ps(_mm_and_ps(m, x), _mm_andnot_ps(m, y));
#endif
}

// Max over each window of steps [t_begin, t_end) of one row (t_begin a window's start, t_end one's end or T), whose
// activations act holds from step t_begin, [t_end - t_begin][Fp] (ReLU outputs, so >= 0). The first maximum wins, as in
// the cpu backend's MaxPoolGrad, and none is recorded where the maximum is 0: there the ReLU or the mask stops the
// gradient at whichever position it would go to. best and arg: Fp floats of scratch (steps are exact in a float).
void pool_row(const float* act, const Geometry& g, int t_begin, int t_end, float* out, int32_t* argmax, float* best,
              float* arg) {
  for (int p = t_begin / g.pool; p * g.pool < t_end; ++p) {
    const int t0 = p * g.pool, t1 = std::min(t_end, t0 + g.pool);
    for (int v = 0; v < g.vectors; ++v) {
      const float* column = act + v * W;
      V high = load(column + size_t(t0 - t_begin) * g.Fp), at = set1(float(t0));
      for (int t = t0 + 1; t < t1; ++t) {
        const V x = load(column + size_t(t - t_begin) * g.Fp);
        at = select_greater(x, high, set1(float(t)), at);
        high = select_greater(x, high, x, high);
      }
      store(best + v * W, high);
      store(arg + v * W, select_greater(high, zero(), at, set1(-1.0f)));
    }
    std::memcpy(out + size_t(p) * g.F, best, sizeof(float) * g.F);
    if (argmax != nullptr)
      for (int f = 0; f < g.F; ++f) argmax[size_t(p) * g.F + f] = int32_t(arg[f]);
  }
}

// Buffers reused from call to call by each thread (pool threads live as long as the pool): fresh ones of a few
// hundred KiB per call cost more in page faults and zeroing than the kernels spend using them. Every float a
// kernel reads from them it has written first in the same call.
struct Scratch {
  std::vector<float> input, act, gradient, tile, best, arg, partial_kernel, partial_bias;
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

float* at_least(std::vector<float>& buffer, size_t floats) {
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

struct ForwardBuffers {
  float *input, *act, *tile, *best, *arg;
  explicit ForwardBuffers(const Geometry& g, Scratch& s = thread_scratch())
      : input(at_least(s.input, g.padded_input_floats())), act(at_least(s.act, size_t(g.tile) * g.Fp)),
        tile(at_least(s.tile, size_t(kMaxRows) * kVectors * W)), best(at_least(s.best, g.Fp)), arg(at_least(s.arg, g.Fp)) {}
};

// What every chunk of one forward call reads: the packed kernel, and the bias and per-step bias padded to whole
// vectors (position_rows rows of it; later steps have none).
struct ForwardWeights {
  std::vector<float> panels, bias, position;
  int position_rows = 0;
};

// Steps [t0, t0 + n) of row b: activations into s.act from its row 0, then their pooling windows into out.
// windows: the padded input where step t0's window starts.
void forward_steps(const ConvForwardArgs& a, const Geometry& g, const ForwardWeights& w, int b, int t0, int n,
                   const float* windows, const ForwardBuffers& s) {
  const float* mask = a.mask ? a.mask + size_t(b) * g.T : nullptr;
  rows_times_vectors<kVectors>(n, g.KC, windows, g.C, w.panels.data(), g.vectors, s.tile,
                               [&](int u, int jb, const float* values) {
                                 const int t = t0 + u;
                                 const int f0 = jb * kVectors * W;
                                 const int width = std::min(kVectors * W, g.Fp - f0);
                                 float* dst = s.act + size_t(u) * g.Fp + f0;
                                 if (mask != nullptr && mask[t] == 0.0f) {
                                   std::memset(dst, 0, sizeof(float) * width);
                                   return;
                                 }
                                 // max(0, pre): NaN passes through, as in tf.relu
                                 const float* step_bias =
                                     t < w.position_rows ? w.position.data() + size_t(t) * g.Fp + f0 : nullptr;
                                 for (int j = 0; j < width; j += W) {
                                   V pre = add(load(values + j), load(w.bias.data() + f0 + j));
                                   if (step_bias != nullptr) pre = add(pre, load(step_bias + j));
                                   store(dst + j, vmax(zero(), pre));
                                 }
                               });
  const size_t pooled = size_t(b) * g.P * g.F;
  pool_row(s.act, g, t0, t0 + n, a.out + pooled, a.argmax ? a.argmax + pooled : nullptr, s.best, s.arg);
}

void forward_chunk(const ConvForwardArgs& a, const Geometry& g, const ForwardWeights& w, int chunk,
                   const ForwardBuffers& s) {
  if (g.tiles > 1) {
    const int b = chunk / g.tiles, t0 = chunk % g.tiles * g.tile, n = std::min(g.tile, g.T - t0);
    fill_tile_input(a.x, g, b, t0, n, s.input);
    forward_steps(a, g, w, b, t0, n, s.input, s);
    return;
  }
  int b0, nb;
  g.rows_of(chunk, b0, nb);
  fill_padded_input(a.x, g, b0, nb, s.input);
  for (int i = 0; i < nb; ++i) forward_steps(a, g, w, b0 + i, 0, g.T, s.input + (size_t(i) * g.L + g.right) * g.C, s);
}

void forward(const ConvForwardArgs& a, const Parallel& parallel) {
  const Geometry g(a.s, true);
  if (g.chunks == 0) return;
  ForwardWeights w;
  pack_kernel(a.kernel, g, w.panels);
  w.bias.assign(g.Fp, 0.0f);
  std::memcpy(w.bias.data(), a.bias, sizeof(float) * g.F);
  if (a.position != nullptr) {
    w.position_rows = std::min(g.T, a.position_rows);
    w.position.assign(size_t(w.position_rows) * g.Fp, 0.0f);
    for (int t = 0; t < w.position_rows; ++t)
      std::memcpy(w.position.data() + size_t(t) * g.Fp, a.position + size_t(t) * g.F, sizeof(float) * g.F);
  }
  ChunkQueue queue(g.chunks);
  parallel([&](int, int) {
    // Buffers only in a thread that gets a chunk: one long row may be fewer chunks than threads.
    std::optional<ForwardBuffers> buffers;
    for (int chunk; queue.claim(chunk);) {
      if (!buffers) buffers.emplace(g);
      forward_chunk(a, g, w, chunk, *buffers);
    }
  });
}

struct BackwardBuffers {
  float *input, *gradient, *tile;
  explicit BackwardBuffers(const Geometry& g, Scratch& s = thread_scratch())
      : input(at_least(s.input, g.padded_input_floats())), gradient(at_least(s.gradient, g.padded_gradient_floats())),
        tile(at_least(s.tile, size_t(kMaxRows) * kVectors * W)) {}
};

// Kernel-gradient rows [KC] x filters [f0, f0 + NV*W) of one chunk: sum over its padded positions k of
// input[k*C + r] * gradient[k][f], one fused-multiply-add chain per element.
template <int NV>
void kernel_gradient_block(const Geometry& g, const float* input, const float* gradient, int positions, int f0,
                           float* partial, float* tile) {
  for_each_tile<tile_rows(NV)>(g.KC, [&](int r0, int n) {
    microkernel_rows<NV, false>(n, positions, input + r0, 1, g.C, gradient + f0, g.Fp, tile);
    for (int r = 0; r < n; ++r)
      std::memcpy(partial + size_t(r0 + r) * g.Fp + f0, tile + r * NV * W, sizeof(float) * NV * W);
  });
}

void backward_chunk(const ConvBackwardArgs& a, const Geometry& g, const std::vector<float>& flipped, int chunk,
                    float* partial_kernel, float* partial_bias, const BackwardBuffers& s) {
  int b0, nb;
  g.rows_of(chunk, b0, nb);
  // The pre-activation gradient in the padded layout: row i's step t at position i*L + right + t (where the
  // forward window of t starts), zero elsewhere.
  float* gradient = s.gradient;
  std::memset(gradient, 0, sizeof(float) * g.padded_gradient_floats());
  for (int i = 0; i < nb; ++i) {
    const size_t pooled = size_t(b0 + i) * g.P * g.F;
    for (int p = 0; p < g.P; ++p)
      for (int f = 0; f < g.F; ++f) {
        const size_t at = pooled + size_t(p) * g.F + f;
        const int t = a.argmax[at];
        if (t >= 0) gradient[(size_t(i) * g.L + g.right + t) * g.Fp + f] = a.dOut[at];
      }
  }
  const int positions = nb * g.L;
  for (int v = 0; v < g.vectors; ++v) {
    V sum = zero();
    for (int k = 0; k < positions; ++k) sum = add(sum, load(gradient + size_t(k) * g.Fp + v * W));
    store(partial_bias + v * W, sum);
  }
  fill_padded_input(a.x, g, b0, nb, s.input);
  for (int jb = 0; jb * kVectors < g.vectors; ++jb) {
    const int f0 = jb * kVectors * W;
    switch (std::min(kVectors, g.vectors - jb * kVectors)) {
      case 1: kernel_gradient_block<1>(g, s.input, gradient, positions, f0, partial_kernel, s.tile); break;
      case 2: kernel_gradient_block<2>(g, s.input, gradient, positions, f0, partial_kernel, s.tile); break;
      case 3: kernel_gradient_block<3>(g, s.input, gradient, positions, f0, partial_kernel, s.tile); break;
      default: kernel_gradient_block<4>(g, s.input, gradient, positions, f0, partial_kernel, s.tile); break;
    }
  }
  if (a.dx == nullptr) return;
  // dX[s][c] = sum over taps j and filters of gradient(step s + left - j) * kernel[j*C + c]: positions
  // i*L + s .. i*L + s + K-1 against the flipped kernel.
  const int span = g.K * g.Fp;
  for (int i = 0; i < nb; ++i)
    for (int t = 0; t < g.T; ++t)
      dot_rows(gradient + (size_t(i) * g.L + t) * g.Fp, flipped.data(), span, g.C, span,
               a.dx + (size_t(b0 + i) * g.T + t) * g.C);
}

void backward(const ConvBackwardArgs& a, const Parallel& parallel) {
  const Geometry g(a.s, false);
  std::fill(a.dKernel, a.dKernel + size_t(g.KC) * g.F, 0.0f);
  std::fill(a.dBias, a.dBias + g.F, 0.0f);
  if (g.chunks == 0) {
    if (a.dx) std::fill(a.dx, a.dx + size_t(g.B) * g.T * g.C, 0.0f);
    return;
  }
  std::vector<float> flipped;
  if (a.dx) pack_flipped_kernel(a.kernel, g, flipped);
  const size_t kernel_floats = size_t(g.KC) * g.Fp;
  Scratch& caller = thread_scratch();
  float* partial_kernel = at_least(caller.partial_kernel, size_t(g.chunks) * kernel_floats);
  float* partial_bias = at_least(caller.partial_bias, size_t(g.chunks) * g.Fp);
  ChunkQueue queue(g.chunks);
  parallel([&](int, int) {
    const BackwardBuffers buffers(g);
    for (int chunk; queue.claim(chunk);)
      backward_chunk(a, g, flipped, chunk, partial_kernel + chunk * kernel_floats, partial_bias + size_t(chunk) * g.Fp,
                     buffers);
  });
  // Chunk order, whatever thread computed each partial.
  for (int chunk = 0; chunk < g.chunks; ++chunk) {
    const float* pk = partial_kernel + chunk * kernel_floats;
    for (int r = 0; r < g.KC; ++r)
      for (int f = 0; f < g.F; ++f) a.dKernel[size_t(r) * g.F + f] += pk[size_t(r) * g.Fp + f];
    const float* pb = partial_bias + size_t(chunk) * g.Fp;
    for (int f = 0; f < g.F; ++f) a.dBias[f] += pb[f];
  }
}

}  // namespace

const ConvKernelTable conv_kernels = {RNNSEQ_SIMD_NAME, forward, backward};

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
