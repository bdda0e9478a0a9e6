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
#include "isa_target.h"
#include "chunk_queue.h"
#include "conv_api.h"
#include "gemm.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

namespace {

constexpr int kVectors = 4;               // filter vectors per register tile (gemm.h's NV)
constexpr int kPositionsPerChunk = 1024;  // padded positions per chunk of batch rows: its buffers stay in L2

struct Geometry {
  int B, T, C, K, F, pool, P;
  int left, right;  // taps before and after the output step
  int L;            // padded positions per batch row
  int KC;           // kernel rows
  int vectors, Fp;  // filters in SIMD vectors, and rounded up to whole vectors (row stride of the buffers)
  int chunk_rows, chunks;

  explicit Geometry(const ConvShape& s)
      : B(s.batch), T(s.steps), C(s.channels), K(s.width), F(s.filters), pool(s.pool),
        P((s.steps + s.pool - 1) / s.pool), left((s.width - 1) / 2), right(s.width - 1 - left),
        L(s.steps + s.width - 1), KC(s.width * s.channels), vectors((s.filters + W - 1) / W), Fp(vectors * W),
        chunk_rows(std::max(1, std::min(s.batch, kPositionsPerChunk / std::max(1, L)))),
        chunks(s.batch == 0 || s.steps == 0 ? 0 : (s.batch + chunk_rows - 1) / chunk_rows) {}

  void rows_of(int chunk, int& b0, int& nb) const {
    b0 = chunk * chunk_rows;
    nb = std::min(chunk_rows, B - b0);
  }
  size_t padded_input_floats() const { return (size_t(chunk_rows) * L + K - 1) * C; }
  size_t padded_gradient_floats() const { return size_t(chunk_rows) * L * Fp; }
};

// Rows b0 .. b0+nb-1 of x in the padded layout: position i*L + p holds x[b0+i][p - (K-1)], zero for p < K-1.
void fill_padded_input(const float* x, const Geometry& g, int b0, int nb, float* out) {
  std::memset(out, 0, sizeof(float) * g.padded_input_floats());
  for (int i = 0; i < nb; ++i)
    std::memcpy(out + (size_t(i) * g.L + g.K - 1) * g.C, x + size_t(b0 + i) * g.T * g.C, sizeof(float) * g.T * g.C);
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

// Max over each window of one row's activations [T][Fp] (ReLU outputs, so >= 0). The first maximum wins, as in
// the cpu backend's MaxPoolGrad, and none is recorded where the maximum is 0: there the ReLU or the mask stops the
// gradient at whichever position it would go to. best and arg: Fp floats of scratch (steps are exact in a float).
void pool_row(const float* act, const Geometry& g, float* out, int32_t* argmax, float* best, float* arg) {
  for (int p = 0; p < g.P; ++p) {
    const int t0 = p * g.pool, t1 = std::min(g.T, t0 + g.pool);
    for (int v = 0; v < g.vectors; ++v) {
      const float* column = act + v * W;
      V high = load(column + size_t(t0) * g.Fp), at = set1(float(t0));
      for (int t = t0 + 1; t < t1; ++t) {
        const V x = load(column + size_t(t) * g.Fp);
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
      : input(at_least(s.input, g.padded_input_floats())), act(at_least(s.act, size_t(g.T) * g.Fp)),
        tile(at_least(s.tile, size_t(kMaxRows) * kVectors * W)), best(at_least(s.best, g.Fp)), arg(at_least(s.arg, g.Fp)) {}
};

void forward_chunk(const ConvForwardArgs& a, const Geometry& g, const std::vector<float>& panels,
                   const std::vector<float>& bias, const std::vector<float>& position, int chunk,
                   const ForwardBuffers& s) {
  int b0, nb;
  g.rows_of(chunk, b0, nb);
  fill_padded_input(a.x, g, b0, nb, s.input);
  for (int i = 0; i < nb; ++i) {
    const int b = b0 + i;
    const float* mask = a.mask ? a.mask + size_t(b) * g.T : nullptr;
    const float* windows = s.input + (size_t(i) * g.L + g.right) * g.C;
    rows_times_vectors<kVectors>(g.T, g.KC, windows, g.C, panels.data(), g.vectors, s.tile,
                                 [&](int t, int jb, const float* values) {
                                   const int f0 = jb * kVectors * W;
                                   const int width = std::min(kVectors * W, g.Fp - f0);
                                   float* dst = s.act + size_t(t) * g.Fp + f0;
                                   if (mask != nullptr && mask[t] == 0.0f) {
                                     std::memset(dst, 0, sizeof(float) * width);
                                     return;
                                   }
                                   // max(0, pre): NaN passes through, as in tf.relu
                                   const float* step_bias = position.empty() ? nullptr : position.data() + size_t(t) * g.Fp + f0;
                                   for (int j = 0; j < width; j += W) {
                                     V pre = add(load(values + j), load(bias.data() + f0 + j));
                                     if (step_bias != nullptr) pre = add(pre, load(step_bias + j));
                                     store(dst + j, vmax(zero(), pre));
                                   }
                                 });
    const size_t pooled = size_t(b) * g.P * g.F;
    pool_row(s.act, g, a.out + pooled, a.argmax ? a.argmax + pooled : nullptr, s.best, s.arg);
  }
}

void forward(const ConvForwardArgs& a, const Parallel& parallel) {
  const Geometry g(a.s);
  if (g.chunks == 0) return;
  std::vector<float> panels, bias(g.Fp, 0.0f);
  pack_kernel(a.kernel, g, panels);
  std::memcpy(bias.data(), a.bias, sizeof(float) * g.F);
  // The per-step bias with rows padded to whole vectors, like the bias.
  std::vector<float> position;
  if (a.position != nullptr) {
    position.assign(size_t(g.T) * g.Fp, 0.0f);
    for (int t = 0; t < g.T; ++t)
      std::memcpy(position.data() + size_t(t) * g.Fp, a.position + size_t(t) * g.F, sizeof(float) * g.F);
  }
  ChunkQueue queue(g.chunks);
  parallel([&](int, int) {
    const ForwardBuffers buffers(g);
    for (int chunk; queue.claim(chunk);) forward_chunk(a, g, panels, bias, position, chunk, buffers);
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
  const Geometry g(a.s);
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
