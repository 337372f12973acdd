/* fmin.d and fmax.d: -0 < +0; one NaN yields the other operand; two NaNs
 * yield the canonical NaN; signaling NaNs raise NV.
 * Mutants: fmin.d, fmax.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_RR_NORM_D(2, fmin.d, D_ONE, D_TWO, D_ONE, 0)
  TEST_RR_NORM_D(3, fmax.d, D_ONE, D_TWO, D_TWO, 0)
  TEST_RR_NORM_D(4, fmin.d, 0xbff0000000000000, 0xc000000000000000, 0xc000000000000000, 0)
  TEST_RR_NORM_D(5, fmax.d, 0xbff0000000000000, 0xc000000000000000, 0xbff0000000000000, 0)
  TEST_RR_NORM_D(6, fmax.d, D_NINF, 0xffefffffffffffff, 0xffefffffffffffff, 0)
  TEST_RR_NORM_D(7, fmin.d, D_INF, D_MAX, D_MAX, 0)
  TEST_RR_NORM_D(8, fmax.d, D_INF, D_MAX, D_INF, 0)
  TEST_RR_NORM_D(9, fmin.d, 1, 0x8000000000000001, 0x8000000000000001, 0)
  TEST_RR_NORM_D(10, fmax.d, 1, 0x8000000000000001, 1, 0)
  TEST_RR_NORM_D(11, fmin.d, 0, D_NEG, D_NEG, 0)
  TEST_RR_NORM_D(12, fmin.d, D_NEG, 0, D_NEG, 0)
  TEST_RR_NORM_D(13, fmax.d, D_NEG, 0, 0, 0)
  TEST_RR_NORM_D(14, fmax.d, 0, D_NEG, 0, 0)
  TEST_RR_NORM_D(15, fmin.d, 0xfff8000000000001, D_ONE, D_ONE, 0)
  TEST_RR_NORM_D(16, fmax.d, D_ONE, D_QNAN, D_ONE, 0)
  TEST_RR_NORM_D(17, fmin.d, D_NINF, 0x7ff8000000012345, D_NINF, 0)
  TEST_RR_NORM_D(18, fmin.d, D_SNAN, D_ONE, D_ONE, NV)
  TEST_RR_NORM_D(19, fmax.d, D_NINF, 0xfff0000000000123, D_NINF, NV)
  TEST_RR_NORM_D(20, fmin.d, 0x7ff8000000000123, 0xfff8000000000000, D_QNAN, 0)
  TEST_RR_NORM_D(21, fmax.d, 0xfff8000000000123, 0xfff8000000000456, D_QNAN, 0)
  TEST_RR_NORM_D(22, fmax.d, D_SNAN, D_QNAN, D_QNAN, NV)
  TEST_RR_NORM_D(23, fmin.d, D_QNAN, D_SNAN, D_QNAN, NV)
  j pass

FP_END
