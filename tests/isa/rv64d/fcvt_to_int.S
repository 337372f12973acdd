/* fcvt.w.d, fcvt.wu.d, fcvt.l.d, fcvt.lu.d: rounding in every mode, the
 * limits (including values that leave the range only by rounding),
 * saturation with NV, NX for inexact results, sign-extended 32-bit results.
 * Mutants: fcvt.w.d, fcvt.wu.d, fcvt.l.d, fcvt.lu.d. */
#include "../rv64f/fp_macros.h"

#define I32_MAX 0x000000007fffffff
#define I32_MIN 0xffffffff80000000
#define I64_MAX 0x7fffffffffffffff
#define I64_MIN 0x8000000000000000
#define ALL1    0xffffffffffffffff
#define P2_5    0x4004000000000000
#define N2_5    0xc004000000000000
#define W_MAX_HALF 0x41dfffffffe00000 /* 2^31 - 0.5 */
#define W_MIN_HALF 0xc1e0000000100000 /* -2^31 - 0.5 */
#define WU_MAX_HALF 0x41effffffff00000 /* 2^32 - 0.5 */

FP_BEGIN
  TEST_TOX_D(2, fcvt.w.d, rne, P2_5, 2, NX)
  TEST_TOX_D(3, fcvt.w.d, rtz, P2_5, 2, NX)
  TEST_TOX_D(4, fcvt.w.d, rdn, P2_5, 2, NX)
  TEST_TOX_D(5, fcvt.w.d, rup, P2_5, 3, NX)
  TEST_TOX_D(6, fcvt.w.d, rmm, P2_5, 3, NX)
  TEST_TOX_D(7, fcvt.w.d, rne, N2_5, -2, NX)
  TEST_TOX_D(8, fcvt.w.d, rtz, N2_5, -2, NX)
  TEST_TOX_D(9, fcvt.w.d, rdn, N2_5, -3, NX)
  TEST_TOX_D(10, fcvt.w.d, rup, N2_5, -2, NX)
  TEST_TOX_D(11, fcvt.w.d, rmm, N2_5, -3, NX)
  TEST_TOX_D(12, fcvt.w.d, rne, 0x400c000000000000, 4, NX)  /* 3.5 */
  TEST_TOX_D(13, fcvt.w.d, rmm, D_HALF, 1, NX)
  TEST_TOX_D(14, fcvt.w.d, rdn, 0xbfe0000000000000, -1, NX)
  TEST_TOX_D(15, fcvt.w.d, rne, D_NEG, 0, 0)
  TEST_TOX_D(16, fcvt.w.d, rup, 1, 1, NX)
  TEST_TOX_D(17, fcvt.w.d, rne, 1, 0, NX)
  /* 2^31 - 1 is exact; 2^31 - 0.5 rounds out of range in RNE/RUP/RMM. */
  TEST_TOX_D(18, fcvt.w.d, rne, 0x41dfffffffc00000, I32_MAX, 0)
  TEST_TOX_D(19, fcvt.w.d, rne, W_MAX_HALF, I32_MAX, NV)
  TEST_TOX_D(20, fcvt.w.d, rtz, W_MAX_HALF, I32_MAX, NX)
  TEST_TOX_D(21, fcvt.w.d, rdn, W_MAX_HALF, I32_MAX, NX)
  TEST_TOX_D(22, fcvt.w.d, rup, W_MAX_HALF, I32_MAX, NV)
  TEST_TOX_D(23, fcvt.w.d, rmm, W_MAX_HALF, I32_MAX, NV)
  /* -2^31 - 0.5: RNE picks even -2^31; RDN and RMM leave the range. */
  TEST_TOX_D(24, fcvt.w.d, rne, W_MIN_HALF, I32_MIN, NX)
  TEST_TOX_D(25, fcvt.w.d, rtz, W_MIN_HALF, I32_MIN, NX)
  TEST_TOX_D(26, fcvt.w.d, rup, W_MIN_HALF, I32_MIN, NX)
  TEST_TOX_D(27, fcvt.w.d, rdn, W_MIN_HALF, I32_MIN, NV)
  TEST_TOX_D(28, fcvt.w.d, rmm, W_MIN_HALF, I32_MIN, NV)
  TEST_TOX_D(29, fcvt.w.d, rne, 0xc1e0000000000000, I32_MIN, 0)
  TEST_TOX_D(30, fcvt.w.d, rne, 0xc1e0000000200000, I32_MIN, NV)  /* -2^31 - 1 */
  TEST_TOX_D(31, fcvt.w.d, rne, 0x4202a05f20000000, I32_MAX, NV)  /* 1e10 */
  TEST_TOX_D(32, fcvt.w.d, rne, D_INF, I32_MAX, NV)
  TEST_TOX_D(33, fcvt.w.d, rne, D_NINF, I32_MIN, NV)
  TEST_TOX_D(34, fcvt.w.d, rne, D_QNAN, I32_MAX, NV)
  TEST_TOX_D(35, fcvt.w.d, rne, 0xfff8000000000000, I32_MAX, NV)

  TEST_TOX_D(40, fcvt.wu.d, rne, 0x41efffffffe00000, ALL1, 0)     /* 2^32 - 1 */
  TEST_TOX_D(41, fcvt.wu.d, rtz, WU_MAX_HALF, ALL1, NX)
  TEST_TOX_D(42, fcvt.wu.d, rne, WU_MAX_HALF, ALL1, NV)
  TEST_TOX_D(43, fcvt.wu.d, rne, W_MAX_HALF, 0xffffffff80000000, NX)
  TEST_TOX_D(44, fcvt.wu.d, rne, 0x41f0000000000000, ALL1, NV)     /* 2^32 */
  TEST_TOX_D(45, fcvt.wu.d, rne, 0xbff0000000000000, 0, NV)
  TEST_TOX_D(46, fcvt.wu.d, rtz, 0xbfe0000000000000, 0, NX)
  TEST_TOX_D(47, fcvt.wu.d, rdn, 0xbfe0000000000000, 0, NV)
  TEST_TOX_D(48, fcvt.wu.d, rne, D_NEG, 0, 0)
  TEST_TOX_D(49, fcvt.wu.d, rne, D_NINF, 0, NV)
  TEST_TOX_D(50, fcvt.wu.d, rne, D_SNAN, ALL1, NV)
  TEST_TOX_D(51, fcvt.wu.d, rup, P2_5, 3, NX)

  TEST_TOX_D(60, fcvt.l.d, rne, P2_5, 2, NX)
  TEST_TOX_D(61, fcvt.l.d, rmm, N2_5, -3, NX)
  TEST_TOX_D(62, fcvt.l.d, rne, 0x4202a05f20000000, 10000000000, 0)
  TEST_TOX_D(63, fcvt.l.d, rne, 0x43dfffffffffffff, 0x7ffffffffffffc00, 0)
  TEST_TOX_D(64, fcvt.l.d, rne, 0xc3e0000000000000, I64_MIN, 0)
  TEST_TOX_D(65, fcvt.l.d, rne, 0x43e0000000000000, I64_MAX, NV)  /* 2^63 */
  TEST_TOX_D(66, fcvt.l.d, rne, 0xc3e0000000000001, I64_MIN, NV)
  TEST_TOX_D(67, fcvt.l.d, rne, D_MAX, I64_MAX, NV)
  TEST_TOX_D(68, fcvt.l.d, rne, D_NINF, I64_MIN, NV)
  TEST_TOX_D(69, fcvt.l.d, rne, 0xfff8000000000000, I64_MAX, NV)
  TEST_TOX_D(70, fcvt.l.d, rdn, 0x8000000000000001, -1, NX)
  TEST_TOX_D(71, fcvt.l.d, rne, 0xc1e0000000200000, 0xffffffff7fffffff, 0)

  TEST_TOX_D(80, fcvt.lu.d, rne, 0x3ff8000000000000, 2, NX)
  TEST_TOX_D(81, fcvt.lu.d, rtz, 0x3ff8000000000000, 1, NX)
  TEST_TOX_D(82, fcvt.lu.d, rne, 0x43e0000000000000, 0x8000000000000000, 0)
  TEST_TOX_D(83, fcvt.lu.d, rne, 0x43efffffffffffff, 0xfffffffffffff800, 0)
  TEST_TOX_D(84, fcvt.lu.d, rne, 0x43f0000000000000, ALL1, NV)   /* 2^64 */
  TEST_TOX_D(85, fcvt.lu.d, rne, 0xbff0000000000000, 0, NV)
  TEST_TOX_D(86, fcvt.lu.d, rtz, 0xbfe0000000000000, 0, NX)
  TEST_TOX_D(87, fcvt.lu.d, rne, D_SNAN, ALL1, NV)
  TEST_TOX_D(88, fcvt.lu.d, rne, D_NINF, 0, NV)
  TEST_TOX_D(89, fcvt.lu.d, rne, D_INF, ALL1, NV)
  j pass

FP_END
