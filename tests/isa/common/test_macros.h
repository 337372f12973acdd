/* Shared macros for the ISA test programs (assembly, included by .S files).
 *
 * Conventions (the same on tapvm and on qemu-system-riscv64 -M virt):
 *   - the program starts in M-mode at _start (0x80000000);
 *   - TEST_PASS writes 0x5555 to the sifive_test finisher at 0x100000;
 *   - TEST_FAIL writes (case << 16) | 0x3333, where `case` is the number of
 *     the failing check held in TESTNUM (gp), so the exit code names it.
 *   - UART0 (NS16550A) transmit register at 0x10000000.
 */
#ifndef TAPVM_TEST_MACROS_H
#define TAPVM_TEST_MACROS_H

#define FINISHER_BASE 0x100000
#define UART0_BASE    0x10000000
#define CLINT_BASE    0x2000000
#define PLIC_BASE     0xc000000
#define TESTNUM gp

/* Ends the program successfully. */
#define TEST_PASS                   \
  li t0, FINISHER_BASE;             \
  li t1, 0x5555;                    \
  sw t1, 0(t0);                     \
1: j 1b

/* Ends the program with failure code TESTNUM (never 0). */
#define TEST_FAIL                   \
  li t0, FINISHER_BASE;             \
  slli t1, TESTNUM, 16;             \
  bnez TESTNUM, 2f;                 \
  li t1, 0xffff << 16;              \
2: li t2, 0x3333;                   \
  or t1, t1, t2;                    \
  sw t1, 0(t0);                     \
1: j 1b

/* Starts the program: a trap vector that fails the test on any unexpected
   trap, then jumps to `test_main`. */
#define TEST_START                  \
  .section .text.init;              \
  .globl _start;                    \
_start:                             \
  la t0, unexpected_trap;           \
  csrw mtvec, t0;                   \
  li TESTNUM, 0;                    \
  j test_main;                      \
  .align 2;                         \
unexpected_trap:                    \
  li TESTNUM, 0xfff;                \
  TEST_FAIL;                        \
  .text

/* Compares register `got` with the immediate `expect` as check number n. */
#define CHECK_EQ(n, got, expect)    \
  li TESTNUM, n;                    \
  li t6, expect;                    \
  bne got, t6, fail

#endif
