/* Reserved rounding modes on double-precision instructions: static rm 5
 * or 6, or dyn with frm = 5, 6, 7, is an illegal instruction (mcause 2)
 * without effect; valid static modes and non-rounding instructions still
 * work while frm is invalid.
 * Mutants: fmul.d (the valid executions), csrrs (the handler's reads). */
#include "../rv64f/fp_macros.h"

#define SENTINEL 0x400921fb54442d18

FP_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  LOAD_D(fa0, D_ONE)
  LOAD_D(fa1, 0x3ca0000000000000)
  LOAD_D(fa2, SENTINEL)
  LOAD_D(fa4, 0x4008000000000000)
  li a0, 0x55

bad1: .insn r 0x53, 6, 0x09, fa2, fa0, fa1         /* fmul.d rm=6 */
  CHECK_ILLEGAL(2, 1, bad1)
bad2: .insn r 0x53, 5, 0x0d, fa2, fa0, fa4         /* fdiv.d rm=5 */
  CHECK_ILLEGAL(3, 2, bad2)
bad3: .insn r 0x53, 5, 0x2d, fa2, fa4, f0          /* fsqrt.d rm=5 */
  CHECK_ILLEGAL(4, 3, bad3)
bad4: .insn r 0x53, 6, 0x61, a0, fa4, x2           /* fcvt.l.d rm=6 */
  CHECK_ILLEGAL(5, 4, bad4)
bad5: .insn r 0x53, 5, 0x20, fa2, fa4, x1          /* fcvt.s.d rm=5 */
  CHECK_ILLEGAL(6, 5, bad5)
bad6: .insn r4 0x47, 6, 1, fa2, fa0, fa0, fa1      /* fmsub.d rm=6 */
  CHECK_ILLEGAL(7, 6, bad6)
bad7: .insn r 0x53, 5, 0x69, fa2, a0, x2           /* fcvt.d.l rm=5 */
  CHECK_ILLEGAL(8, 7, bad7)
  CHECK_F(9, fa2, SENTINEL, 0)
  CHECK_X(10, a0, 0x55, 0)

  fsrmi 5
bad8: fadd.d fa2, fa0, fa1, dyn
  CHECK_ILLEGAL(11, 8, bad8)
  fsrmi 6
bad9: fcvt.s.d fa2, fa4, dyn
  CHECK_ILLEGAL(12, 9, bad9)
  fsrmi 7
bad10: fcvt.d.lu fa2, a0, dyn
  CHECK_ILLEGAL(13, 10, bad10)
bad11: fnmadd.d fa2, fa0, fa0, fa1, dyn
  CHECK_ILLEGAL(14, 11, bad11)
bad12: fcvt.wu.d a0, fa4, dyn
  CHECK_ILLEGAL(15, 12, bad12)
  CHECK_F(16, fa2, SENTINEL, 0)
  CHECK_X(17, a0, 0x55, 0)

  /* frm = 7: valid static modes and non-rounding instructions work. */
  fmul.d fa2, fa4, fa4, rne
  CHECK_F(18, fa2, 0x4022000000000000, 0)
  fmul.d fa2, fa0, fa0, rup
  CHECK_F(19, fa2, D_ONE, 0)
  fsgnjn.d fa2, fa0, fa0
  CHECK_F(20, fa2, 0xbff0000000000000, 0)
  fmax.d fa2, fa0, fa4
  CHECK_F(21, fa2, 0x4008000000000000, 0)
  flt.d a0, fa0, fa4
  CHECK_X(22, a0, 1, 0)
  fclass.d a0, fa4
  CHECK_X(23, a0, 0x40, 0)
  fmv.x.d a0, fa4
  CHECK_X(24, a0, 0x4008000000000000, 0)
  CHECK_XONLY(25, s5, 12)
  fsrmi 0
  j pass

TRAP_RECORDER
FP_END
