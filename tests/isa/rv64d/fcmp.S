/* feq.d (quiet), flt.d and fle.d (signaling); +0 == -0; NaN compares
 * false.
 * Mutants: feq.d, flt.d, fle.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_CMP_D(2, feq.d, D_ONE, D_ONE, 1, 0)
  TEST_CMP_D(3, feq.d, D_ONE, D_TWO, 0, 0)
  TEST_CMP_D(4, feq.d, 0, D_NEG, 1, 0)
  TEST_CMP_D(5, feq.d, 1, 0x8000000000000001, 0, 0)
  TEST_CMP_D(6, feq.d, D_NINF, D_NINF, 1, 0)
  TEST_CMP_D(7, feq.d, D_QNAN, D_QNAN, 0, 0)
  TEST_CMP_D(8, feq.d, D_ONE, 0xfff8000000000000, 0, 0)
  TEST_CMP_D(9, feq.d, D_SNAN, D_ONE, 0, NV)
  TEST_CMP_D(10, feq.d, D_ONE, D_SNAN, 0, NV)
  /* Doubles differing only in the low bit. */
  TEST_CMP_D(11, feq.d, 0x3ff0000000000001, D_ONE, 0, 0)

  TEST_CMP_D(12, flt.d, D_ONE, D_TWO, 1, 0)
  TEST_CMP_D(13, flt.d, D_TWO, D_ONE, 0, 0)
  TEST_CMP_D(14, flt.d, D_ONE, D_ONE, 0, 0)
  TEST_CMP_D(15, flt.d, D_NEG, 0, 0, 0)
  TEST_CMP_D(16, flt.d, 0xbff0000000000000, 0x8000000000000001, 1, 0)
  TEST_CMP_D(17, flt.d, D_NINF, 0xffefffffffffffff, 1, 0)
  TEST_CMP_D(18, flt.d, 0x8000000000000002, 0x8000000000000001, 1, 0)
  TEST_CMP_D(19, flt.d, D_ONE, 0x3ff0000000000001, 1, 0)
  TEST_CMP_D(20, flt.d, D_QNAN, D_ONE, 0, NV)
  TEST_CMP_D(21, flt.d, D_ONE, D_SNAN, 0, NV)

  TEST_CMP_D(22, fle.d, D_ONE, D_ONE, 1, 0)
  TEST_CMP_D(23, fle.d, D_TWO, D_ONE, 0, 0)
  TEST_CMP_D(24, fle.d, D_ONE, D_TWO, 1, 0)
  TEST_CMP_D(25, fle.d, D_NEG, 0, 1, 0)
  TEST_CMP_D(26, fle.d, 0, D_NEG, 1, 0)
  TEST_CMP_D(27, fle.d, D_INF, D_MAX, 0, 0)
  TEST_CMP_D(28, fle.d, D_ONE, D_QNAN, 0, NV)
  TEST_CMP_D(29, fle.d, D_QNAN, D_QNAN, 0, NV)
  j pass

FP_END
