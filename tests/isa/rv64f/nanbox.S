/* NaN-boxing: a single-precision operand whose upper 32 bits are not all
 * ones is read as the canonical NaN (0x7fc00000) by every instruction
 * that interprets it (arithmetic, sign injection, compare, classify,
 * convert), while fmv.x.w and fsw move its low 32 bits unchanged. The
 * canonical NaN is quiet, so it raises no NV where a quiet NaN would not.
 * Mutants: fsgnj.s, fsgnjn.s, fsgnjx.s, fadd.s, fclass.s. */
#include "fp_macros.h"

FP_BEGIN
  li t0, 0x000000003f800000   /* 1.0f, but not boxed */
  fmv.d.x fa5, t0
  li t0, 0xfffffffebf800000   /* -1.0f, one upper bit clear */
  fmv.d.x fa6, t0
  LOAD_S(fa1, S_ONE)
  LOAD_S(fa7, 0xc0000000)     /* -2.0f, boxed */

  fadd.s fa2, fa5, fa1, rne
  CHECK_FS(2, fa2, S_QNAN, 0)
  fadd.s fa2, fa1, fa6, rne
  CHECK_FS(3, fa2, S_QNAN, 0)
  fmul.s fa2, fa5, fa1, rne
  CHECK_FS(4, fa2, S_QNAN, 0)
  fsqrt.s fa2, fa6, rne       /* NaN, not sqrt(-1): no NV */
  CHECK_FS(5, fa2, S_QNAN, 0)
  fmadd.s fa2, fa1, fa1, fa5, rne
  CHECK_FS(6, fa2, S_QNAN, 0)
  /* Sign injection reads the canonical NaN (positive) too. */
  fsgnj.s fa2, fa5, fa7
  CHECK_FS(7, fa2, 0xffc00000, 0)
  fsgnj.s fa2, fa7, fa6
  CHECK_FS(8, fa2, 0x40000000, 0)
  fsgnjn.s fa2, fa5, fa5
  CHECK_FS(9, fa2, 0xffc00000, 0)
  fsgnjn.s fa2, fa1, fa6
  CHECK_FS(10, fa2, 0xbf800000, 0)
  fsgnjx.s fa2, fa6, fa6
  CHECK_FS(11, fa2, S_QNAN, 0)
  fsgnjx.s fa2, fa7, fa5
  CHECK_FS(12, fa2, 0xc0000000, 0)
  /* min/max ignore the (quiet) NaN. */
  fmin.s fa2, fa5, fa7
  CHECK_FS(13, fa2, 0xc0000000, 0)
  fmax.s fa2, fa6, fa6
  CHECK_FS(14, fa2, S_QNAN, 0)
  /* Compares, classify, conversions. */
  feq.s a0, fa5, fa5
  CHECK_X(15, a0, 0, 0)
  flt.s a0, fa1, fa5
  CHECK_X(16, a0, 0, NV)
  fclass.s a0, fa5
  CHECK_X(17, a0, 0x200, 0)
  fclass.s a0, fa6
  CHECK_X(18, a0, 0x200, 0)
  fcvt.w.s a0, fa6, rne
  CHECK_X(19, a0, 0x7fffffff, NV)
  fcvt.d.s fa2, fa5
  CHECK_F(20, fa2, D_QNAN, 0)
  /* Transfers out ignore the upper bits. */
  fmv.x.w a0, fa6
  CHECK_X(21, a0, 0xffffffffbf800000, 0)
  la a1, slot
  fsw fa5, 0(a1)
  lwu a0, 0(a1)
  CHECK_X(22, a0, 0x3f800000, 0)
  /* A double in an f register is not a boxed single either. */
  li t0, D_ONE
  fmv.d.x fa3, t0
  fadd.s fa2, fa3, fa1, rne
  CHECK_FS(23, fa2, S_QNAN, 0)
  fclass.s a0, fa3
  CHECK_X(24, a0, 0x200, 0)
  j pass

FP_END

.data
.balign 8
slot: .dword 0
