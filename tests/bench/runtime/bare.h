/* Minimal I/O for bare-metal guest programs on the riscv virt machine
 * (tapvm and qemu-system-riscv64 -M virt): NS16550A UART0 output and the
 * sifive_test finisher. No libc needed; link with crt.S and link.ld.
 */
#ifndef TAPVM_TESTS_BENCH_RUNTIME_BARE_H
#define TAPVM_TESTS_BENCH_RUNTIME_BARE_H

#include <stdint.h>

void bare_putc(char c);
void bare_puts(const char* s);           /* no newline added */
void bare_put_hex(uint64_t v, int digits); /* lowercase, zero-padded */
void bare_put_dec(uint64_t v);
/* Ends the run: 0 = pass (finisher 0x5555), else fail with `code`. */
void bare_exit(int code) __attribute__((noreturn));
/* Called by crt.S on any trap: prints the cause and fails with code 0x7e. */
void bare_report_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
    __attribute__((noreturn));

/* minstret as read by the first instruction of _start. */
extern uint64_t bare_start_minstret;

/* Instructions retired since _start (excluding any before it). */
static inline uint64_t bare_instret(void) {
  uint64_t v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v - bare_start_minstret;
}

#endif
