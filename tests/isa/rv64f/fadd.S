/* fadd.s and fsub.s: exact sums, the five rounding modes on ties and
 * near-ties, signed zeros, overflow, subnormal sums, infinities and NaNs
 * (canonical NaN results; NV only for signaling NaNs and inf - inf).
 * Mutants: fadd.s, fsub.s. */
#include "fp_macros.h"

FP_BEGIN
  /* 1 + 2 = 3, exact. */
  TEST_RR_S(2, fadd.s, rne, S_ONE, S_TWO, 0x40400000, 0)
  /* 1.5 + 2.5 = 4 */
  TEST_RR_S(3, fadd.s, rne, 0x3fc00000, 0x40200000, 0x40800000, 0)

  /* 1 + 2^-24 is exactly half an ulp above 1.0 (even): only RUP and RMM
     round up. */
  TEST_RR_S(4, fadd.s, rne, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RR_S(5, fadd.s, rtz, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RR_S(6, fadd.s, rdn, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RR_S(7, fadd.s, rup, S_ONE, 0x33800000, 0x3f800001, NX)
  TEST_RR_S(8, fadd.s, rmm, S_ONE, 0x33800000, 0x3f800001, NX)
  /* (1 + 2^-23) + 2^-24: halfway between ...01 (odd) and ...02 (even). */
  TEST_RR_S(9, fadd.s, rne, 0x3f800001, 0x33800000, 0x3f800002, NX)
  TEST_RR_S(10, fadd.s, rtz, 0x3f800001, 0x33800000, 0x3f800001, NX)
  TEST_RR_S(11, fadd.s, rdn, 0x3f800001, 0x33800000, 0x3f800001, NX)
  TEST_RR_S(12, fadd.s, rup, 0x3f800001, 0x33800000, 0x3f800002, NX)
  TEST_RR_S(13, fadd.s, rmm, 0x3f800001, 0x33800000, 0x3f800002, NX)
  /* -1 - 2^-24: RDN and RMM now go away from zero. */
  TEST_RR_S(14, fadd.s, rne, 0xbf800000, 0xb3800000, 0xbf800000, NX)
  TEST_RR_S(15, fadd.s, rtz, 0xbf800000, 0xb3800000, 0xbf800000, NX)
  TEST_RR_S(16, fadd.s, rdn, 0xbf800000, 0xb3800000, 0xbf800001, NX)
  TEST_RR_S(17, fadd.s, rup, 0xbf800000, 0xb3800000, 0xbf800000, NX)
  TEST_RR_S(18, fadd.s, rmm, 0xbf800000, 0xb3800000, 0xbf800001, NX)
  /* 1 + (2^-24 + 2^-47): just above the tie. */
  TEST_RR_S(19, fadd.s, rne, S_ONE, 0x33800001, 0x3f800001, NX)
  TEST_RR_S(20, fadd.s, rtz, S_ONE, 0x33800001, 0x3f800000, NX)
  /* 1 + (2^-24 - 2^-48): just below it. */
  TEST_RR_S(21, fadd.s, rmm, S_ONE, 0x337fffff, 0x3f800000, NX)
  TEST_RR_S(22, fadd.s, rup, S_ONE, 0x337fffff, 0x3f800001, NX)

  /* x + (-x) is +0, except -0 when rounding down; -0 + -0 = -0. */
  TEST_RR_S(23, fadd.s, rne, 0x40490fdb, 0xc0490fdb, 0x00000000, 0)
  TEST_RR_S(24, fadd.s, rdn, 0x40490fdb, 0xc0490fdb, 0x80000000, 0)
  TEST_RR_S(25, fadd.s, rup, 0x00000000, 0x80000000, 0x00000000, 0)
  TEST_RR_S(26, fadd.s, rdn, 0x00000000, 0x80000000, 0x80000000, 0)
  TEST_RR_S(27, fadd.s, rne, 0x80000000, 0x80000000, 0x80000000, 0)
  TEST_RR_S(28, fadd.s, rne, 0x80000000, 0x00000005, 0x00000005, 0)

  /* Overflow: max + max. */
  TEST_RR_S(29, fadd.s, rne, S_MAX, S_MAX, S_INF, OF | NX)
  TEST_RR_S(30, fadd.s, rtz, S_MAX, S_MAX, S_MAX, OF | NX)
  TEST_RR_S(31, fadd.s, rdn, 0xff7fffff, 0xff7fffff, S_NINF, OF | NX)
  TEST_RR_S(32, fadd.s, rup, 0xff7fffff, 0xff7fffff, 0xff7fffff, OF | NX)
  /* max + 2^103 is half an ulp above max (odd): RNE overflows, RTZ does
     not (and then raises NX only). */
  TEST_RR_S(33, fadd.s, rne, S_MAX, 0x73000000, S_INF, OF | NX)
  TEST_RR_S(34, fadd.s, rtz, S_MAX, 0x73000000, S_MAX, NX)

  /* Subnormal sums are exact: no UF without NX. */
  TEST_RR_S(35, fadd.s, rne, 0x00000001, 0x00000001, 0x00000002, 0)
  TEST_RR_S(36, fadd.s, rne, S_MINNORM, 0x80000001, 0x007fffff, 0)
  TEST_RR_S(37, fadd.s, rne, 0x007fffff, 0x00000001, S_MINNORM, 0)
  /* Cancellation: (1 + 2^-23) - 1 = 2^-23. */
  TEST_RR_S(38, fadd.s, rne, 0x3f800001, 0xbf800000, 0x34000000, 0)

  /* Infinities and NaNs. */
  TEST_RR_S(39, fadd.s, rne, S_INF, S_NINF, S_QNAN, NV)
  TEST_RR_S(40, fadd.s, rne, S_INF, S_INF, S_INF, 0)
  TEST_RR_S(41, fadd.s, rne, S_ONE, S_NINF, S_NINF, 0)
  TEST_RR_S(42, fadd.s, rne, 0xffc12345, S_ONE, S_QNAN, 0)
  TEST_RR_S(43, fadd.s, rne, S_ONE, S_SNAN, S_QNAN, NV)
  TEST_RR_S(44, fadd.s, rne, 0xff800005, S_QNAN, S_QNAN, NV)

  /* fsub.s */
  TEST_RR_S(50, fsub.s, rne, 0x40400000, S_ONE, S_TWO, 0)
  TEST_RR_S(51, fsub.s, rne, S_ONE, 0x40400000, 0xc0000000, 0)
  TEST_RR_S(52, fsub.s, rne, S_ONE, S_ONE, 0x00000000, 0)
  TEST_RR_S(53, fsub.s, rdn, S_ONE, S_ONE, 0x80000000, 0)
  TEST_RR_S(54, fsub.s, rne, 0x80000000, 0x00000000, 0x80000000, 0)
  /* 1 - (-2^-24): the tie of checks 4..8. */
  TEST_RR_S(55, fsub.s, rne, S_ONE, 0xb3800000, 0x3f800000, NX)
  TEST_RR_S(56, fsub.s, rup, S_ONE, 0xb3800000, 0x3f800001, NX)
  TEST_RR_S(57, fsub.s, rmm, S_ONE, 0xb3800000, 0x3f800001, NX)
  /* 1 - 2^-25 lies between 1 - 2^-24 and 1, a tie: RNE picks even 1.0. */
  TEST_RR_S(58, fsub.s, rne, S_ONE, 0x33000000, 0x3f800000, NX)
  TEST_RR_S(59, fsub.s, rtz, S_ONE, 0x33000000, 0x3f7fffff, NX)
  TEST_RR_S(60, fsub.s, rdn, S_ONE, 0x33000000, 0x3f7fffff, NX)
  TEST_RR_S(61, fsub.s, rmm, S_ONE, 0x33000000, 0x3f800000, NX)
  TEST_RR_S(62, fsub.s, rne, S_MINNORM, 0x00000001, 0x007fffff, 0)
  TEST_RR_S(63, fsub.s, rne, 0xff7fffff, S_MAX, S_NINF, OF | NX)
  TEST_RR_S(64, fsub.s, rne, S_INF, S_INF, S_QNAN, NV)
  TEST_RR_S(65, fsub.s, rne, S_NINF, S_INF, S_NINF, 0)
  TEST_RR_S(66, fsub.s, rne, S_SNAN, S_SNAN, S_QNAN, NV)
  TEST_RR_S(67, fsub.s, rne, 0x7fc00001, S_ONE, S_QNAN, 0)
  /* Same register as both operands: x - x = +0. */
  LOAD_S(fa0, 0x3f8ccccd)
  fsub.s fa0, fa0, fa0, rne
  CHECK_FS(68, fa0, 0x00000000, 0)
  j pass

FP_END
