#include "dispatch.h"

namespace rnnseq {

std::vector<std::string> supported_simd_levels() {
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0), not only CPUID.
  __builtin_cpu_init();
  std::vector<std::string> levels;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) levels.push_back(avx512::kernels.name);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) levels.push_back(avx2::kernels.name);
  levels.push_back(generic::kernels.name);
  return levels;
}

const KernelTable* kernels_for(const std::string& level) {
  for (const std::string& supported : supported_simd_levels()) {
    if (supported != level) continue;
    for (const KernelTable* table : {&avx512::kernels, &avx2::kernels, &generic::kernels})
      if (level == table->name) return table;
  }
  return nullptr;
}

const ConvKernelTable* conv_kernels_for(const std::string& level) {
  for (const std::string& supported : supported_simd_levels()) {
    if (supported != level) continue;
    for (const ConvKernelTable* table : {&avx512::conv_kernels, &avx2::conv_kernels, &generic::conv_kernels})
      if (level == table->name) return table;
  }
  return nullptr;
}

}  // namespace rnnseq
