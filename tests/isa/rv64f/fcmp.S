/* feq.s (quiet: NV only for signaling NaNs), flt.s and fle.s (signaling:
 * NV for any NaN); +0 == -0; NaN compares false.
 * Mutants: feq.s, flt.s, fle.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_CMP_S(2, feq.s, S_ONE, S_ONE, 1, 0)
  TEST_CMP_S(3, feq.s, S_ONE, S_TWO, 0, 0)
  TEST_CMP_S(4, feq.s, 0x00000000, 0x80000000, 1, 0)
  TEST_CMP_S(5, feq.s, 0x00000001, 0x80000001, 0, 0)
  TEST_CMP_S(6, feq.s, S_INF, S_INF, 1, 0)
  TEST_CMP_S(7, feq.s, S_QNAN, S_QNAN, 0, 0)
  TEST_CMP_S(8, feq.s, S_ONE, 0xffc00000, 0, 0)
  TEST_CMP_S(9, feq.s, S_SNAN, S_ONE, 0, NV)
  TEST_CMP_S(10, feq.s, S_ONE, S_SNAN, 0, NV)

  TEST_CMP_S(11, flt.s, S_ONE, S_TWO, 1, 0)
  TEST_CMP_S(12, flt.s, S_TWO, S_ONE, 0, 0)
  TEST_CMP_S(13, flt.s, S_ONE, S_ONE, 0, 0)
  TEST_CMP_S(14, flt.s, 0x80000000, 0x00000000, 0, 0)
  TEST_CMP_S(15, flt.s, 0xbf800000, 0x80000001, 1, 0)
  TEST_CMP_S(16, flt.s, S_NINF, 0xff7fffff, 1, 0)
  TEST_CMP_S(17, flt.s, 0x80000002, 0x80000001, 1, 0)
  TEST_CMP_S(18, flt.s, S_QNAN, S_ONE, 0, NV)
  TEST_CMP_S(19, flt.s, S_ONE, S_SNAN, 0, NV)

  TEST_CMP_S(20, fle.s, S_ONE, S_ONE, 1, 0)
  TEST_CMP_S(21, fle.s, S_TWO, S_ONE, 0, 0)
  TEST_CMP_S(22, fle.s, S_ONE, S_TWO, 1, 0)
  TEST_CMP_S(23, fle.s, 0x80000000, 0x00000000, 1, 0)
  TEST_CMP_S(24, fle.s, 0x00000000, 0x80000000, 1, 0)
  TEST_CMP_S(25, fle.s, S_INF, S_MAX, 0, 0)
  TEST_CMP_S(26, fle.s, S_ONE, S_QNAN, 0, NV)
  TEST_CMP_S(27, fle.s, S_QNAN, S_QNAN, 0, NV)
  /* x0 as destination: the flags are still raised. */
  LOAD_S(fa0, S_QNAN)
  flt.s x0, fa0, fa0
  CHECK_X(28, x0, 0, NV)
  j pass

FP_END
