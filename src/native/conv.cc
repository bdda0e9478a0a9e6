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

// Max over each window of one row's activations [T][Fp] (ReLU outputs, so >= 0). The first maximum wins, as in
// tf.maxPool's gradient (MaxPoolGrad), and none is recorded where the maximum is 0: there the ReLU or the mask
// stops the gradient at whichever position it would go to.
void pool_row(const float* act, const Geometry& g, float* out, int32_t* argmax) {
  for (int p = 0; p < g.P; ++p) {
    const int t0 = p * g.pool, t1 = std::min(g.T, t0 + g.pool);
    float* best = out + size_t(p) * g.F;
    std::memcpy(best, act + size_t(t0) * g.Fp, sizeof(float) * g.F);
    if (argmax == nullptr) {
      for (int t = t0 + 1; t < t1; ++t) {
        const float* v = act + size_t(t) * g.Fp;
        for (int f = 0; f < g.F; ++f) best[f] = v[f] > best[f] ? v[f] : best[f];
      }
      continue;
    }
    int32_t* arg = argmax + size_t(p) * g.F;
    std::fill(arg, arg + g.F, t0);
    for (int t = t0 + 1; t < t1; ++t) {
      const float* v = act + size_t(t) * g.Fp;
      for (int f = 0; f < g.F; ++f) {
        const bool higher = v[f] > best[f];
        best[f] = higher ? v[f] : best[f];
        arg[f] = higher ? t : arg[f];
      }
    }
    for (int f = 0; f < g.F; ++f)
      if (!(best[f] > 0.0f)) arg[f] = -1;
  }
}

struct ForwardScratch {
  std::vector<float> input, act, tile;
  explicit ForwardScratch(const Geometry& g)
      : input(g.padded_input_floats()), act(size_t(g.T) * g.Fp), tile(size_t(kMaxRows) * kVectors * W) {}
};

void forward_chunk(const ConvForwardArgs& a, const Geometry& g, const std::vector<float>& panels,
                   const std::vector<float>& bias, int chunk, ForwardScratch& s) {
  int b0, nb;
  g.rows_of(chunk, b0, nb);
  fill_padded_input(a.x, g, b0, nb, s.input.data());
  for (int i = 0; i < nb; ++i) {
    const int b = b0 + i;
    const float* mask = a.mask ? a.mask + size_t(b) * g.T : nullptr;
    const float* windows = s.input.data() + (size_t(i) * g.L + g.right) * g.C;
    rows_times_vectors<kVectors>(g.T, g.KC, windows, g.C, panels.data(), g.vectors, s.tile.data(),
                                 [&](int t, int jb, const float* values) {
                                   const int f0 = jb * kVectors * W;
                                   const int width = std::min(kVectors * W, g.Fp - f0);
                                   float* dst = s.act.data() + size_t(t) * g.Fp + f0;
                                   if (mask != nullptr && mask[t] == 0.0f) {
                                     std::memset(dst, 0, sizeof(float) * width);
                                     return;
                                   }
                                   // max(0, pre): NaN passes through, as in tf.relu
                                   for (int j = 0; j < width; j += W)
                                     store(dst + j, vmax(zero(), add(load(values + j), load(bias.data() + f0 + j))));
                                 });
    const size_t pooled = size_t(b) * g.P * g.F;
    pool_row(s.act.data(), g, a.out + pooled, a.argmax ? a.argmax + pooled : nullptr);
  }
}

void forward(const ConvForwardArgs& a, const Parallel& parallel) {
  const Geometry g(a.s);
  if (g.chunks == 0) return;
  std::vector<float> panels, bias(g.Fp, 0.0f);
  pack_kernel(a.kernel, g, panels);
  std::memcpy(bias.data(), a.bias, sizeof(float) * g.F);
  ChunkQueue queue(g.chunks);
  parallel([&](int, int) {
    ForwardScratch scratch(g);
    for (int chunk; queue.claim(chunk);) forward_chunk(a, g, panels, bias, chunk, scratch);
  });
}

struct BackwardScratch {
  std::vector<float> input, gradient, tile;
  explicit BackwardScratch(const Geometry& g)
      : input(g.padded_input_floats()), gradient(g.padded_gradient_floats()), tile(size_t(kMaxRows) * kVectors * W) {}
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
                    float* partial_kernel, float* partial_bias, BackwardScratch& s) {
  int b0, nb;
  g.rows_of(chunk, b0, nb);
  // The pre-activation gradient in the padded layout: row i's step t at position i*L + right + t (where the
  // forward window of t starts), zero elsewhere.
  float* gradient = s.gradient.data();
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
  fill_padded_input(a.x, g, b0, nb, s.input.data());
  for (int jb = 0; jb * kVectors < g.vectors; ++jb) {
    const int f0 = jb * kVectors * W;
    float* tile = s.tile.data();
    switch (std::min(kVectors, g.vectors - jb * kVectors)) {
      case 1: kernel_gradient_block<1>(g, s.input.data(), gradient, positions, f0, partial_kernel, tile); break;
      case 2: kernel_gradient_block<2>(g, s.input.data(), gradient, positions, f0, partial_kernel, tile); break;
      case 3: kernel_gradient_block<3>(g, s.input.data(), gradient, positions, f0, partial_kernel, tile); break;
      default: kernel_gradient_block<4>(g, s.input.data(), gradient, positions, f0, partial_kernel, tile); break;
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
  std::vector<float> partial_kernel(size_t(g.chunks) * kernel_floats), partial_bias(size_t(g.chunks) * g.Fp);
  ChunkQueue queue(g.chunks);
  parallel([&](int, int) {
    BackwardScratch scratch(g);
    for (int chunk; queue.claim(chunk);)
      backward_chunk(a, g, flipped, chunk, partial_kernel.data() + chunk * kernel_floats,
                     partial_bias.data() + size_t(chunk) * g.Fp, scratch);
  });
  // Chunk order, whatever thread computed each partial.
  for (int chunk = 0; chunk < g.chunks; ++chunk) {
    const float* pk = partial_kernel.data() + chunk * kernel_floats;
    for (int r = 0; r < g.KC; ++r)
      for (int f = 0; f < g.F; ++f) a.dKernel[size_t(r) * g.F + f] += pk[size_t(r) * g.Fp + f];
    const float* pb = partial_bias.data() + size_t(chunk) * g.Fp;
    for (int f = 0; f < g.F; ++f) a.dBias[f] += pb[f];
  }
}

}  // namespace

const ConvKernelTable conv_kernels = {RNNSEQ_SIMD_NAME, forward, backward};

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
