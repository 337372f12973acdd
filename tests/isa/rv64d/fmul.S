/* fmul.d: exact products, rounding in every mode, signed zeros, overflow,
 * gradual underflow (tininess after rounding), invalid inf * 0, NaNs.
 * Mutant: fmul.d. */
#include "../rv64f/fp_macros.h"

#define P1 0x3ff0000000000001 /* 1 + 2^-52 */

FP_BEGIN
  TEST_RR_D(2, fmul.d, rne, 0x4004000000000000, 0x4010000000000000, 0x4024000000000000, 0)
  TEST_RR_D(3, fmul.d, rne, 0x3ff8000000000000, 0x3ff8000000000000, 0x4002000000000000, 0)
  TEST_RR_D(4, fmul.d, rne, 0xc000000000000000, 0x4008000000000000, 0xc018000000000000, 0)
  /* (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104. */
  TEST_RR_D(5, fmul.d, rne, P1, P1, 0x3ff0000000000002, NX)
  TEST_RR_D(6, fmul.d, rtz, P1, P1, 0x3ff0000000000002, NX)
  TEST_RR_D(7, fmul.d, rdn, P1, P1, 0x3ff0000000000002, NX)
  TEST_RR_D(8, fmul.d, rup, P1, P1, 0x3ff0000000000003, NX)
  TEST_RR_D(9, fmul.d, rmm, P1, P1, 0x3ff0000000000002, NX)
  TEST_RR_D(10, fmul.d, rdn, 0xbff0000000000001, P1, 0xbff0000000000003, NX)
  TEST_RR_D(11, fmul.d, rup, 0xbff0000000000001, P1, 0xbff0000000000002, NX)
  /* 3 * 0x3fd5555555555555 (1/3 rounded down by 2^-54 / 3) = 1 - 2^-54:
     a tie between 1 - 2^-53 (odd) and 1. */
  TEST_RR_D(12, fmul.d, rne, 0x3fd5555555555555, 0x4008000000000000, D_ONE, NX)
  TEST_RR_D(13, fmul.d, rtz, 0x3fd5555555555555, 0x4008000000000000, 0x3fefffffffffffff, NX)
  TEST_RR_D(14, fmul.d, rmm, 0x3fd5555555555555, 0x4008000000000000, D_ONE, NX)
  /* Signed zeros. */
  TEST_RR_D(15, fmul.d, rne, 0xbff0000000000000, 0, D_NEG, 0)
  TEST_RR_D(16, fmul.d, rne, D_NEG, D_NEG, 0, 0)
  /* Overflow. */
  TEST_RR_D(17, fmul.d, rne, D_MAX, D_TWO, D_INF, OF | NX)
  TEST_RR_D(18, fmul.d, rdn, D_MAX, D_TWO, D_MAX, OF | NX)
  TEST_RR_D(19, fmul.d, rdn, 0xffefffffffffffff, D_TWO, D_NINF, OF | NX)
  TEST_RR_D(20, fmul.d, rtz, 0xffefffffffffffff, D_TWO, 0xffefffffffffffff, OF | NX)
  TEST_RR_D(21, fmul.d, rmm, 0xffefffffffffffff, D_TWO, D_NINF, OF | NX)
  /* Underflow. */
  TEST_RR_D(22, fmul.d, rne, D_MINNORM, D_HALF, 0x0008000000000000, 0)
  TEST_RR_D(23, fmul.d, rne, 1, D_HALF, 0, UF | NX)
  TEST_RR_D(24, fmul.d, rtz, 1, D_HALF, 0, UF | NX)
  TEST_RR_D(25, fmul.d, rdn, 1, D_HALF, 0, UF | NX)
  TEST_RR_D(26, fmul.d, rup, 1, D_HALF, 1, UF | NX)
  TEST_RR_D(27, fmul.d, rmm, 1, D_HALF, 1, UF | NX)
  TEST_RR_D(28, fmul.d, rdn, 0x8000000000000001, D_HALF, 0x8000000000000001, UF | NX)
  TEST_RR_D(29, fmul.d, rne, 0x8000000000000001, D_HALF, D_NEG, UF | NX)
  TEST_RR_D(30, fmul.d, rne, 3, D_HALF, 2, UF | NX)
  TEST_RR_D(31, fmul.d, rtz, 3, D_HALF, 1, UF | NX)
  TEST_RR_D(32, fmul.d, rmm, 3, D_HALF, 2, UF | NX)
  /* (1 - 2^-53) 2^-1022: tiny (exact at 53 bits), rounds to 2^-1022. */
  TEST_RR_D(33, fmul.d, rne, 0x3fefffffffffffff, D_MINNORM, D_MINNORM, UF | NX)
  TEST_RR_D(34, fmul.d, rtz, 0x3fefffffffffffff, D_MINNORM, 0x000fffffffffffff, UF | NX)
  /* 3 * 2^-1074 * 2^52 = 1.5 * 2^-1021, exact. */
  TEST_RR_D(35, fmul.d, rne, 3, 0x4330000000000000, 0x0028000000000000, 0)
  /* 2^-538 * 2^-537 = 2^-1075. */
  TEST_RR_D(36, fmul.d, rne, 0x1e50000000000000, 0x1e60000000000000, 0, UF | NX)
  TEST_RR_D(37, fmul.d, rup, 0x1e50000000000000, 0x1e60000000000000, 1, UF | NX)
  /* Infinities and NaNs. */
  TEST_RR_D(38, fmul.d, rne, D_INF, 0, D_QNAN, NV)
  TEST_RR_D(39, fmul.d, rne, D_NEG, D_NINF, D_QNAN, NV)
  TEST_RR_D(40, fmul.d, rne, D_NINF, D_TWO, D_NINF, 0)
  TEST_RR_D(41, fmul.d, rne, D_NINF, 0x8000000000000001, D_INF, 0)
  TEST_RR_D(42, fmul.d, rne, D_QNAN, 0, D_QNAN, 0)
  TEST_RR_D(43, fmul.d, rne, D_SNAN, D_ONE, D_QNAN, NV)
  TEST_RR_D(44, fmul.d, rne, D_ONE, 0xffffffffffffffff, D_QNAN, 0)
  j pass

FP_END
