/* fmv.w.x and fmv.x.w: raw bit moves. fmv.w.x NaN-boxes the low 32 bits
 * of rs1; fmv.x.w sign-extends the low 32 bits of the f register, without
 * looking at the upper bits or canonicalizing NaNs; no flags.
 * Mutants: fmv.w.x, fmv.x.w. */
#include "fp_macros.h"

FP_BEGIN
  li t0, 0x123456789abcdef0
  fmv.w.x fa0, t0
  CHECK_FS(2, fa0, 0x9abcdef0, 0)
  fmv.x.w a0, fa0
  CHECK_X(3, a0, 0xffffffff9abcdef0, 0)
  li t0, 0x3f800000
  fmv.w.x fa1, t0
  CHECK_FS(4, fa1, 0x3f800000, 0)
  fmv.x.w a0, fa1
  CHECK_X(5, a0, 0x3f800000, 0)
  /* A signaling NaN moves unchanged, without NV. */
  li t0, 0x7f800001
  fmv.w.x fa2, t0
  CHECK_FS(6, fa2, 0x7f800001, 0)
  fmv.x.w a0, fa2
  CHECK_X(7, a0, 0x7f800001, 0)
  li t0, 0xffffffffff800001
  fmv.w.x fa2, t0
  fmv.x.w a0, fa2
  CHECK_X(8, a0, 0xffffffffff800001, 0)
  /* -0 */
  li t0, 0x80000000
  fmv.w.x fa2, t0
  fmv.x.w a0, fa2
  CHECK_X(9, a0, 0xffffffff80000000, 0)
  /* fmv.x.w ignores the upper 32 bits, boxed or not. */
  li t0, 0x123456783f800000
  fmv.d.x fa3, t0
  fmv.x.w a0, fa3
  CHECK_X(10, a0, 0x3f800000, 0)
  li t0, 0x00000000c0000000
  fmv.d.x fa3, t0
  fmv.x.w a0, fa3
  CHECK_X(11, a0, 0xffffffffc0000000, 0)
  /* x0 as source gives +0. */
  fmv.w.x fa3, x0
  CHECK_FS(12, fa3, 0x00000000, 0)
  j pass

FP_END
