# Built with: node-gyp rebuild --directory src/native   (scripts/build-native.mjs does this on npm install)
#
# The recurrent and convolution kernels are compiled three times for different instruction sets (AVX-512F, AVX2+FMA, baseline
# SSE2) and linked into one addon that picks a build at load time (dispatch.cc). No -march=native: the same
# binary is safe on every x86-64 node of a cluster, and uses AVX-512 where the CPU has it.
{
  'variables': {
    'kernel_sources': ['recurrence.cc', 'cell_lstm.cc', 'cell_gru.cc', 'cell_rnn.cc', 'conv.cc'],
    # No -mavx512f / -mavx2 here: isa_target.h enables them for the kernel code only (see why there).
    # Explicit fmadd only (see simd.h): identical roundings for every tile shape and thread count.
    'kernel_cflags': ['-O3', '-fPIC', '-ffp-contract=off', '-fno-math-errno', '-fno-trapping-math', '-std=c++17'],
  },
  'target_defaults': {
    'cflags_cc!': ['-fno-exceptions', '-std=gnu++17', '-std=gnu++20'],
    'cflags_cc': ['-fexceptions'],
  },
  'targets': [
    {
      'target_name': 'kernels_avx512',
      'type': 'static_library',
      'sources': ['<@(kernel_sources)'],
      'defines': ['RNNSEQ_ISA=avx512', 'RNNSEQ_ISA_LEVEL=3'],
      # gcc 12 false positive inside its own avx512fintrin.h (_mm512_undefined_ps)
      'cflags_cc': ['<@(kernel_cflags)', '-Wno-maybe-uninitialized'],
    },
    {
      'target_name': 'kernels_avx2',
      'type': 'static_library',
      'sources': ['<@(kernel_sources)'],
      'defines': ['RNNSEQ_ISA=avx2', 'RNNSEQ_ISA_LEVEL=2'],
      'cflags_cc': ['<@(kernel_cflags)'],
    },
    {
      'target_name': 'kernels_generic',
      'type': 'static_library',
      'sources': ['<@(kernel_sources)'],
      'defines': ['RNNSEQ_ISA=generic', 'RNNSEQ_ISA_LEVEL=1'],
      'cflags_cc': ['<@(kernel_cflags)'],
    },
    {
      'target_name': 'rnnseq_native',
      'sources': ['binding.cc', 'dispatch.cc', 'thread_pool.cc', 'step_ops.cc'],
      'dependencies': [
        'kernels_avx512',
        'kernels_avx2',
        'kernels_generic',
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
      ],
      # -O3: the host loops of step_ops.cc vectorise (SSE2 here, the same results on every x86-64); no contraction
      # into fused multiply-adds, so they round as the JavaScript they replace does. -fno-math-errno lets AdamW's
      # square root vectorise (sqrtpd rounds exactly as sqrtsd and Math.sqrt do; nothing reads errno).
      'cflags_cc': ['-O3', '-ffp-contract=off', '-fno-math-errno', '-std=c++17'],
      'defines': ['NAPI_VERSION=8'],
    },
  ],
}
