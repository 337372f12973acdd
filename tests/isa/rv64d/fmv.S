/* fmv.d.x and fmv.x.d: raw 64-bit moves, no canonicalization, no flags.
 * Mutants: fmv.d.x, fmv.x.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  li t0, 0x123456789abcdef0
  fmv.d.x fa0, t0
  fmv.x.d a0, fa0
  CHECK_X(2, a0, 0x123456789abcdef0, 0)
  li t0, D_SNAN
  fmv.d.x fa1, t0
  fmv.x.d a0, fa1
  CHECK_X(3, a0, D_SNAN, 0)
  li t0, 0xfff8000000012345
  fmv.d.x fa1, t0
  fmv.x.d a0, fa1
  CHECK_X(4, a0, 0xfff8000000012345, 0)
  fmv.d.x fa2, x0
  fmv.x.d a0, fa2
  CHECK_X(5, a0, 0, 0)
  /* A NaN-boxed single moves out whole. */
  li t0, 0x3f800000
  fmv.w.x fa3, t0
  fmv.x.d a0, fa3
  CHECK_X(6, a0, 0xffffffff3f800000, 0)
  /* fmv.d.x into a register read back as a single. */
  li t0, 0xffffffffc0000000
  fmv.d.x fa3, t0
  fmv.x.w a0, fa3
  CHECK_X(7, a0, 0xffffffffc0000000, 0)
  /* rd = x0: nothing is written. */
  fmv.x.d x0, fa0
  CHECK_X(8, x0, 0, 0)
  j pass

FP_END
