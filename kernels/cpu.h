/* cpu.h - which vector units the SIMD kernels may use, asked at run time
 * (the build has no -march flags, so one binary runs on any x86-64). */
#ifndef SB_CPU_H
#define SB_CPU_H

#if defined(__x86_64__)
/* cpu_has_avx512 - AVX-512 F + BW + VL (what the kernels' avx512 paths are
 * compiled for), enabled by the CPU and the OS. Local, cheap. */
static inline int cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

/* cpu_has_avx2 - AVX2. Local, cheap. */
static inline int cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

#endif
