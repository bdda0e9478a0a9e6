// Opens the instruction-set region of one kernel build; isa_target_end.h closes it. Include this first in every
// kernel source (recurrence.cc, cell_*.cc).
//
// The three builds are linked into one addon, so any inline function or template instantiation they share
// (std::vector<float>'s members, std::function's, anything from a header) exists three times under one symbol
// name and the linker keeps one of them. Compiling whole files with -mavx512f would let it keep an AVX-512 copy
// and crash the AVX2 and generic paths on CPUs without AVX-512. So the files are compiled for baseline x86-64 and
// only the code after this header (simd.h, gemm.h, the cells, all in namespace rnnseq::RNNSEQ_ISA) gets the
// wider instruction set. Every standard header the kernels use is therefore included here, before the region.
#pragma once

#ifndef RNNSEQ_ISA_LEVEL
#error "kernel sources are built by binding.gyp with RNNSEQ_ISA and RNNSEQ_ISA_LEVEL defined"
#endif

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>
#include <vector>

#include "kernel_api.h"

#if RNNSEQ_ISA_LEVEL == 3
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif
#elif RNNSEQ_ISA_LEVEL == 2
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#endif
