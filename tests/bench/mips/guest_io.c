/* Guest side of the benchmark's output (see bench_main.c): UART0.
 *
 * After each checksum line it prints "# minstret +N" (the kernel's share)
 * and at the end "# minstret N" (the total since _start); the comparisons
 * ignore lines starting with '#'. minstret is exact on an emulator that
 * counts instructions (tapvm, QEMU with -icount shift=0) but is a host tick
 * count on QEMU without -icount. */
#include <stdint.h>

#include "tests/bench/runtime/bare.h"

static uint64_t last_minstret;

void bench_out(const char* name, uint64_t value) {
  uint64_t now = bare_instret();
  bare_puts(name);
  bare_putc(' ');
  bare_put_hex(value, 16);
  bare_puts("\n# minstret +");
  bare_put_dec(now - last_minstret);
  bare_putc('\n');
  last_minstret = bare_instret();
}

int bench_finish(void) {
  bare_puts("# minstret ");
  bare_put_dec(bare_instret());
  bare_putc('\n');
  return 0;
}
