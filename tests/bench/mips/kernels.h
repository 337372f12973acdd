/* Compute kernels of the MIPS benchmark.
 *
 * Contract: every kernel is a pure function of its repetition count and
 * returns a 64-bit checksum of everything it computed. The same C file
 * built for the host (x86-64) and for the guest (rv64gc) gives identical
 * checksums: fixed-width integer types only, no char signedness, no
 * undefined behaviour, floating point limited to + - * / sqrt fmaf with
 * -ffp-contract=off, and operand ranges that never produce NaN (whose bit
 * patterns differ between architectures) or out-of-range conversions.
 * Each kernel's cost is roughly linear in `reps`.
 */
#ifndef TAPVM_TESTS_BENCH_MIPS_KERNELS_H
#define TAPVM_TESTS_BENCH_MIPS_KERNELS_H

#include <stdint.h>

/* splitmix64: the benchmark's only source of "random" data. */
static inline uint64_t bench_rand(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Large guest arrays that a kernel fills completely before reading: kept out
   of .bss so the start-up code does not spend millions of instructions
   zeroing them (link.ld places .noinit after .bss). */
#ifdef __riscv
#define BENCH_NOINIT __attribute__((section(".noinit")))
#else
#define BENCH_NOINIT
#endif

/* Integer kernels (kernels_int.c). */
uint64_t kernel_crc32(uint32_t reps);
uint64_t kernel_hash(uint32_t reps);
uint64_t kernel_sort(uint32_t reps);
uint64_t kernel_interp(uint32_t reps);
uint64_t kernel_imatmul(uint32_t reps);

/* Memory kernels over arrays of a few MiB (kernels_mem.c). */
uint64_t kernel_stream(uint32_t reps);
uint64_t kernel_chase(uint32_t reps);

/* Floating-point kernels (kernels_fp.c). */
uint64_t kernel_dmatmul(uint32_t reps);
uint64_t kernel_mandel(uint32_t reps);
uint64_t kernel_nbody(uint32_t reps);
uint64_t kernel_sdot(uint32_t reps);

#endif
