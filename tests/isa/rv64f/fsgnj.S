/* fsgnj.s, fsgnjn.s, fsgnjx.s: the magnitude of rs1 with the sign of rs2,
 * its inverse, or the XOR of both signs. No flags, and NaN payloads pass
 * through untouched (even signaling ones). The pseudo-instructions fmv.s,
 * fneg.s and fabs.s are these with rs1 = rs2.
 * Mutants: fsgnj.s, fsgnjn.s, fsgnjx.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_RR_NORM_S(2, fsgnj.s, S_ONE, 0xc0000000, 0xbf800000, 0)
  TEST_RR_NORM_S(3, fsgnj.s, 0xbf800000, S_TWO, S_ONE, 0)
  TEST_RR_NORM_S(4, fsgnj.s, 0x12345678, 0x80000000, 0x92345678, 0)
  TEST_RR_NORM_S(5, fsgnj.s, S_SNAN, 0xbf800000, 0xff800001, 0)
  TEST_RR_NORM_S(6, fsgnj.s, 0xffc12345, 0x00000000, 0x7fc12345, 0)
  TEST_RR_NORM_S(7, fsgnjn.s, S_ONE, 0xc0000000, S_ONE, 0)
  TEST_RR_NORM_S(8, fsgnjn.s, S_ONE, S_TWO, 0xbf800000, 0)
  TEST_RR_NORM_S(9, fsgnjn.s, 0x92345678, 0x80000000, 0x12345678, 0)
  TEST_RR_NORM_S(10, fsgnjn.s, S_SNAN, S_SNAN, 0xff800001, 0)
  TEST_RR_NORM_S(11, fsgnjx.s, 0xbf800000, 0xc0000000, S_ONE, 0)
  TEST_RR_NORM_S(12, fsgnjx.s, 0xbf800000, S_TWO, 0xbf800000, 0)
  TEST_RR_NORM_S(13, fsgnjx.s, S_ONE, 0x80000000, 0xbf800000, 0)
  TEST_RR_NORM_S(14, fsgnjx.s, S_ONE, S_TWO, S_ONE, 0)
  TEST_RR_NORM_S(15, fsgnjx.s, 0xff800001, 0xffc00000, 0x7f800001, 0)
  /* The pseudo-instructions: rs1 = rs2. */
  LOAD_S(fa0, 0xc0490fdb)
  fmv.s fa2, fa0              /* fsgnj.s fa2, fa0, fa0 */
  CHECK_FS(16, fa2, 0xc0490fdb, 0)
  fneg.s fa2, fa0             /* fsgnjn.s */
  CHECK_FS(17, fa2, 0x40490fdb, 0)
  fabs.s fa2, fa0             /* fsgnjx.s */
  CHECK_FS(18, fa2, 0x40490fdb, 0)
  /* rd = rs1 */
  LOAD_S(fa0, 0x40490fdb)
  LOAD_S(fa1, 0x80000000)
  fsgnjn.s fa0, fa0, fa1
  CHECK_FS(19, fa0, 0x40490fdb, 0)
  fsgnjx.s fa0, fa0, fa1
  CHECK_FS(20, fa0, 0xc0490fdb, 0)
  fsgnj.s fa0, fa0, fa0
  CHECK_FS(21, fa0, 0xc0490fdb, 0)
  j pass

FP_END
