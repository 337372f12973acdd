/* fmin.s and fmax.s (the 2.2 semantics, IEEE 754-2019 minimumNumber /
 * maximumNumber): -0 < +0; a single NaN operand yields the other operand;
 * two NaNs yield the canonical NaN; signaling NaNs raise NV.
 * Mutants: fmin.s, fmax.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_RR_NORM_S(2, fmin.s, S_ONE, S_TWO, S_ONE, 0)
  TEST_RR_NORM_S(3, fmax.s, S_ONE, S_TWO, S_TWO, 0)
  TEST_RR_NORM_S(4, fmin.s, 0xbf800000, 0xc0000000, 0xc0000000, 0)
  TEST_RR_NORM_S(5, fmax.s, 0xbf800000, 0xc0000000, 0xbf800000, 0)
  TEST_RR_NORM_S(6, fmax.s, S_NINF, 0xff7fffff, 0xff7fffff, 0)
  TEST_RR_NORM_S(7, fmin.s, S_INF, S_MAX, S_MAX, 0)
  TEST_RR_NORM_S(8, fmax.s, S_INF, S_MAX, S_INF, 0)
  TEST_RR_NORM_S(9, fmin.s, 0x00000001, 0x80000001, 0x80000001, 0)
  TEST_RR_NORM_S(10, fmax.s, 0x00000001, 0x80000001, 0x00000001, 0)
  /* Signed zeros, both operand orders. */
  TEST_RR_NORM_S(11, fmin.s, 0x00000000, 0x80000000, 0x80000000, 0)
  TEST_RR_NORM_S(12, fmin.s, 0x80000000, 0x00000000, 0x80000000, 0)
  TEST_RR_NORM_S(13, fmax.s, 0x80000000, 0x00000000, 0x00000000, 0)
  TEST_RR_NORM_S(14, fmax.s, 0x00000000, 0x80000000, 0x00000000, 0)
  /* One quiet NaN: the other operand, no flags. */
  TEST_RR_NORM_S(15, fmin.s, 0xffc00001, S_ONE, S_ONE, 0)
  TEST_RR_NORM_S(16, fmax.s, S_ONE, S_QNAN, S_ONE, 0)
  TEST_RR_NORM_S(17, fmin.s, S_NINF, 0x7fc12345, S_NINF, 0)
  /* One signaling NaN: the other operand, NV. */
  TEST_RR_NORM_S(18, fmin.s, S_SNAN, S_ONE, S_ONE, NV)
  TEST_RR_NORM_S(19, fmax.s, S_NINF, 0xff800123, S_NINF, NV)
  /* Two NaNs: the canonical NaN. */
  TEST_RR_NORM_S(20, fmin.s, 0x7fc00123, 0xffc00000, S_QNAN, 0)
  TEST_RR_NORM_S(21, fmax.s, 0xffc00123, 0xffc00456, S_QNAN, 0)
  TEST_RR_NORM_S(22, fmax.s, S_SNAN, S_QNAN, S_QNAN, NV)
  TEST_RR_NORM_S(23, fmin.s, S_QNAN, S_SNAN, S_QNAN, NV)
  j pass

FP_END
