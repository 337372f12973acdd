/* Helpers for the F and D extension test programs (tests/isa/rv64f and
 * tests/isa/rv64d; the latter include this file as "../rv64f/fp_macros.h").
 * Built on common/test_macros.h.
 *
 * How a check works: operands are built with li + fmv.w.x / fmv.d.x (no
 * memory, no rounding), fflags is zero before the instruction under test,
 * then the check compares
 *   - the whole 64-bit destination f register (read with fmv.x.d), so the
 *     NaN-boxing of single-precision results (upper 32 bits all ones) is
 *     checked along with every bit of the value, and
 *   - fflags, which it then clears (fsflags, i.e. csrrw) for the next check.
 * A mismatch fails the program with the check number as exit code.
 *
 * Why it looks like this (the mutant tests, isa_mutant.*): tapvm
 * --break-insn MNEMONIC flips bit 0 of the result of *every* instance of
 * MNEMONIC, so every check compares results bit-exactly, and the programs
 * are assembled without compressed instructions (a c.fld would not be
 * broken together with fld). Expected values are plain immediates: no
 * F/D instruction is involved in building them or in the failure path.
 *
 * Check numbers stay in 2..255: the finisher's exit code keeps 8 bits, and
 * 0 would read as success. Numeric labels 90..99 are reserved for these
 * macros. Registers: t3..t6 are scratch for the macros; fa0..fa3 hold
 * operands/results; a0 holds integer results; s2..s5 belong to
 * TRAP_RECORDER.
 */
#ifndef TAPVM_FP_MACROS_H
#define TAPVM_FP_MACROS_H

#include "test_macros.h"

.option norvc

/* fflags bits */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

/* mstatus.FS (bits 14:13) */
#define MSTATUS_FS       0x6000
#define MSTATUS_FS_INIT  0x2000
#define MSTATUS_FS_CLEAN 0x4000
#define MSTATUS_FS_DIRTY 0x6000
#define MSTATUS_SD       0x8000000000000000

/* binary32 constants */
#define S_ONE     0x3f800000
#define S_TWO     0x40000000
#define S_HALF    0x3f000000
#define S_INF     0x7f800000
#define S_NINF    0xff800000
#define S_QNAN    0x7fc00000 /* the canonical NaN */
#define S_SNAN    0x7f800001
#define S_MAX     0x7f7fffff
#define S_MINNORM 0x00800000
#define S_NEG     0x80000000
/* binary64 constants */
#define D_ONE     0x3ff0000000000000
#define D_TWO     0x4000000000000000
#define D_HALF    0x3fe0000000000000
#define D_INF     0x7ff0000000000000
#define D_NINF    0xfff0000000000000
#define D_QNAN    0x7ff8000000000000 /* the canonical NaN */
#define D_SNAN    0x7ff0000000000001
#define D_MAX     0x7fefffffffffffff
#define D_MINNORM 0x0010000000000000
#define D_NEG     0x8000000000000000

/* Starts the program in M-mode: any unexpected trap fails with code 0xfff
   (exit status 255), the FPU is enabled (mstatus.FS = Initial) and fcsr is
   cleared; then test_main follows. */
#define FP_BEGIN                    \
  .section .text.init, "ax";        \
  .globl _start;                    \
_start:                             \
  la t0, unexpected_trap;           \
  csrw mtvec, t0;                   \
  li TESTNUM, 0;                    \
  li t0, MSTATUS_FS_INIT;           \
  csrs mstatus, t0;                 \
  csrw fcsr, x0;                    \
  j test_main;                      \
  .balign 4;                        \
unexpected_trap:                    \
  li TESTNUM, 0xfff;                \
  TEST_FAIL;                        \
test_main:

/* Ends the program: the `pass` and `fail` labels. */
#define FP_END                      \
pass: TEST_PASS;                    \
fail: TEST_FAIL

/* ---- operands ---- */
#define LOAD_S(freg, bits) li t5, bits; fmv.w.x freg, t5
#define LOAD_D(freg, bits) li t5, bits; fmv.d.x freg, t5

/* ---- checks ---- */
/* The 64 bits of f register `freg` and fflags; clears fflags. */
#define CHECK_F(n, freg, bits64, flags) \
  li TESTNUM, n;                    \
  fmv.x.d t3, freg;                 \
  li t6, bits64;                    \
  bne t3, t6, fail;                 \
  fsflags t3, x0;                   \
  li t6, flags;                     \
  bne t3, t6, fail

/* A NaN-boxed single-precision result. */
#define CHECK_FS(n, freg, bits, flags) CHECK_F(n, freg, 0xffffffff00000000 | (bits), flags)

/* Integer register `xreg` and fflags; clears fflags. */
#define CHECK_X(n, xreg, value, flags) \
  li TESTNUM, n;                    \
  li t6, value;                     \
  bne xreg, t6, fail;               \
  fsflags t3, x0;                   \
  li t6, flags;                     \
  bne t3, t6, fail

/* Integer register only (fflags untouched). */
#define CHECK_XONLY(n, xreg, value) \
  li TESTNUM, n;                    \
  li t6, value;                     \
  bne xreg, t6, fail

/* ---- one instruction, checked: S = single, D = double operands ----
   rm is an assembler rounding-mode operand: rne rtz rdn rup rmm dyn. */

/* fd = insn(a, b) with rounding mode rm (fadd, fsub, fmul, fdiv). */
#define TEST_RR_S(n, insn, rm, a, b, res, flags) \
  LOAD_S(fa0, a); LOAD_S(fa1, b); insn fa2, fa0, fa1, rm; CHECK_FS(n, fa2, res, flags)
#define TEST_RR_D(n, insn, rm, a, b, res, flags) \
  LOAD_D(fa0, a); LOAD_D(fa1, b); insn fa2, fa0, fa1, rm; CHECK_F(n, fa2, res, flags)

/* fd = insn(a, b) without a rounding mode (fmin, fmax, fsgnj*). */
#define TEST_RR_NORM_S(n, insn, a, b, res, flags) \
  LOAD_S(fa0, a); LOAD_S(fa1, b); insn fa2, fa0, fa1; CHECK_FS(n, fa2, res, flags)
#define TEST_RR_NORM_D(n, insn, a, b, res, flags) \
  LOAD_D(fa0, a); LOAD_D(fa1, b); insn fa2, fa0, fa1; CHECK_F(n, fa2, res, flags)

/* fd = insn(a, b, c) with rounding mode rm (fused multiply-add family). */
#define TEST_RRR_S(n, insn, rm, a, b, c, res, flags) \
  LOAD_S(fa0, a); LOAD_S(fa1, b); LOAD_S(fa2, c); insn fa3, fa0, fa1, fa2, rm; \
  CHECK_FS(n, fa3, res, flags)
#define TEST_RRR_D(n, insn, rm, a, b, c, res, flags) \
  LOAD_D(fa0, a); LOAD_D(fa1, b); LOAD_D(fa2, c); insn fa3, fa0, fa1, fa2, rm; \
  CHECK_F(n, fa3, res, flags)

/* fd = insn(a) with rounding mode rm (fsqrt). */
#define TEST_R_S(n, insn, rm, a, res, flags) \
  LOAD_S(fa0, a); insn fa2, fa0, rm; CHECK_FS(n, fa2, res, flags)
#define TEST_R_D(n, insn, rm, a, res, flags) \
  LOAD_D(fa0, a); insn fa2, fa0, rm; CHECK_F(n, fa2, res, flags)

/* Integer rd = insn(a, b) (feq, flt, fle). */
#define TEST_CMP_S(n, insn, a, b, res, flags) \
  LOAD_S(fa0, a); LOAD_S(fa1, b); insn a0, fa0, fa1; CHECK_X(n, a0, res, flags)
#define TEST_CMP_D(n, insn, a, b, res, flags) \
  LOAD_D(fa0, a); LOAD_D(fa1, b); insn a0, fa0, fa1; CHECK_X(n, a0, res, flags)

/* Integer rd = insn(a) (fclass; flags must stay clear). */
#define TEST_CLASS_S(n, insn, a, res) \
  LOAD_S(fa0, a); insn a0, fa0; CHECK_X(n, a0, res, 0)
#define TEST_CLASS_D(n, insn, a, res) \
  LOAD_D(fa0, a); insn a0, fa0; CHECK_X(n, a0, res, 0)

/* Integer rd = insn(a) with rounding mode rm (fcvt.{w,wu,l,lu}.{s,d}). */
#define TEST_TOX_S(n, insn, rm, a, res, flags) \
  LOAD_S(fa0, a); insn a0, fa0, rm; CHECK_X(n, a0, res, flags)
#define TEST_TOX_D(n, insn, rm, a, res, flags) \
  LOAD_D(fa0, a); insn a0, fa0, rm; CHECK_X(n, a0, res, flags)

/* fd = insn(integer x) with rounding mode rm (fcvt.{s,d}.{w,wu,l,lu}). */
#define TEST_FROMX_S(n, insn, rm, x, res, flags) \
  li a0, x; insn fa2, a0, rm; CHECK_FS(n, fa2, res, flags)
#define TEST_FROMX_D(n, insn, rm, x, res, flags) \
  li a0, x; insn fa2, a0, rm; CHECK_F(n, fa2, res, flags)

/* A trap handler for programs that expect traps: records mcause in s2 and
   mepc in s3, counts traps in s5 and resumes after the trapping
   instruction (every instruction here is 4 bytes). Install with
   `la t0, trap_recorder; csrw mtvec, t0`. */
#define TRAP_RECORDER               \
  .balign 4;                        \
trap_recorder:                      \
  csrr s2, mcause;                  \
  csrr s3, mepc;                    \
  addi s5, s5, 1;                   \
  addi s4, s3, 4;                   \
  csrw mepc, s4;                    \
  mret

/* Checks that exactly one more trap (count in s5, now `count`) was taken,
   with mcause 2 (illegal instruction) at label `where`. */
#define CHECK_ILLEGAL(n, count, where) \
  li TESTNUM, n;                    \
  li t6, count;                     \
  bne s5, t6, fail;                 \
  li t6, 2;                         \
  bne s2, t6, fail;                 \
  la t6, where;                     \
  bne s3, t6, fail

#endif
