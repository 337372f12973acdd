/* fcvt.s.w, fcvt.s.wu, fcvt.s.l, fcvt.s.lu: exact conversions, rounding of
 * integers wider than 24 bits in every mode (ties at 2^24 + 1), the
 * integer limits, and for the .w/.wu forms only the low 32 bits of rs1.
 * Mutants: fcvt.s.w, fcvt.s.wu, fcvt.s.l, fcvt.s.lu. */
#include "fp_macros.h"

FP_BEGIN
  TEST_FROMX_S(2, fcvt.s.w, rne, 0, 0x00000000, 0)
  TEST_FROMX_S(3, fcvt.s.w, rdn, 0, 0x00000000, 0)            /* +0 even in RDN */
  TEST_FROMX_S(4, fcvt.s.w, rne, 1, S_ONE, 0)
  TEST_FROMX_S(5, fcvt.s.w, rne, -1, 0xbf800000, 0)
  TEST_FROMX_S(6, fcvt.s.w, rne, 3, 0x40400000, 0)
  TEST_FROMX_S(7, fcvt.s.w, rne, -2147483648, 0xcf000000, 0)
  TEST_FROMX_S(8, fcvt.s.w, rne, 2147483647, 0x4f000000, NX)
  TEST_FROMX_S(9, fcvt.s.w, rtz, 2147483647, 0x4effffff, NX)
  /* 2^24 + 1: a tie between 2^24 (even) and 2^24 + 2. */
  TEST_FROMX_S(10, fcvt.s.w, rne, 16777217, 0x4b800000, NX)
  TEST_FROMX_S(11, fcvt.s.w, rtz, 16777217, 0x4b800000, NX)
  TEST_FROMX_S(12, fcvt.s.w, rdn, 16777217, 0x4b800000, NX)
  TEST_FROMX_S(13, fcvt.s.w, rup, 16777217, 0x4b800001, NX)
  TEST_FROMX_S(14, fcvt.s.w, rmm, 16777217, 0x4b800001, NX)
  TEST_FROMX_S(15, fcvt.s.w, rne, -16777217, 0xcb800000, NX)
  TEST_FROMX_S(16, fcvt.s.w, rdn, -16777217, 0xcb800001, NX)
  TEST_FROMX_S(17, fcvt.s.w, rmm, -16777217, 0xcb800001, NX)
  /* 2^24 + 3: a tie between 2^24 + 2 (odd significand) and 2^24 + 4. */
  TEST_FROMX_S(18, fcvt.s.w, rne, 16777219, 0x4b800002, NX)
  TEST_FROMX_S(19, fcvt.s.w, rtz, 16777219, 0x4b800001, NX)
  /* Only the low 32 bits count. */
  TEST_FROMX_S(20, fcvt.s.w, rne, 0x0000000100000001, S_ONE, 0)
  TEST_FROMX_S(21, fcvt.s.w, rne, 0x00000000ffffffff, 0xbf800000, 0)

  TEST_FROMX_S(30, fcvt.s.wu, rne, 0xffffffff, 0x4f800000, NX)
  TEST_FROMX_S(31, fcvt.s.wu, rtz, 0xffffffff, 0x4f7fffff, NX)
  TEST_FROMX_S(32, fcvt.s.wu, rne, 0x80000000, 0x4f000000, 0)
  TEST_FROMX_S(33, fcvt.s.wu, rne, 0xffffffff80000000, 0x4f000000, 0)
  TEST_FROMX_S(34, fcvt.s.wu, rup, 16777217, 0x4b800001, NX)
  TEST_FROMX_S(35, fcvt.s.wu, rne, 16777217, 0x4b800000, NX)
  TEST_FROMX_S(36, fcvt.s.wu, rne, 0, 0x00000000, 0)

  TEST_FROMX_S(40, fcvt.s.l, rne, 0x8000000000000000, 0xdf000000, 0)
  TEST_FROMX_S(41, fcvt.s.l, rne, 0x7fffffffffffffff, 0x5f000000, NX)
  TEST_FROMX_S(42, fcvt.s.l, rtz, 0x7fffffffffffffff, 0x5effffff, NX)
  TEST_FROMX_S(43, fcvt.s.l, rne, -1, 0xbf800000, 0)
  TEST_FROMX_S(44, fcvt.s.l, rne, 0x0000000100000001, 0x4f800000, NX)  /* 2^32 + 1 */
  TEST_FROMX_S(45, fcvt.s.l, rup, 0x0000000100000001, 0x4f800001, NX)
  TEST_FROMX_S(46, fcvt.s.l, rdn, 0xfffffffeffffffff, 0xcf800001, NX)  /* -(2^32 + 1) */
  TEST_FROMX_S(47, fcvt.s.l, rne, 0x0020000000000001, 0x5a000000, NX)  /* 2^53 + 1 */

  TEST_FROMX_S(50, fcvt.s.lu, rne, 0xffffffffffffffff, 0x5f800000, NX)
  TEST_FROMX_S(51, fcvt.s.lu, rtz, 0xffffffffffffffff, 0x5f7fffff, NX)
  TEST_FROMX_S(52, fcvt.s.lu, rdn, 0xffffffffffffffff, 0x5f7fffff, NX)
  TEST_FROMX_S(53, fcvt.s.lu, rup, 0xffffffffffffffff, 0x5f800000, NX)
  TEST_FROMX_S(54, fcvt.s.lu, rmm, 0xffffffffffffffff, 0x5f800000, NX)
  TEST_FROMX_S(55, fcvt.s.lu, rne, 0x8000000000000000, 0x5f000000, 0)
  TEST_FROMX_S(56, fcvt.s.lu, rne, 1, S_ONE, 0)
  TEST_FROMX_S(57, fcvt.s.lu, rdn, 0, 0x00000000, 0)
  j pass

FP_END
