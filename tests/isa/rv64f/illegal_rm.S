/* Reserved rounding modes: a static rm of 5 or 6, or rm = dyn while frm
 * holds 5, 6 or 7, makes the instruction illegal (mcause 2, mepc = its
 * address) and it has no effect (destination and fflags unchanged).
 * Instructions without a rounding step still execute with an invalid frm,
 * and so do instructions with a valid static rm.
 * Mutants: fadd.s (the valid executions), csrrs (the handler's reads). */
#include "fp_macros.h"

#define SENTINEL 0x40490fdb

FP_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  LOAD_S(fa0, S_ONE)
  LOAD_S(fa1, 0x33800000)
  LOAD_S(fa2, SENTINEL)
  LOAD_S(fa4, S_TWO)
  li a0, 0x55

  /* Static rm = 5 and 6 (the instructions written with .insn). */
bad1: .insn r 0x53, 5, 0x00, fa2, fa0, fa1         /* fadd.s rm=5 */
  CHECK_ILLEGAL(2, 1, bad1)
  CHECK_FS(3, fa2, SENTINEL, 0)
bad2: .insn r 0x53, 6, 0x00, fa2, fa0, fa1         /* fadd.s rm=6 */
  CHECK_ILLEGAL(4, 2, bad2)
  CHECK_FS(5, fa2, SENTINEL, 0)
bad3: .insn r 0x53, 5, 0x08, fa2, fa0, fa1         /* fmul.s rm=5 */
  CHECK_ILLEGAL(6, 3, bad3)
bad4: .insn r 0x53, 6, 0x2c, fa2, fa4, f0          /* fsqrt.s rm=6 */
  CHECK_ILLEGAL(7, 4, bad4)
  CHECK_FS(8, fa2, SENTINEL, 0)
bad5: .insn r 0x53, 5, 0x60, a0, fa0, x0           /* fcvt.w.s rm=5 */
  CHECK_ILLEGAL(9, 5, bad5)
  CHECK_X(10, a0, 0x55, 0)
bad6: .insn r4 0x43, 6, 0, fa2, fa0, fa0, fa1      /* fmadd.s rm=6 */
  CHECK_ILLEGAL(11, 6, bad6)
bad7: .insn r 0x53, 5, 0x01, fa2, fa0, fa1         /* fadd.d rm=5 */
  CHECK_ILLEGAL(12, 7, bad7)
  CHECK_FS(13, fa2, SENTINEL, 0)

  /* rm = dyn with frm = 5, 6, 7. */
  fsrmi 5
bad8: fadd.s fa2, fa0, fa1, dyn
  CHECK_ILLEGAL(14, 8, bad8)
  fsrmi 6
bad9: fadd.s fa2, fa0, fa1, dyn
  CHECK_ILLEGAL(15, 9, bad9)
  fsrmi 7
bad10: fadd.s fa2, fa0, fa1, dyn
  CHECK_ILLEGAL(16, 10, bad10)
  CHECK_FS(17, fa2, SENTINEL, 0)
bad11: fcvt.s.w fa2, a0, dyn
  CHECK_ILLEGAL(18, 11, bad11)
bad12: fmadd.s fa2, fa0, fa0, fa1, dyn
  CHECK_ILLEGAL(19, 12, bad12)
bad13: fsqrt.d fa2, fa4, dyn
  CHECK_ILLEGAL(20, 13, bad13)
bad14: fcvt.w.s a0, fa4, dyn
  CHECK_ILLEGAL(21, 14, bad14)
  CHECK_FS(22, fa2, SENTINEL, 0)
  CHECK_X(23, a0, 0x55, 0)

  /* frm is still 7: a valid static rm works... */
  fadd.s fa2, fa0, fa1, rup
  CHECK_FS(24, fa2, 0x3f800001, NX)
  fadd.s fa2, fa0, fa1, rne
  CHECK_FS(25, fa2, S_ONE, NX)
  /* ...and so do instructions that never round. */
  fsgnjn.s fa2, fa0, fa0
  CHECK_FS(26, fa2, 0xbf800000, 0)
  fmin.s fa2, fa0, fa4
  CHECK_FS(27, fa2, S_ONE, 0)
  feq.s a0, fa0, fa0
  CHECK_X(28, a0, 1, 0)
  fclass.s a0, fa0
  CHECK_X(29, a0, 0x40, 0)
  fmv.x.w a0, fa4
  CHECK_X(30, a0, S_TWO, 0)
  CHECK_XONLY(31, s5, 14)     /* no further trap */
  frrm a0
  CHECK_XONLY(32, a0, 7)
  fsrmi 0
  j pass

TRAP_RECORDER
FP_END
