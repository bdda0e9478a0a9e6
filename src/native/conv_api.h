// The contract between the N-API layer and the per-ISA builds of the convolutional front-end (conv.cc): a 1-d
// 'same' convolution, bias, ReLU, zero at masked positions and max-pool over runs of `pool` steps, as in
// src/engine/front-end.ts. Plain data only: this header is also read inside the kernels' instruction-set region
// (isa_target.h), where any inline function would be compiled for that instruction set.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel_api.h"

namespace rnnseq {

struct ConvShape {
  int batch;     // B
  int steps;     // T
  int channels;  // C
  int width;     // K: taps, row j*C + d of the kernel weighs channel d at offset j - floor((K-1)/2)
  int filters;   // F
  int pool;      // pooled steps P = ceil(T / pool); the last window may be short
};

struct ConvForwardArgs {
  ConvShape s;
  const float* x;       // [B][T][C]
  const float* mask;    // [B][T], non-zero = real position; null = all real
  const float* kernel;  // [K*C][F]
  const float* bias;    // [F]
  const float* position;  // [position_rows][F]: a bias per step as well (fixed-length models); null = none
  int position_rows;      // steps with a per-step bias: the first min(T, position_rows); later ones have none
  float* out;           // [B][P][F]
  // [B][P][F]: the step each pooled output came from, or -1 where no gradient flows back (the window's maximum
  // is 0: ReLU off or masked). Null for inference.
  int32_t* argmax;
};

struct ConvBackwardArgs {
  ConvShape s;
  const float* x;         // as in the forward
  const float* kernel;    // as in the forward
  const int32_t* argmax;  // the forward's
  const float* dOut;      // [B][P][F]
  float* dKernel;         // [K*C][F], written
  float* dBias;           // [F], written
  float* dx;              // [B][T][C], written; null when no input gradient is wanted
};

struct ConvKernelTable {
  const char* name;
  void (*forward)(const ConvForwardArgs&, const Parallel&);
  void (*backward)(const ConvBackwardArgs&, const Parallel&);
};

namespace avx512 { extern const ConvKernelTable conv_kernels; }
namespace avx2 { extern const ConvKernelTable conv_kernels; }
namespace generic { extern const ConvKernelTable conv_kernels; }

}  // namespace rnnseq
