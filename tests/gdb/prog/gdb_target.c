/* The program the gdb end-to-end tests debug (gdb_e2e.py): a loop that
 * calls a function and stores to a global the watchpoints watch, and an
 * ecall whose trap the reverse steps cross. Built -O0 so every line and
 * variable is where gdb looks for it. */
#include <stdint.h>

#include "tests/bench/runtime/bare.h"

volatile uint64_t counter;
uint64_t history[8];
volatile uint64_t ecalls;

/* Handles the ecall in trap_ecall (anything else is a failure). */
__attribute__((interrupt("machine"))) void trap_handler(void) {
  uint64_t cause, epc;
  __asm__ volatile("csrr %0, mcause" : "=r"(cause));
  __asm__ volatile("csrr %0, mepc" : "=r"(epc));
  if (cause != 11) bare_exit(0x7d);
  ecalls = ecalls + 1;
  __asm__ volatile("csrw mepc, %0" ::"r"(epc + 4));
}

__attribute__((noinline)) uint64_t step_value(uint64_t x) {
  uint64_t y = x * 3 + 1;
  return y;
}

__attribute__((noinline)) void bump(uint64_t by) {
  counter = counter + by;
}

__attribute__((noinline)) void trap_ecall(void) {
  __asm__ volatile("ecall");
}

int main(void) {
  __asm__ volatile("csrw mtvec, %0" ::"r"(&trap_handler));
  uint64_t acc = 0;
  for (int i = 0; i < 5; ++i) {
    acc += step_value(i);
    bump(acc);
    history[i] = counter;
    if (i == 2) trap_ecall();
  }
  bare_puts("gdb target: counter=");
  bare_put_dec(counter);
  bare_puts(" ecalls=");
  bare_put_dec(ecalls);
  bare_putc('\n');
  return counter == 75 && ecalls == 1 ? 0 : 1;
}
