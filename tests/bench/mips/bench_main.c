/* Driver of the MIPS benchmark, shared by the guest and the host builds.
 *
 * Prints one line per kernel, "<name> <16 hex digits>", then "total ..."
 * folding all of them. BENCH_SCALE multiplies every kernel's repetition
 * count: 1 is the ~60M-instruction smoke variant, the default full
 * benchmark uses a larger value (see CMakeLists.txt).
 * bench_out() and bench_finish() are provided by guest_io.c or host_io.c.
 */
#include "tests/bench/mips/kernels.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

void bench_out(const char* name, uint64_t value);
int bench_finish(void);

typedef struct {
  const char* name;
  uint64_t (*fn)(uint32_t reps);
  uint32_t reps_per_scale;
} Kernel;

/* Repetitions per unit of BENCH_SCALE, chosen so that each kernel runs
   about 4M guest instructions per unit (stream: 9M); the fixed start-up
   cost (table and array initialisation) is about 6M in all. */
static const Kernel kernels[] = {
    {"crc32", kernel_crc32, 22},    {"hash", kernel_hash, 3},
    {"sort", kernel_sort, 1},       {"interp", kernel_interp, 2},
    {"imatmul", kernel_imatmul, 2}, {"stream", kernel_stream, 1},
    {"chase", kernel_chase, 3},     {"dmatmul", kernel_dmatmul, 5},
    {"mandel", kernel_mandel, 1},   {"nbody", kernel_nbody, 6},
    {"sdot", kernel_sdot, 220},
};

int main(void) {
  uint64_t total = 0;
  for (unsigned i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
    uint64_t v = kernels[i].fn(kernels[i].reps_per_scale * (uint32_t)BENCH_SCALE);
    bench_out(kernels[i].name, v);
    total = (total << 9 | total >> 55) ^ v;
  }
  bench_out("total", total);
  return bench_finish();
}
