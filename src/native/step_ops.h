// Host-side passes of the native whole training step (src/engine/native-step.ts) and of fused-adamw.ts that were
// JavaScript loops or TensorFlow.js ops between the kernels: dropout draws, the max over steps, the per-step bias
// gradient, elementwise passes, the optimiser's loops, and per-position models' head and loss. Compiled once into
// the addon (not per instruction set as the kernels are): they are memory-bound or a serial chain, and their
// results must not depend on the SIMD level. The optimiser's two loops, whose double division and square root are
// compute-bound, are gcc target_clones (AVX-512, AVX2, baseline) picked by the CPU at load: elementwise IEEE
// operations without contraction give the same bits at every width. All but the head repeat the arithmetic of the
// JavaScript they replaced, bit for bit; the head matches the tensor path to float rounding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel_api.h"

namespace rnnseq {

// The state of Baagoe's Alea generator as TensorFlow.js's seedrandom.alea keeps it, in units of 2^-32: s0..s2 are
// the three lags (< 2^32) and carry the multiply-with-carry's carry. Every value the JavaScript version computes
// in doubles is an exact multiple of 2^-32 below 2^53, so integers reproduce its stream bit for bit.
struct AleaState {
  uint64_t s0, s1, s2, carry;
};

// tf.dropout's multiplier for each element, in the order tf.randomUniform draws: floor(u + keep) / keep in float32,
// u the generator's next value rounded to float32, keep = float32(1 - rate); `scaled` (null: none) is multiplied
// by them in place.
void dropout_multiplier(AleaState& state, float keep, float* out, float* scaled, size_t length);

struct MaxOverStepsArgs {
  const float* values;  // [B][T][F]
  const float* mask;    // [B][T], zero = padded step; null = every step real
  float pad_value;      // what a padded step counts as
  int batch, steps, features;
  float* into;          // row b at b*stride + column: the maximum of each feature
  int stride, column;
  int32_t* argmax;      // row b at b*arg_stride + arg_column: the first step holding it
  int arg_stride, arg_column;
};

// Each feature's maximum over steps and the first step that holds it (a NaN never replaces a value, as in
// native-step.ts and max-over-steps.ts, where the comparison is `v > max`).
void max_over_steps(const MaxOverStepsArgs& a);

// The convolution's per-step bias gradient: grad[t][f] += dOut[i][f] for each pooled output i whose argmax t is a
// step (not -1), in row order, as native-conv.ts's positionGradient adds them. grad is [steps][F], zeroed by the
// caller. Rows are [B][P] pooled outputs of windows of `pool` steps; an argmax outside its row's window is not
// added. Returns how many elements were -1 or added: fewer than rows * filters means some argmax was outside.
size_t position_gradient(const int32_t* argmax, const float* dOut, size_t rows, size_t filters, size_t steps,
                         size_t pool, float* grad);

// fused-adamw.ts's update of one variable, in the same double arithmetic JavaScript does it in (Adam's moments and
// the weights stored as float32), so the two agree bit for bit:
//   g' = g scale; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2; w = (decay ? f32(w keep) : w)
//        - lr (m / one_minus_acc1) / (sqrt(v / one_minus_acc2) + epsilon)
struct AdamWArgs {
  const float* grad;
  float* weights;
  float* first;
  float* second;
  size_t length;
  double scale, learning_rate, keep, one_minus_acc1, one_minus_acc2, epsilon;
  bool decay;
};
void adamw_update(const AdamWArgs& a);

// shadow = shadow d + weights (1 - d), in doubles rounded to float32 on store: the weight average's step.
void average_update(float* shadow, const float* weights, size_t length, double d);

// start + the sum of squares of `values`, accumulated in one double in order (the clipping norm).
double sum_of_squares(const float* values, size_t length, double start);

// values[i] += other[i] (add) or values[i] *= other[i] (multiply): the step's elementwise passes over [B, T, F].
void add_in_place(float* values, const float* other, size_t length);
void multiply_in_place(float* values, const float* other, size_t length);

// A per-position model's head (lm, tag) on each of `rows` positions: logits = x W + bias (float32 sums over
// width in order, as a matMul then an add), log-softmax in double. With `targets`, the positions whose target is
// a class (>= 0) add -ln p(target) to the returned sum and, where d_kernel is given, their gradient scaled by
// `scale` (1 / positions counted: the mean loss) to d_kernel / d_bias (accumulated) and dx (written for every
// row; zero where nothing counted). `log_probs` (null: not wanted) receives every row's log-softmax.
struct PositionHeadArgs {
  const float* x;          // [rows][width]
  const float* kernel;     // [width][classes]
  const float* bias;       // [classes]
  const int32_t* targets;  // [rows]; null in inference
  size_t rows, width, classes;
  double scale;
  float* log_probs;  // [rows][classes]
  float* probs;      // [rows][classes]: the softmax itself
  double* row_loss;  // [rows]: -ln p(target) where the row counts, else 0
  float* dx;         // [rows][width]
  float* d_kernel;   // [width][classes]
  float* d_bias;     // [classes]
};
// Rows are processed in blocks of 64 on the pool's threads; each block's gradient is summed in block order, so
// the result is the same for any thread count.
double position_head(const PositionHeadArgs& a, const Parallel& parallel);

}  // namespace rnnseq
