// Vector primitives for one instruction set, picked by RNNSEQ_ISA_LEVEL (binding.gyp builds the kernels three
// times: 3 = AVX-512F, 2 = AVX2 + FMA, 1 = baseline x86-64/SSE2; isa_target.h enables the instructions). Nothing
// is -march=native, so one binary runs on every x86-64 node of a cluster.
//
// All arithmetic is spelled out (fmadd where a fused multiply-add is wanted) and the kernels are compiled with
// -ffp-contract=off, so every tile shape and thread count performs the same roundings: results are bit-identical
// for a given instruction set, whatever the thread count.
#pragma once

#include "isa_target.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

#if RNNSEQ_ISA_LEVEL == 3
constexpr int W = 16;
using V = __m512;
using VI = __m512i;
inline V load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
inline V set1(float s) { return _mm512_set1_ps(s); }
inline V zero() { return _mm512_setzero_ps(); }
inline V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a*b
inline V add(V a, V b) { return _mm512_add_ps(a, b); }
inline V sub(V a, V b) { return _mm512_sub_ps(a, b); }
inline V mul(V a, V b) { return _mm512_mul_ps(a, b); }
inline V vmin(V a, V b) { return _mm512_min_ps(a, b); }
inline V vmax(V a, V b) { return _mm512_max_ps(a, b); }
inline V rcp_estimate(V a) { return _mm512_rcp14_ps(a); }
inline VI to_int(V a) { return _mm512_cvtps_epi32(a); }
inline V to_float(VI a) { return _mm512_cvtepi32_ps(a); }
inline V pow2i(VI n) {  // 2^n for n in the normal exponent range
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23));
}
inline V abs_bits(V a) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)));
}
inline V copy_sign(V magnitude, V sign_of) {
  const __m512i s = _mm512_and_si512(_mm512_castps_si512(sign_of), _mm512_set1_epi32(int(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(magnitude), s));
}
inline V load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1), p); }
inline void store_n(float* p, V v, int n) { _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1), v); }
inline float hsum(V a) { return _mm512_reduce_add_ps(a); }
#define RNNSEQ_SIMD_NAME "avx512f"

#elif RNNSEQ_ISA_LEVEL == 2
constexpr int W = 8;
using V = __m256;
using VI = __m256i;
inline V load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
inline V set1(float s) { return _mm256_set1_ps(s); }
inline V zero() { return _mm256_setzero_ps(); }
inline V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
inline V add(V a, V b) { return _mm256_add_ps(a, b); }
inline V sub(V a, V b) { return _mm256_sub_ps(a, b); }
inline V mul(V a, V b) { return _mm256_mul_ps(a, b); }
inline V vmin(V a, V b) { return _mm256_min_ps(a, b); }
inline V vmax(V a, V b) { return _mm256_max_ps(a, b); }
inline V rcp_estimate(V a) { return _mm256_rcp_ps(a); }
inline VI to_int(V a) { return _mm256_cvtps_epi32(a); }
inline V to_float(VI a) { return _mm256_cvtepi32_ps(a); }
inline V pow2i(VI n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}
inline V abs_bits(V a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
inline V copy_sign(V magnitude, V sign_of) {
  return _mm256_or_ps(magnitude, _mm256_and_ps(sign_of, _mm256_castsi256_ps(_mm256_set1_epi32(int(0x80000000u)))));
}
inline V load_n(const float* p, int n) {
  alignas(32) float lane[W] = {};
  std::memcpy(lane, p, sizeof(float) * n);
  return _mm256_load_ps(lane);
}
inline void store_n(float* p, V v, int n) {
  alignas(32) float lane[W];
  _mm256_store_ps(lane, v);
  std::memcpy(p, lane, sizeof(float) * n);
}
inline float hsum(V a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}
#define RNNSEQ_SIMD_NAME "avx2"

#else
// Baseline x86-64 (SSE2): no FMA, so fmadd rounds twice. Slower, still deterministic.
constexpr int W = 4;
using V = __m128;
using VI = __m128i;
inline V load(const float* p) { return _mm_loadu_ps(p); }
inline void store(float* p, V v) { _mm_storeu_ps(p, v); }
inline V set1(float s) { return _mm_set1_ps(s); }
inline V zero() { return _mm_setzero_ps(); }
inline V fmadd(V a, V b, V c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
inline V fnmadd(V a, V b, V c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }
inline V add(V a, V b) { return _mm_add_ps(a, b); }
inline V sub(V a, V b) { return _mm_sub_ps(a, b); }
inline V mul(V a, V b) { return _mm_mul_ps(a, b); }
inline V vmin(V a, V b) { return _mm_min_ps(a, b); }
inline V vmax(V a, V b) { return _mm_max_ps(a, b); }
inline V rcp_estimate(V a) { return _mm_rcp_ps(a); }
inline VI to_int(V a) { return _mm_cvtps_epi32(a); }
inline V to_float(VI a) { return _mm_cvtepi32_ps(a); }
inline V pow2i(VI n) { return _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(n, _mm_set1_epi32(127)), 23)); }
inline V abs_bits(V a) { return _mm_and_ps(a, _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff))); }
inline V copy_sign(V magnitude, V sign_of) {
  return _mm_or_ps(magnitude, _mm_and_ps(sign_of, _mm_castsi128_ps(_mm_set1_epi32(int(0x80000000u)))));
}
inline V load_n(const float* p, int n) {
  alignas(16) float lane[W] = {};
  std::memcpy(lane, p, sizeof(float) * n);
  return _mm_load_ps(lane);
}
inline void store_n(float* p, V v, int n) {
  alignas(16) float lane[W];
  _mm_store_ps(lane, v);
  std::memcpy(p, lane, sizeof(float) * n);
}
inline float hsum(V a) {
  const __m128 s = _mm_add_ps(a, _mm_movehl_ps(a, a));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}
#define RNNSEQ_SIMD_NAME "generic"
#endif

inline V load_n_or_full(const float* p, int n) { return n == W ? load(p) : load_n(p, n); }
inline void store_n_or_full(float* p, V v, int n) {
  if (n == W) store(p, v);
  else store_n(p, v, n);
}

// 1/a to ~1e-7 relative: the hardware estimate plus one Newton step. A true division costs ~10 cycles per
// vector on current cores and there are five per LSTM unit and step.
inline V reciprocal(V a) {
  const V r = rcp_estimate(a);
  return mul(r, fnmadd(a, r, set1(2.0f)));
}

// e^x, Cephes-style: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r (1-2 ulp), 2^n built in the
// exponent bits. Inputs are clamped so 2^n stays a normal float; e^-87 ~ 1.6e-38 stands in for zero.
inline V exp_approx(V x) {
  x = vmin(vmax(x, set1(-87.0f)), set1(88.0f));
  const V n = to_float(to_int(mul(x, set1(1.44269504088896341f))));
  V r = fnmadd(n, set1(0.693359375f), x);
  r = fnmadd(n, set1(-2.12194440e-4f), r);
  V p = set1(1.9875691500e-4f);
  p = fmadd(p, r, set1(1.3981999507e-3f));
  p = fmadd(p, r, set1(8.3334519073e-3f));
  p = fmadd(p, r, set1(4.1665795894e-2f));
  p = fmadd(p, r, set1(1.6666665459e-1f));
  p = fmadd(p, r, set1(5.0000001201e-1f));
  p = fmadd(p, mul(r, r), add(r, set1(1.0f)));
  return mul(p, pow2i(to_int(n)));
}

inline V sigmoid(V x) { return reciprocal(add(set1(1.0f), exp_approx(sub(zero(), x)))); }

// tanh via e = e^(-2|x|): sign(x) (1-e)/(1+e). Absolute error ~1e-7 near 0, relative ~1e-7 elsewhere.
inline V tanh_approx(V x) {
  const V e = exp_approx(mul(abs_bits(x), set1(-2.0f)));
  const V one = set1(1.0f);
  return copy_sign(mul(sub(one, e), reciprocal(add(one, e))), x);
}

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq
