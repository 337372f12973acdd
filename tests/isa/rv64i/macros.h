/* Helpers for the ISA test groups rv64i, rv64m, rv64a, rv64c and zicsr, on
 * top of common/test_macros.h. The other groups include this file as
 * "../rv64i/macros.h" (gcc looks relative to the including .S file).
 *
 * Why these exist (the mutant tests, isa_mutant.*):
 *   tapvm --break-insn MNEMONIC breaks *every* instance of MNEMONIC in the
 *   program, including the ones the assembler emits for `li`. So:
 *   - expected values are loaded from .data with `ld` (CHECK_D) instead of
 *     being built with `li`; otherwise breaking e.g. lui would corrupt the
 *     result and the expected value the same way and the check would pass;
 *   - the pass/fail code is assembled uncompressed (.option norvc), so a
 *     broken c.* instruction never breaks the failure report;
 *   - TEST_FAIL of test_macros.h needs lui, addiw, or and sw; a program that
 *     breaks lui, addiw or or ends with ISA_END_ALT, whose failure path uses
 *     auipc, addi, ld, add, slli and sw instead. No program breaks sw.
 *
 * Check numbers (TESTNUM) start at 2 and stay below 256: a broken c.li/addi
 * on `li TESTNUM, n` flips bit 0 and must not turn n into 0, and QEMU keeps
 * only the low 8 bits of the exit code.
 *
 * Numeric labels 90..99 are used inside these macros; a test may use them
 * only inside its own macros, defined and referenced within one expansion.
 */
#ifndef TAPVM_ISA_MACROS_H
#define TAPVM_ISA_MACROS_H

#include "test_macros.h"

/* Starts the program and opens test_main; the code is uncompressed until
   the test says .option rvc. Same contract as TEST_START (M-mode, mtvec =
   a handler that fails with code 0xfff on any unexpected trap, TESTNUM =
   0), but _start reaches test_main with a short branch instead of a jal, so
   that the jal and jalr mutants fail in their own checks rather than at
   the first instruction. The whole program stays in .text.init (a branch
   to another section would be assembled as bne + jal). */
#define ISA_BEGIN                   \
  .option norvc;                    \
  .section .text.init, "ax";        \
  .globl _start;                    \
_start:                             \
  la t0, unexpected_trap;           \
  csrw mtvec, t0;                   \
  li TESTNUM, 0;                    \
  beq x0, x0, test_main;            \
  .balign 4;                        \
unexpected_trap:                    \
  li TESTNUM, 0xfff;                \
  TEST_FAIL;                        \
test_main:

/* Compares register `got` with the 64-bit value `value` kept in .data. */
#define CHECK_D(n, got, value)      \
  .pushsection .data;               \
  .balign 8;                        \
99: .dword value;                   \
  .popsection;                      \
  li TESTNUM, n;                    \
  ld t6, 99b;                       \
  bne got, t6, fail

/* CHECK_D that branches to `target` on a mismatch: for code more than
   4 KiB away from `fail`, where the assembler would turn the branch into a
   jal (tests of jal must not depend on jal). */
#define CHECK_D_TO(n, got, value, target) \
  .pushsection .data;               \
  .balign 8;                        \
99: .dword value;                   \
  .popsection;                      \
  li TESTNUM, n;                    \
  ld t6, 99b;                       \
  bne got, t6, target

/* Compares two registers. */
#define CHECK_REG(n, got, expect)   \
  li TESTNUM, n;                    \
  bne got, expect, fail

/* Fails check n unconditionally (place it where control must not arrive). */
#define FAIL_HERE(n)                \
  li TESTNUM, n;                    \
  beq x0, x0, fail

/* Ends the program: `pass` and `fail` labels, with the shared macros. */
#define ISA_END                     \
  .option push;                     \
  .option norvc;                    \
pass: TEST_PASS;                    \
fail: TEST_FAIL;                    \
  .option pop

/* Like ISA_END, but the failure path avoids lui, addiw and or. */
#define ISA_END_ALT                 \
  .option push;                     \
  .option norvc;                    \
pass: TEST_PASS;                    \
fail:                               \
  la t0, 98f;                       \
  ld t1, 0(t0);                     \
  ld t2, 8(t0);                     \
  bne TESTNUM, x0, 97f;             \
  addi TESTNUM, x0, 0xff;           \
97: slli t3, TESTNUM, 16;           \
  add t2, t2, t3;                   \
  sw t2, 0(t1);                     \
96: j 96b;                          \
  .pushsection .data;               \
  .balign 8;                        \
98: .dword FINISHER_BASE, 0x3333;   \
  .popsection;                      \
  .option pop

/* A trap handler for tests that expect traps: records mcause in s2, mepc
   in s3, mtval in s4, counts traps in s5 and resumes after the trapping
   instruction (2 or 4 bytes, from the low bits of its first halfword).
   Clobbers s6. Install with `la t0, trap_recorder; csrw mtvec, t0`.
   (.balign runs with rvc on: with norvc after 2-byte code the assembler
   and linker would not pad to a multiple of 4.) */
#define TRAP_RECORDER               \
  .option push;                     \
  .option rvc;                      \
  .balign 4;                        \
  .option norvc;                    \
trap_recorder:                      \
  csrr s2, mcause;                  \
  csrr s3, mepc;                    \
  csrr s4, mtval;                   \
  addi s5, s5, 1;                   \
  lhu s6, 0(s3);                    \
  andi s6, s6, 3;                   \
  addi s6, s6, -3;                  \
  bne s6, x0, 91f;                  \
  addi s6, s3, 4;                   \
  beq x0, x0, 92f;                  \
91: addi s6, s3, 2;                 \
92: csrw mepc, s6;                  \
  mret;                             \
  .option pop

#endif
