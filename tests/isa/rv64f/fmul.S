/* fmul.s: exact products, rounding in every mode, signed zeros, overflow,
 * gradual underflow (UF only when tiny and inexact, tininess detected
 * after rounding), invalid inf * 0, NaNs.
 * Mutant: fmul.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_RR_S(2, fmul.s, rne, 0x40200000, 0x40800000, 0x41200000, 0)  /* 2.5 * 4 = 10 */
  TEST_RR_S(3, fmul.s, rne, 0x3fc00000, 0x3fc00000, 0x40100000, 0)  /* 1.5^2 = 2.25 */
  TEST_RR_S(4, fmul.s, rne, 0xc0000000, 0x40400000, 0xc0c00000, 0)  /* -2 * 3 = -6 */
  /* (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: only RUP rounds up. */
  TEST_RR_S(5, fmul.s, rne, 0x3f800001, 0x3f800001, 0x3f800002, NX)
  TEST_RR_S(6, fmul.s, rtz, 0x3f800001, 0x3f800001, 0x3f800002, NX)
  TEST_RR_S(7, fmul.s, rdn, 0x3f800001, 0x3f800001, 0x3f800002, NX)
  TEST_RR_S(8, fmul.s, rup, 0x3f800001, 0x3f800001, 0x3f800003, NX)
  TEST_RR_S(9, fmul.s, rmm, 0x3f800001, 0x3f800001, 0x3f800002, NX)
  /* Negative: -(1 + 2^-23) * (1 + 2^-23); RDN now rounds away. */
  TEST_RR_S(10, fmul.s, rdn, 0xbf800001, 0x3f800001, 0xbf800003, NX)
  TEST_RR_S(11, fmul.s, rup, 0xbf800001, 0x3f800001, 0xbf800002, NX)
  /* Signed zeros. */
  TEST_RR_S(12, fmul.s, rne, 0xbf800000, 0x00000000, 0x80000000, 0)
  TEST_RR_S(13, fmul.s, rne, 0x80000000, 0x80000000, 0x00000000, 0)
  /* Overflow. */
  TEST_RR_S(14, fmul.s, rne, S_MAX, S_TWO, S_INF, OF | NX)
  TEST_RR_S(15, fmul.s, rdn, S_MAX, S_TWO, S_MAX, OF | NX)
  TEST_RR_S(16, fmul.s, rdn, 0xff7fffff, S_TWO, S_NINF, OF | NX)
  TEST_RR_S(17, fmul.s, rtz, 0xff7fffff, S_TWO, 0xff7fffff, OF | NX)
  TEST_RR_S(18, fmul.s, rmm, 0xff7fffff, S_TWO, S_NINF, OF | NX)
  /* 2^-126 * 0.5 = 2^-127: tiny but exact, no flags. */
  TEST_RR_S(19, fmul.s, rne, S_MINNORM, S_HALF, 0x00400000, 0)
  /* 2^-149 * 0.5 = 2^-150, a tie between 0 and 2^-149. */
  TEST_RR_S(20, fmul.s, rne, 0x00000001, S_HALF, 0x00000000, UF | NX)
  TEST_RR_S(21, fmul.s, rtz, 0x00000001, S_HALF, 0x00000000, UF | NX)
  TEST_RR_S(22, fmul.s, rdn, 0x00000001, S_HALF, 0x00000000, UF | NX)
  TEST_RR_S(23, fmul.s, rup, 0x00000001, S_HALF, 0x00000001, UF | NX)
  TEST_RR_S(24, fmul.s, rmm, 0x00000001, S_HALF, 0x00000001, UF | NX)
  TEST_RR_S(25, fmul.s, rdn, 0x80000001, S_HALF, 0x80000001, UF | NX)
  TEST_RR_S(26, fmul.s, rne, 0x80000001, S_HALF, 0x80000000, UF | NX)
  /* 3 * 2^-149 * 0.5 = 1.5 * 2^-149: a tie between 1 and 2 (even). */
  TEST_RR_S(27, fmul.s, rne, 0x00000003, S_HALF, 0x00000002, UF | NX)
  TEST_RR_S(28, fmul.s, rtz, 0x00000003, S_HALF, 0x00000001, UF | NX)
  TEST_RR_S(29, fmul.s, rmm, 0x00000003, S_HALF, 0x00000002, UF | NX)
  /* (1 - 2^-24) * 2^-126 is exact at 24 bits, hence tiny; at subnormal
     precision it is a tie between 0x007fffff (odd) and 2^-126 (even).
     RNE returns the normal 2^-126 and still raises UF. */
  TEST_RR_S(30, fmul.s, rne, 0x3f7fffff, S_MINNORM, S_MINNORM, UF | NX)
  TEST_RR_S(31, fmul.s, rtz, 0x3f7fffff, S_MINNORM, 0x007fffff, UF | NX)
  /* A subnormal times 2^k, exact: 3 * 2^-149 * 2^23 = 1.5 * 2^-125. */
  TEST_RR_S(32, fmul.s, rne, 0x00000003, 0x4b000000, 0x01400000, 0)
  /* 2^-75 * 2^-75 = 2^-150: underflows to zero, or to 2^-149 upwards. */
  TEST_RR_S(33, fmul.s, rne, 0x1a000000, 0x1a000000, 0x00000000, UF | NX)
  TEST_RR_S(34, fmul.s, rup, 0x1a000000, 0x1a000000, 0x00000001, UF | NX)
  /* Infinities and NaNs. */
  TEST_RR_S(35, fmul.s, rne, S_INF, 0x00000000, S_QNAN, NV)
  TEST_RR_S(36, fmul.s, rne, 0x80000000, S_NINF, S_QNAN, NV)
  TEST_RR_S(37, fmul.s, rne, S_NINF, S_TWO, S_NINF, 0)
  TEST_RR_S(38, fmul.s, rne, S_NINF, 0x80000001, S_INF, 0)
  TEST_RR_S(39, fmul.s, rne, S_QNAN, 0x00000000, S_QNAN, 0)
  TEST_RR_S(40, fmul.s, rne, S_SNAN, S_ONE, S_QNAN, NV)
  TEST_RR_S(41, fmul.s, rne, S_ONE, 0xffffffff, S_QNAN, 0)
  j pass

FP_END
