/* See bare.h. */
#include "tests/bench/runtime/bare.h"

#define UART0_THR ((volatile uint8_t*)0x10000000)
#define UART0_LSR ((volatile uint8_t*)0x10000005)
#define UART_LSR_THRE 0x20
#define FINISHER ((volatile uint32_t*)0x100000)

uint64_t bare_start_minstret;

void bare_putc(char c) {
  /* Emulators report THRE at once; polling keeps this right on any 16550. */
  while ((*UART0_LSR & UART_LSR_THRE) == 0) {
  }
  *UART0_THR = (uint8_t)c;
}

void bare_puts(const char* s) {
  while (*s) bare_putc(*s++);
}

void bare_put_hex(uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i)
    bare_putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void bare_put_dec(uint64_t v) {
  char buf[21];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) bare_putc(buf[--n]);
}

void bare_exit(int code) {
  *FINISHER = code == 0 ? 0x5555u : (((uint32_t)code & 0xffff) << 16) | 0x3333u;
  for (;;) __asm__ volatile("wfi");
}

void bare_report_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval) {
  bare_puts("\nTRAP mcause=");
  bare_put_hex(mcause, 16);
  bare_puts(" mepc=");
  bare_put_hex(mepc, 16);
  bare_puts(" mtval=");
  bare_put_hex(mtval, 16);
  bare_putc('\n');
  bare_exit(0x7e);
}
