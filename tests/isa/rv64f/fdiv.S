/* fdiv.s: exact and inexact quotients in every mode, division by zero
 * (DZ), invalid 0/0 and inf/inf, overflow, underflow, NaNs.
 * Mutant: fdiv.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_RR_S(2, fdiv.s, rne, 0x40c00000, 0x40400000, S_TWO, 0)       /* 6 / 3 = 2 */
  TEST_RR_S(3, fdiv.s, rne, 0x41200000, 0x40800000, 0x40200000, 0)  /* 10 / 4 = 2.5 */
  /* 1/3 = 2^-2 * 1.0101...: the dropped part is 2/3 of an ulp. */
  TEST_RR_S(4, fdiv.s, rne, S_ONE, 0x40400000, 0x3eaaaaab, NX)
  TEST_RR_S(5, fdiv.s, rtz, S_ONE, 0x40400000, 0x3eaaaaaa, NX)
  TEST_RR_S(6, fdiv.s, rdn, S_ONE, 0x40400000, 0x3eaaaaaa, NX)
  TEST_RR_S(7, fdiv.s, rup, S_ONE, 0x40400000, 0x3eaaaaab, NX)
  TEST_RR_S(8, fdiv.s, rmm, S_ONE, 0x40400000, 0x3eaaaaab, NX)
  TEST_RR_S(9, fdiv.s, rdn, 0xbf800000, 0x40400000, 0xbeaaaaab, NX)
  TEST_RR_S(10, fdiv.s, rup, 0xbf800000, 0x40400000, 0xbeaaaaaa, NX)
  /* 2/3 = 2^-1 * 1.0101...: again 2/3 of an ulp dropped. */
  TEST_RR_S(11, fdiv.s, rne, S_TWO, 0x40400000, 0x3f2aaaab, NX)
  /* Division by zero: DZ and a signed infinity. */
  TEST_RR_S(12, fdiv.s, rne, S_ONE, 0x00000000, S_INF, DZ)
  TEST_RR_S(13, fdiv.s, rne, 0xbf800000, 0x00000000, S_NINF, DZ)
  TEST_RR_S(14, fdiv.s, rne, S_ONE, 0x80000000, S_NINF, DZ)
  TEST_RR_S(15, fdiv.s, rne, 0x00000001, 0x80000000, S_NINF, DZ)
  /* Invalid. */
  TEST_RR_S(16, fdiv.s, rne, 0x00000000, 0x80000000, S_QNAN, NV)
  TEST_RR_S(17, fdiv.s, rne, S_INF, S_NINF, S_QNAN, NV)
  /* Exact special results: no flags (inf / 0 is not a division by zero). */
  TEST_RR_S(18, fdiv.s, rne, S_INF, 0x00000000, S_INF, 0)
  TEST_RR_S(19, fdiv.s, rne, S_ONE, S_NINF, 0x80000000, 0)
  TEST_RR_S(20, fdiv.s, rne, 0x80000000, S_ONE, 0x80000000, 0)
  TEST_RR_S(21, fdiv.s, rne, S_NINF, 0x80000001, S_INF, 0)
  /* NaN operands: canonical NaN; no DZ for NaN / 0. */
  TEST_RR_S(22, fdiv.s, rne, S_QNAN, 0x00000000, S_QNAN, 0)
  TEST_RR_S(23, fdiv.s, rne, S_ONE, S_SNAN, S_QNAN, NV)
  /* Overflow and underflow. */
  TEST_RR_S(24, fdiv.s, rne, S_MAX, S_HALF, S_INF, OF | NX)
  TEST_RR_S(25, fdiv.s, rtz, S_MAX, S_HALF, S_MAX, OF | NX)
  TEST_RR_S(26, fdiv.s, rne, S_MINNORM, S_TWO, 0x00400000, 0)
  TEST_RR_S(27, fdiv.s, rne, 0x00000001, S_TWO, 0x00000000, UF | NX)
  TEST_RR_S(28, fdiv.s, rmm, 0x00000001, S_TWO, 0x00000001, UF | NX)
  TEST_RR_S(29, fdiv.s, rne, 0x00000003, S_TWO, 0x00000002, UF | NX)
  TEST_RR_S(30, fdiv.s, rtz, 0x00000003, S_TWO, 0x00000001, UF | NX)
  /* A subnormal dividend with a normal quotient: 2^-149 / 2^-149 = 1. */
  TEST_RR_S(31, fdiv.s, rne, 0x00000001, 0x00000001, S_ONE, 0)
  j pass

FP_END
