#include "step_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

// gcc/clang pick a clone at load time through an ifunc, which glibc provides (musl does not: one baseline copy there).
#if defined(__GLIBC__)
#define RNNSEQ_CLONED __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RNNSEQ_CLONED
#endif

namespace rnnseq {

// Two passes: the generator's carry chain is serial, but its draws' conversion to multipliers is not, so the draws
// go into `out` as raw 32-bit lags first and become multipliers in a loop that vectorises.
static void alea_lags(AleaState& st, uint32_t* lags, size_t length) {
  uint64_t s0 = st.s0, s1 = st.s1, s2 = st.s2, carry = st.carry;
  for (size_t i = 0; i < length; ++i) {
    // t = 2091639 s0 + c 2^-32 in the JavaScript version; here scaled by 2^32, so the integer part is the carry.
    const uint64_t t = 2091639u * s0 + carry;
    s0 = s1;
    s1 = s2;
    carry = t >> 32;
    s2 = t & 0xffffffffu;
    lags[i] = uint32_t(s2);
  }
  st = {s0, s1, s2, carry};
}

RNNSEQ_CLONED
static void lags_to_multipliers(float keep, float* out, size_t length) {
  constexpr double kTwoPowMinus32 = 2.3283064365386963e-10;
  // floor(u + keep) is 0 or 1 for a sum in [0, 2), so each multiplier is 0 / keep or this same float division.
  const float kept = 1.0f / keep;
  uint32_t kept_bits;
  std::memcpy(&kept_bits, &kept, sizeof kept);
  for (size_t i = 0; i < length; ++i) {
    uint32_t lag;
    std::memcpy(&lag, out + i, sizeof lag);
    const float u = float(double(lag) * kTwoPowMinus32);
    // A mask, not a branch: a branch on a random draw mispredicts at the dropout rate.
    const uint32_t bits = (0u - uint32_t(u + keep >= 1.0f)) & kept_bits;
    std::memcpy(out + i, &bits, sizeof bits);
  }
}

void dropout_multiplier(AleaState& st, float keep, float* out, float* scaled, size_t length) {
  static_assert(sizeof(float) == sizeof(uint32_t), "a lag is stored in a float's place");
  alea_lags(st, reinterpret_cast<uint32_t*>(out), length);
  lags_to_multipliers(keep, out, length);
  if (scaled != nullptr)
    for (size_t i = 0; i < length; ++i) scaled[i] *= out[i];
}

void max_over_steps(const MaxOverStepsArgs& a) {
  const size_t T = size_t(a.steps), F = size_t(a.features);
  for (size_t b = 0; b < size_t(a.batch); ++b) {
    float* __restrict into = a.into + b * size_t(a.stride) + size_t(a.column);
    int32_t* __restrict arg = a.argmax + b * size_t(a.arg_stride) + size_t(a.arg_column);
    for (size_t t = 0; t < T; ++t) {
      const bool pad = a.mask != nullptr && a.mask[b * T + t] == 0.0f;
      const float* __restrict row = a.values + (b * T + t) * F;
      if (t == 0) {
        for (size_t f = 0; f < F; ++f) {
          into[f] = pad ? a.pad_value : row[f];
          arg[f] = 0;
        }
        continue;
      }
      // Masks rather than branches or selects (gcc leaves a select on a store as control flow), so the loop
      // vectorises: `larger` is all ones where v > max, and NaN compares false, never replacing the maximum.
      const int32_t step = int32_t(t);
      for (size_t f = 0; f < F; ++f) {
        const float v = pad ? a.pad_value : row[f];
        const float old = into[f];
        const int32_t larger = -int32_t(v > old);
        int32_t v_bits, old_bits;
        std::memcpy(&v_bits, &v, sizeof v);
        std::memcpy(&old_bits, &old, sizeof old);
        const int32_t max_bits = (v_bits & larger) | (old_bits & ~larger);
        std::memcpy(into + f, &max_bits, sizeof max_bits);
        arg[f] = (step & larger) | (arg[f] & ~larger);
      }
    }
  }
}

size_t position_gradient(const int32_t* argmax, const float* dOut, size_t rows, size_t filters, size_t steps,
                         size_t pool, float* grad) {
  // Row r is pooled output r % P of a batch row, so its argmax is -1 or a step of window [p pool, p pool + pool).
  // Each step of the window takes the row's values where the argmax is that step and -0 elsewhere: adding -0
  // leaves every float (-0 included) as it was, so the sums are the scatter's, in the same row order, but the
  // loop has no data-dependent address or branch and vectorises (a scatter ran ~3 ns an element here, 4 a row
  // of these ~1). Elements that are -1 or found in their window are counted on the way, so the caller can tell
  // whether any was neither without a second pass over the argmax.
  const size_t P = (steps + pool - 1) / pool;
  size_t total = 0;
  for (size_t r = 0; r < rows; ++r) {
    const size_t first = (r % P) * pool, window = std::min(pool, steps - first);
    const int32_t* __restrict arg = argmax + r * filters;
    const float* __restrict d = dOut + r * filters;
    uint32_t accounted = 0;  // at most `filters`: each element is -1 or matches at most one step
    for (size_t f = 0; f < filters; ++f) accounted += uint32_t(arg[f] == -1);
    for (size_t o = 0; o < window; ++o) {
      const int32_t step = int32_t(first + o);
      float* __restrict g = grad + (first + o) * filters;
      for (size_t f = 0; f < filters; ++f) {
        // value or -0 as a bit mask (the sign bit kept either way): gcc will not if-convert a float select here.
        uint32_t bits;
        std::memcpy(&bits, d + f, sizeof bits);
        const uint32_t hit = uint32_t(arg[f] == step);
        accounted += hit;
        const uint32_t keep = 0u - hit;
        bits = (bits & keep) | (~keep & 0x80000000u);
        float value;
        std::memcpy(&value, &bits, sizeof value);
        g[f] += value;
      }
    }
    total += accounted;
  }
  return total;
}

// Cloned per instruction set: elementwise IEEE arithmetic without contraction (-ffp-contract=off) rounds the same in
// 2, 4 or 8 double lanes, so only the speed depends on the CPU (4x the SSE2 loop's width with AVX-512).
RNNSEQ_CLONED void adamw_update(const AdamWArgs& a) {
  constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
  // The constants as JavaScript evaluates them: (1 - BETA1) is a double expression there too.
  const double one_minus_beta1 = 1 - kBeta1, one_minus_beta2 = 1 - kBeta2;
  const float* __restrict g = a.grad;
  float* __restrict w = a.weights;
  float* __restrict m = a.first;
  float* __restrict v = a.second;
  for (size_t i = 0; i < a.length; ++i) {
    const double gi = double(g[i]) * a.scale;
    // JavaScript's `const mi = (m[i] = ...)` keeps the double, not the float32 it stores.
    const double mi = kBeta1 * double(m[i]) + one_minus_beta1 * gi;
    const double vi = kBeta2 * double(v[i]) + one_minus_beta2 * gi * gi;
    m[i] = float(mi);
    v[i] = float(vi);
    const double wi = a.decay ? double(float(double(w[i]) * a.keep)) : double(w[i]);
    w[i] = float(wi - (a.learning_rate * (mi / a.one_minus_acc1)) / (std::sqrt(vi / a.one_minus_acc2) + a.epsilon));
  }
}

RNNSEQ_CLONED void average_update(float* shadow, const float* weights, size_t length, double d) {
  const double rest = 1 - d;
  for (size_t i = 0; i < length; ++i) shadow[i] = float(double(shadow[i]) * d + double(weights[i]) * rest);
}

double sum_of_squares(const float* values, size_t length, double start) {
  double sum = start;
  for (size_t i = 0; i < length; ++i) sum += double(values[i]) * double(values[i]);
  return sum;
}

void add_in_place(float* __restrict values, const float* __restrict other, size_t length) {
  for (size_t i = 0; i < length; ++i) values[i] += other[i];
}

void multiply_in_place(float* __restrict values, const float* __restrict other, size_t length) {
  for (size_t i = 0; i < length; ++i) values[i] *= other[i];
}

namespace {

// Rows per block of the per-position head: blocks, not threads, own the partial gradients and are summed in
// block order, so the result does not depend on the thread count.
constexpr size_t kHeadBlock = 64;
constexpr size_t kMaxClasses = 256;

// Rows [begin, end)'s logits before the bias, each summed over the width in order as a matMul would. With K = 4,
// four rows at a time: each row keeps its own chain of adds in the same order (so the same bits), but a row's add
// no longer waits on the add before it in the same chain alone: four chains in flight hide the add's latency,
// which bounded the one-row loop (64 dependent adds a row).
template <size_t K>
void block_logits(const PositionHeadArgs& a, size_t begin, size_t end, float* out) {
  const size_t W = a.width, C = K > 0 ? K : a.classes;
  size_t r = begin;
  if constexpr (K == 4) {
    for (; r + 4 <= end; r += 4) {
      float acc[4][4] = {};
      const float* __restrict x = a.x + r * W;
      for (size_t j = 0; j < W; ++j) {
        const float* __restrict w = a.kernel + j * 4;
        for (size_t i = 0; i < 4; ++i)
          for (size_t k = 0; k < 4; ++k) acc[i][k] += x[i * W + j] * w[k];
      }
      for (size_t i = 0; i < 4; ++i)
        for (size_t k = 0; k < 4; ++k) out[(r + i - begin) * 4 + k] = acc[i][k];
    }
  }
  for (; r < end; ++r) {
    float* __restrict logits = out + (r - begin) * C;
    for (size_t k = 0; k < C; ++k) logits[k] = 0.0f;
    const float* __restrict x = a.x + r * W;
    for (size_t j = 0; j < W; ++j) {
      const float xj = x[j];
      const float* __restrict w = a.kernel + j * C;
      for (size_t k = 0; k < C; ++k) logits[k] += xj * w[k];
    }
  }
}

// One block of rows. K is the class count when known at compile time (4: DNA and RNA), else 0 and `classes` rules:
// with K fixed the loops over classes are one vector operation each.
template <size_t K>
double head_block(const PositionHeadArgs& a, const float* kernel_t, size_t begin, size_t end, float* d_kernel, float* d_bias) {
  const size_t W = a.width, C = K > 0 ? K : a.classes;
  float block[kHeadBlock * kMaxClasses];
  block_logits<K>(a, begin, end, block);
  double exps[kMaxClasses];  // exp(logit - max), unnormalised
  float dl[kMaxClasses];
  double loss = 0;
  for (size_t r = begin; r < end; ++r) {
    const float* __restrict x = a.x + r * W;
    const int32_t target = a.targets != nullptr ? a.targets[r] : -1;
    const bool counted = target >= 0;
    if (a.row_loss != nullptr) a.row_loss[r] = 0;
    if (!counted && a.log_probs == nullptr && a.probs == nullptr) {
      if (a.dx != nullptr) std::memset(a.dx + r * W, 0, W * sizeof(float));
      continue;
    }
    float* logits = block + (r - begin) * C;
    double max = -INFINITY;
    for (size_t k = 0; k < C; ++k) {
      logits[k] += a.bias[k];
      if (double(logits[k]) > max) max = double(logits[k]);
    }
    double total = 0;
    for (size_t k = 0; k < C; ++k) total += (exps[k] = std::exp(double(logits[k]) - max));
    const double log_total = max + std::log(total);
    if (a.log_probs != nullptr)
      for (size_t k = 0; k < C; ++k) a.log_probs[r * C + k] = float(double(logits[k]) - log_total);
    if (a.probs != nullptr)
      for (size_t k = 0; k < C; ++k) a.probs[r * C + k] = float(exps[k] / total);
    if (!counted) {
      if (a.dx != nullptr) std::memset(a.dx + r * W, 0, W * sizeof(float));
      continue;
    }
    const double row = log_total - double(logits[target]);
    loss += row;
    if (a.row_loss != nullptr) a.row_loss[r] = row;
    if (d_kernel == nullptr) continue;
    for (size_t k = 0; k < C; ++k) dl[k] = float((exps[k] / total - (k == size_t(target) ? 1.0 : 0.0)) * a.scale);
    for (size_t k = 0; k < C; ++k) d_bias[k] += dl[k];
    for (size_t j = 0; j < W; ++j) {
      const float xj = x[j];
      float* __restrict dw = d_kernel + j * C;
      for (size_t k = 0; k < C; ++k) dw[k] += xj * dl[k];
    }
    // dx = W dl, along the row (kernel_t is [classes][width]). Each dx[j] sums its classes in class order from 0;
    // with K known that is one pass over the row (the same adds as one pass per class, which stored and reloaded
    // the row K times and took a fifth of the head's time).
    float* __restrict dx = a.dx + r * W;
    if constexpr (K > 0) {
      for (size_t j = 0; j < W; ++j) {
        float sum = 0.0f;
        for (size_t k = 0; k < K; ++k) sum += dl[k] * kernel_t[k * W + j];
        dx[j] = sum;
      }
    } else {
      for (size_t j = 0; j < W; ++j) dx[j] = 0.0f;
      for (size_t k = 0; k < C; ++k) {
        const float g = dl[k];
        const float* __restrict wt = kernel_t + k * W;
        for (size_t j = 0; j < W; ++j) dx[j] += g * wt[j];
      }
    }
  }
  return loss;
}

}  // namespace

double position_head(const PositionHeadArgs& a, const Parallel& parallel) {
  const size_t W = a.width, K = a.classes;
  const size_t blocks = (a.rows + kHeadBlock - 1) / kHeadBlock;
  const bool grads = a.d_kernel != nullptr;
  std::vector<float> kernel_t(grads ? K * W : 0);
  if (grads)
    for (size_t j = 0; j < W; ++j)
      for (size_t k = 0; k < K; ++k) kernel_t[k * W + j] = a.kernel[j * K + k];
  const size_t slot = W * K + K;
  std::vector<float> partial(grads ? blocks * slot : 0, 0.0f);
  std::vector<double> losses(blocks, 0.0);
  parallel([&](int index, int count) {
    for (size_t block = size_t(index); block < blocks; block += size_t(count)) {
      const size_t begin = block * kHeadBlock, end = std::min(a.rows, begin + kHeadBlock);
      float* dk = grads ? partial.data() + block * slot : nullptr;
      float* db = grads ? dk + W * K : nullptr;
      losses[block] = K == 4 ? head_block<4>(a, kernel_t.data(), begin, end, dk, db)
                             : head_block<0>(a, kernel_t.data(), begin, end, dk, db);
    }
  });
  double loss = 0;
  for (size_t block = 0; block < blocks; ++block) {
    loss += losses[block];
    if (!grads) continue;
    const float* dk = partial.data() + block * slot;
    for (size_t i = 0; i < W * K; ++i) a.d_kernel[i] += dk[i];
    for (size_t k = 0; k < K; ++k) a.d_bias[k] += dk[W * K + k];
  }
  return loss;
}

}  // namespace rnnseq
