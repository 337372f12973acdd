/* fcvt.w.s, fcvt.wu.s, fcvt.l.s, fcvt.lu.s: rounding in every mode,
 * saturation with NV (NaN -> largest positive value; out of range and
 * infinities -> the nearest limit), NX for inexact in-range results, and
 * the 32-bit results sign-extended to 64 bits (also for fcvt.wu.s).
 * Mutants: fcvt.w.s, fcvt.wu.s, fcvt.l.s, fcvt.lu.s. */
#include "fp_macros.h"

#define I32_MAX 0x000000007fffffff
#define I32_MIN 0xffffffff80000000
#define I64_MAX 0x7fffffffffffffff
#define I64_MIN 0x8000000000000000
#define ALL1    0xffffffffffffffff

FP_BEGIN
  /* 2.5 and -2.5 in the five modes. */
  TEST_TOX_S(2, fcvt.w.s, rne, 0x40200000, 2, NX)
  TEST_TOX_S(3, fcvt.w.s, rtz, 0x40200000, 2, NX)
  TEST_TOX_S(4, fcvt.w.s, rdn, 0x40200000, 2, NX)
  TEST_TOX_S(5, fcvt.w.s, rup, 0x40200000, 3, NX)
  TEST_TOX_S(6, fcvt.w.s, rmm, 0x40200000, 3, NX)
  TEST_TOX_S(7, fcvt.w.s, rne, 0xc0200000, -2, NX)
  TEST_TOX_S(8, fcvt.w.s, rtz, 0xc0200000, -2, NX)
  TEST_TOX_S(9, fcvt.w.s, rdn, 0xc0200000, -3, NX)
  TEST_TOX_S(10, fcvt.w.s, rup, 0xc0200000, -2, NX)
  TEST_TOX_S(11, fcvt.w.s, rmm, 0xc0200000, -3, NX)
  TEST_TOX_S(12, fcvt.w.s, rne, 0x40600000, 4, NX)      /* 3.5: ties to even 4 */
  TEST_TOX_S(13, fcvt.w.s, rne, 0x3f000000, 0, NX)      /* 0.5 */
  TEST_TOX_S(14, fcvt.w.s, rmm, 0x3f000000, 1, NX)
  TEST_TOX_S(15, fcvt.w.s, rdn, 0xbf000000, -1, NX)     /* -0.5 */
  TEST_TOX_S(16, fcvt.w.s, rne, 0xbf800000, -1, 0)
  TEST_TOX_S(17, fcvt.w.s, rne, 0x80000000, 0, 0)       /* -0 */
  TEST_TOX_S(18, fcvt.w.s, rup, 0x00000001, 1, NX)
  TEST_TOX_S(19, fcvt.w.s, rne, 0x00000001, 0, NX)
  /* Limits: 2^31 - 128 and -2^31 fit; 2^31 and -2^31 - 256 do not. */
  TEST_TOX_S(20, fcvt.w.s, rne, 0x4effffff, 0x7fffff80, 0)
  TEST_TOX_S(21, fcvt.w.s, rne, 0xcf000000, I32_MIN, 0)
  TEST_TOX_S(22, fcvt.w.s, rne, 0x4f000000, I32_MAX, NV)
  TEST_TOX_S(23, fcvt.w.s, rne, 0xcf000001, I32_MIN, NV)
  TEST_TOX_S(24, fcvt.w.s, rne, S_INF, I32_MAX, NV)
  TEST_TOX_S(25, fcvt.w.s, rne, S_NINF, I32_MIN, NV)
  /* NaNs of either sign give the largest positive value. */
  TEST_TOX_S(26, fcvt.w.s, rne, S_QNAN, I32_MAX, NV)
  TEST_TOX_S(27, fcvt.w.s, rne, 0xffc00000, I32_MAX, NV)
  TEST_TOX_S(28, fcvt.w.s, rne, 0xff800001, I32_MAX, NV)

  TEST_TOX_S(30, fcvt.wu.s, rne, 0x40200000, 2, NX)
  TEST_TOX_S(31, fcvt.wu.s, rup, 0x40200000, 3, NX)
  TEST_TOX_S(32, fcvt.wu.s, rmm, 0x3fc00000, 2, NX)     /* 1.5 */
  /* 2^32 - 256 fits and, like every 32-bit result, is sign-extended. */
  TEST_TOX_S(33, fcvt.wu.s, rne, 0x4f7fffff, 0xffffffffffffff00, 0)
  TEST_TOX_S(34, fcvt.wu.s, rne, 0x4f000000, 0xffffffff80000000, 0)
  TEST_TOX_S(35, fcvt.wu.s, rne, 0x4f800000, ALL1, NV)  /* 2^32 */
  TEST_TOX_S(36, fcvt.wu.s, rne, S_INF, ALL1, NV)
  TEST_TOX_S(37, fcvt.wu.s, rne, S_QNAN, ALL1, NV)
  /* Negative: invalid unless it rounds to zero. */
  TEST_TOX_S(38, fcvt.wu.s, rne, 0xbf800000, 0, NV)
  TEST_TOX_S(39, fcvt.wu.s, rtz, 0xbf000000, 0, NX)
  TEST_TOX_S(40, fcvt.wu.s, rdn, 0xbf000000, 0, NV)
  TEST_TOX_S(41, fcvt.wu.s, rne, 0x80000000, 0, 0)
  TEST_TOX_S(42, fcvt.wu.s, rne, S_NINF, 0, NV)

  TEST_TOX_S(50, fcvt.l.s, rne, 0x40200000, 2, NX)
  TEST_TOX_S(51, fcvt.l.s, rmm, 0xc0200000, -3, NX)
  TEST_TOX_S(52, fcvt.l.s, rne, 0x4f000000, 0x80000000, 0)  /* 2^31 fits */
  TEST_TOX_S(53, fcvt.l.s, rne, 0x5effffff, 0x7fffff8000000000, 0)
  TEST_TOX_S(54, fcvt.l.s, rne, 0xdf000000, I64_MIN, 0)
  TEST_TOX_S(55, fcvt.l.s, rne, 0x5f000000, I64_MAX, NV)    /* 2^63 */
  TEST_TOX_S(56, fcvt.l.s, rne, 0xdf000001, I64_MIN, NV)
  TEST_TOX_S(57, fcvt.l.s, rne, S_NINF, I64_MIN, NV)
  TEST_TOX_S(58, fcvt.l.s, rne, 0xffc00000, I64_MAX, NV)
  TEST_TOX_S(59, fcvt.l.s, rdn, 0x80000001, -1, NX)

  TEST_TOX_S(60, fcvt.lu.s, rne, 0x3fc00000, 2, NX)
  TEST_TOX_S(61, fcvt.lu.s, rtz, 0x3fc00000, 1, NX)
  TEST_TOX_S(62, fcvt.lu.s, rne, 0x5f000000, 0x8000000000000000, 0)
  TEST_TOX_S(63, fcvt.lu.s, rne, 0x5f7fffff, 0xffffff0000000000, 0)
  TEST_TOX_S(64, fcvt.lu.s, rne, 0x5f800000, ALL1, NV)      /* 2^64 */
  TEST_TOX_S(65, fcvt.lu.s, rne, 0xbf800000, 0, NV)
  TEST_TOX_S(66, fcvt.lu.s, rtz, 0xbf000000, 0, NX)
  TEST_TOX_S(67, fcvt.lu.s, rne, S_SNAN, ALL1, NV)
  TEST_TOX_S(68, fcvt.lu.s, rne, S_NINF, 0, NV)
  j pass

FP_END
