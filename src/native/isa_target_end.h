// Closes the region opened by isa_target.h; the last include of every kernel source.
#if RNNSEQ_ISA_LEVEL >= 2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
