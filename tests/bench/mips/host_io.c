/* Host side of the benchmark's output (see bench_main.c): stdout. Produces
   the reference checksums the guest must reproduce. */
#include <inttypes.h>
#include <stdio.h>

void bench_out(const char* name, uint64_t value) {
  printf("%s %016" PRIx64 "\n", name, value);
}

int bench_finish(void) {
  return fflush(stdout) == 0 ? 0 : 1;
}
