/* fadd.d and fsub.d: exact sums, the five rounding modes on ties and
 * near-ties, signed zeros, overflow, subnormal sums, infinities and NaNs.
 * Mutants: fadd.d, fsub.d. */
#include "../rv64f/fp_macros.h"

#define P1 0x3ff0000000000001 /* 1 + 2^-52 */

FP_BEGIN
  TEST_RR_D(2, fadd.d, rne, D_ONE, D_TWO, 0x4008000000000000, 0)
  TEST_RR_D(3, fadd.d, rne, 0x3ff8000000000000, 0x4004000000000000, 0x4010000000000000, 0)
  /* 1 + 2^-53: half an ulp above 1.0 (even). */
  TEST_RR_D(4, fadd.d, rne, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RR_D(5, fadd.d, rtz, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RR_D(6, fadd.d, rdn, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RR_D(7, fadd.d, rup, D_ONE, 0x3ca0000000000000, P1, NX)
  TEST_RR_D(8, fadd.d, rmm, D_ONE, 0x3ca0000000000000, P1, NX)
  /* (1 + 2^-52) + 2^-53: between ...01 (odd) and ...02 (even). */
  TEST_RR_D(9, fadd.d, rne, P1, 0x3ca0000000000000, 0x3ff0000000000002, NX)
  TEST_RR_D(10, fadd.d, rtz, P1, 0x3ca0000000000000, P1, NX)
  TEST_RR_D(11, fadd.d, rdn, P1, 0x3ca0000000000000, P1, NX)
  TEST_RR_D(12, fadd.d, rup, P1, 0x3ca0000000000000, 0x3ff0000000000002, NX)
  TEST_RR_D(13, fadd.d, rmm, P1, 0x3ca0000000000000, 0x3ff0000000000002, NX)
  /* -1 - 2^-53 */
  TEST_RR_D(14, fadd.d, rne, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX)
  TEST_RR_D(15, fadd.d, rtz, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX)
  TEST_RR_D(16, fadd.d, rdn, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, NX)
  TEST_RR_D(17, fadd.d, rup, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX)
  TEST_RR_D(18, fadd.d, rmm, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, NX)
  /* Just above and just below the tie. */
  TEST_RR_D(19, fadd.d, rne, D_ONE, 0x3ca0000000000001, P1, NX)
  TEST_RR_D(20, fadd.d, rtz, D_ONE, 0x3ca0000000000001, D_ONE, NX)
  TEST_RR_D(21, fadd.d, rmm, D_ONE, 0x3c9fffffffffffff, D_ONE, NX)
  TEST_RR_D(22, fadd.d, rup, D_ONE, 0x3c9fffffffffffff, P1, NX)
  /* Signed zeros. */
  TEST_RR_D(23, fadd.d, rne, 0x400921fb54442d18, 0xc00921fb54442d18, 0, 0)
  TEST_RR_D(24, fadd.d, rdn, 0x400921fb54442d18, 0xc00921fb54442d18, D_NEG, 0)
  TEST_RR_D(25, fadd.d, rup, 0, D_NEG, 0, 0)
  TEST_RR_D(26, fadd.d, rdn, 0, D_NEG, D_NEG, 0)
  TEST_RR_D(27, fadd.d, rne, D_NEG, D_NEG, D_NEG, 0)
  TEST_RR_D(28, fadd.d, rne, D_NEG, 5, 5, 0)
  /* Overflow. */
  TEST_RR_D(29, fadd.d, rne, D_MAX, D_MAX, D_INF, OF | NX)
  TEST_RR_D(30, fadd.d, rtz, D_MAX, D_MAX, D_MAX, OF | NX)
  TEST_RR_D(31, fadd.d, rdn, 0xffefffffffffffff, 0xffefffffffffffff, D_NINF, OF | NX)
  TEST_RR_D(32, fadd.d, rup, 0xffefffffffffffff, 0xffefffffffffffff, 0xffefffffffffffff, OF | NX)
  /* max + 2^970, half an ulp of max (which is odd). */
  TEST_RR_D(33, fadd.d, rne, D_MAX, 0x7c90000000000000, D_INF, OF | NX)
  TEST_RR_D(34, fadd.d, rtz, D_MAX, 0x7c90000000000000, D_MAX, NX)
  /* Subnormal sums are exact. */
  TEST_RR_D(35, fadd.d, rne, 1, 1, 2, 0)
  TEST_RR_D(36, fadd.d, rne, D_MINNORM, 0x8000000000000001, 0x000fffffffffffff, 0)
  TEST_RR_D(37, fadd.d, rne, 0x000fffffffffffff, 1, D_MINNORM, 0)
  TEST_RR_D(38, fadd.d, rne, P1, 0xbff0000000000000, 0x3cb0000000000000, 0)
  /* A far smaller operand only sticks. */
  TEST_RR_D(39, fadd.d, rup, D_ONE, 1, P1, NX)
  TEST_RR_D(40, fadd.d, rne, D_ONE, 1, D_ONE, NX)
  /* Infinities and NaNs. */
  TEST_RR_D(41, fadd.d, rne, D_INF, D_NINF, D_QNAN, NV)
  TEST_RR_D(42, fadd.d, rne, D_INF, D_INF, D_INF, 0)
  TEST_RR_D(43, fadd.d, rne, D_ONE, D_NINF, D_NINF, 0)
  TEST_RR_D(44, fadd.d, rne, 0xfff8000000012345, D_ONE, D_QNAN, 0)
  TEST_RR_D(45, fadd.d, rne, D_ONE, D_SNAN, D_QNAN, NV)
  TEST_RR_D(46, fadd.d, rne, 0xfff0000000000005, D_QNAN, D_QNAN, NV)
  /* A NaN-boxed single is just a NaN to a double operation. */
  TEST_RR_D(47, fadd.d, rne, 0xffffffff3f800000, D_ONE, D_QNAN, 0)

  TEST_RR_D(50, fsub.d, rne, 0x4008000000000000, D_ONE, D_TWO, 0)
  TEST_RR_D(51, fsub.d, rne, D_ONE, 0x4008000000000000, 0xc000000000000000, 0)
  TEST_RR_D(52, fsub.d, rne, D_ONE, D_ONE, 0, 0)
  TEST_RR_D(53, fsub.d, rdn, D_ONE, D_ONE, D_NEG, 0)
  TEST_RR_D(54, fsub.d, rne, D_NEG, 0, D_NEG, 0)
  TEST_RR_D(55, fsub.d, rne, D_ONE, 0xbca0000000000000, D_ONE, NX)
  TEST_RR_D(56, fsub.d, rup, D_ONE, 0xbca0000000000000, P1, NX)
  TEST_RR_D(57, fsub.d, rmm, D_ONE, 0xbca0000000000000, P1, NX)
  /* 1 - 2^-54 is halfway between 1 - 2^-53 (odd) and 1 (even). */
  TEST_RR_D(58, fsub.d, rne, D_ONE, 0x3c90000000000000, D_ONE, NX)
  TEST_RR_D(59, fsub.d, rtz, D_ONE, 0x3c90000000000000, 0x3fefffffffffffff, NX)
  TEST_RR_D(60, fsub.d, rdn, D_ONE, 0x3c90000000000000, 0x3fefffffffffffff, NX)
  TEST_RR_D(61, fsub.d, rmm, D_ONE, 0x3c90000000000000, D_ONE, NX)
  TEST_RR_D(62, fsub.d, rne, D_MINNORM, 1, 0x000fffffffffffff, 0)
  TEST_RR_D(63, fsub.d, rne, 0xffefffffffffffff, D_MAX, D_NINF, OF | NX)
  TEST_RR_D(64, fsub.d, rtz, D_ONE, 1, 0x3fefffffffffffff, NX)
  TEST_RR_D(65, fsub.d, rne, D_INF, D_INF, D_QNAN, NV)
  TEST_RR_D(66, fsub.d, rne, D_NINF, D_INF, D_NINF, 0)
  TEST_RR_D(67, fsub.d, rne, D_SNAN, D_SNAN, D_QNAN, NV)
  TEST_RR_D(68, fsub.d, rne, 0x7ff8000000000001, D_ONE, D_QNAN, 0)
  LOAD_D(fa0, 0x3ff199999999999a)
  fsub.d fa0, fa0, fa0, rne
  CHECK_F(69, fa0, 0, 0)
  j pass

FP_END
