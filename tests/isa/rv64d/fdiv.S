/* fdiv.d: exact and inexact quotients in every mode, division by zero,
 * invalid 0/0 and inf/inf, overflow, underflow, NaNs.
 * Mutant: fdiv.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_RR_D(2, fdiv.d, rne, 0x4018000000000000, 0x4008000000000000, D_TWO, 0)
  TEST_RR_D(3, fdiv.d, rne, 0x4024000000000000, 0x4010000000000000, 0x4004000000000000, 0)
  /* 1/3 = 2^-2 * 1.0101...: 1/3 of an ulp dropped. */
  TEST_RR_D(4, fdiv.d, rne, D_ONE, 0x4008000000000000, 0x3fd5555555555555, NX)
  TEST_RR_D(5, fdiv.d, rtz, D_ONE, 0x4008000000000000, 0x3fd5555555555555, NX)
  TEST_RR_D(6, fdiv.d, rdn, D_ONE, 0x4008000000000000, 0x3fd5555555555555, NX)
  TEST_RR_D(7, fdiv.d, rup, D_ONE, 0x4008000000000000, 0x3fd5555555555556, NX)
  TEST_RR_D(8, fdiv.d, rmm, D_ONE, 0x4008000000000000, 0x3fd5555555555555, NX)
  TEST_RR_D(9, fdiv.d, rdn, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555556, NX)
  TEST_RR_D(10, fdiv.d, rup, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, NX)
  TEST_RR_D(11, fdiv.d, rne, D_TWO, 0x4008000000000000, 0x3fe5555555555555, NX)
  /* Division by zero. */
  TEST_RR_D(12, fdiv.d, rne, D_ONE, 0, D_INF, DZ)
  TEST_RR_D(13, fdiv.d, rne, 0xbff0000000000000, 0, D_NINF, DZ)
  TEST_RR_D(14, fdiv.d, rne, D_ONE, D_NEG, D_NINF, DZ)
  TEST_RR_D(15, fdiv.d, rne, 1, D_NEG, D_NINF, DZ)
  /* Invalid. */
  TEST_RR_D(16, fdiv.d, rne, 0, D_NEG, D_QNAN, NV)
  TEST_RR_D(17, fdiv.d, rne, D_INF, D_NINF, D_QNAN, NV)
  /* Exact special results. */
  TEST_RR_D(18, fdiv.d, rne, D_INF, 0, D_INF, 0)
  TEST_RR_D(19, fdiv.d, rne, D_ONE, D_NINF, D_NEG, 0)
  TEST_RR_D(20, fdiv.d, rne, D_NEG, D_ONE, D_NEG, 0)
  TEST_RR_D(21, fdiv.d, rne, D_NINF, 0x8000000000000001, D_INF, 0)
  TEST_RR_D(22, fdiv.d, rne, D_QNAN, 0, D_QNAN, 0)
  TEST_RR_D(23, fdiv.d, rne, D_ONE, D_SNAN, D_QNAN, NV)
  /* Overflow and underflow. */
  TEST_RR_D(24, fdiv.d, rne, D_MAX, D_HALF, D_INF, OF | NX)
  TEST_RR_D(25, fdiv.d, rtz, D_MAX, D_HALF, D_MAX, OF | NX)
  TEST_RR_D(26, fdiv.d, rne, D_MINNORM, D_TWO, 0x0008000000000000, 0)
  TEST_RR_D(27, fdiv.d, rne, 1, D_TWO, 0, UF | NX)
  TEST_RR_D(28, fdiv.d, rmm, 1, D_TWO, 1, UF | NX)
  TEST_RR_D(29, fdiv.d, rne, 3, D_TWO, 2, UF | NX)
  TEST_RR_D(30, fdiv.d, rtz, 3, D_TWO, 1, UF | NX)
  TEST_RR_D(31, fdiv.d, rne, 1, 1, D_ONE, 0)
  j pass

FP_END
