// Chooses the kernel build for this CPU at load time (and lets tests force a lower one).
#pragma once

#include <string>
#include <vector>

#include "conv_api.h"
#include "kernel_api.h"

namespace rnnseq {

// Instruction sets this CPU and OS can run, best first, e.g. {"avx512f", "avx2", "generic"}.
std::vector<std::string> supported_simd_levels();

// The kernels for a level name from supported_simd_levels(); null if the name is unknown or unsupported here.
const KernelTable* kernels_for(const std::string& level);

// The convolution kernels of the same level; null as above.
const ConvKernelTable* conv_kernels_for(const std::string& level);

}  // namespace rnnseq
