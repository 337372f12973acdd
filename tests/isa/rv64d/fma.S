/* fmadd.d, fmsub.d, fnmsub.d, fnmadd.d: a*b+c, a*b-c, -(a*b)+c and
 * -(a*b)-c with a single rounding; rounding modes, zero signs, overflow,
 * underflow, invalid cases including inf * 0 + qNaN.
 * Mutants: fmadd.d, fmsub.d, fnmsub.d, fnmadd.d. */
#include "../rv64f/fp_macros.h"

#define P1 0x3ff0000000000001 /* 1 + 2^-52 */
#define M1 0x3fefffffffffffff /* 1 - 2^-53 */
#define THREE 0x4008000000000000

FP_BEGIN
  TEST_RRR_D(2, fmadd.d, rne, D_TWO, THREE, D_ONE, 0x401c000000000000, 0)
  TEST_RRR_D(3, fmsub.d, rne, D_TWO, THREE, D_ONE, 0x4014000000000000, 0)
  TEST_RRR_D(4, fnmsub.d, rne, D_TWO, THREE, D_ONE, 0xc014000000000000, 0)
  TEST_RRR_D(5, fnmadd.d, rne, D_TWO, THREE, D_ONE, 0xc01c000000000000, 0)
  /* p = (1 + 2^-52)(1 - 2^-53) = 1 + 2^-53 - 2^-105, which a separate
     multiply would round to 1. p - 1 = 2^-54 (2 - 2^-51) exactly. */
  TEST_RRR_D(6, fmadd.d, rne, P1, M1, 0xbff0000000000000, 0x3c9ffffffffffffe, 0)
  TEST_RRR_D(7, fmsub.d, rne, P1, M1, D_ONE, 0x3c9ffffffffffffe, 0)
  TEST_RRR_D(8, fnmsub.d, rne, P1, M1, D_ONE, 0xbc9ffffffffffffe, 0)
  TEST_RRR_D(9, fnmadd.d, rne, P1, M1, 0xbff0000000000000, 0xbc9ffffffffffffe, 0)
  /* (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104. */
  TEST_RRR_D(10, fmadd.d, rne, P1, 0x3feffffffffffffe, 0xbff0000000000000, 0xb970000000000000, 0)
  /* 1 * 1 + 2^-53 in every mode. */
  TEST_RRR_D(11, fmadd.d, rne, D_ONE, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RRR_D(12, fmadd.d, rtz, D_ONE, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RRR_D(13, fmadd.d, rdn, D_ONE, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RRR_D(14, fmadd.d, rup, D_ONE, D_ONE, 0x3ca0000000000000, P1, NX)
  TEST_RRR_D(15, fmadd.d, rmm, D_ONE, D_ONE, 0x3ca0000000000000, P1, NX)
  TEST_RRR_D(16, fnmadd.d, rne, D_ONE, D_ONE, 0x3ca0000000000000, 0xbff0000000000000, NX)
  TEST_RRR_D(17, fnmadd.d, rdn, D_ONE, D_ONE, 0x3ca0000000000000, 0xbff0000000000001, NX)
  TEST_RRR_D(18, fnmadd.d, rup, D_ONE, D_ONE, 0x3ca0000000000000, 0xbff0000000000000, NX)
  TEST_RRR_D(19, fnmadd.d, rmm, D_ONE, D_ONE, 0x3ca0000000000000, 0xbff0000000000001, NX)
  /* A tiny addend only sticks. */
  TEST_RRR_D(20, fmadd.d, rdn, D_ONE, D_ONE, 0x8000000000000001, M1, NX)
  TEST_RRR_D(21, fmadd.d, rmm, D_ONE, D_ONE, 0x8000000000000001, D_ONE, NX)
  TEST_RRR_D(22, fmsub.d, rtz, D_ONE, D_ONE, 1, M1, NX)
  /* A tiny product only sticks. */
  TEST_RRR_D(23, fmadd.d, rup, 1, 1, D_ONE, P1, NX)
  TEST_RRR_D(24, fnmsub.d, rtz, 1, 1, D_ONE, M1, NX)
  /* Overflow only if the exact result overflows. */
  TEST_RRR_D(25, fmsub.d, rne, D_MAX, D_TWO, D_MAX, D_MAX, 0)
  TEST_RRR_D(26, fmadd.d, rne, D_MAX, D_TWO, D_MAX, D_INF, OF | NX)
  TEST_RRR_D(27, fmadd.d, rtz, D_MAX, D_TWO, D_MAX, D_MAX, OF | NX)
  TEST_RRR_D(28, fnmadd.d, rne, D_MAX, D_TWO, D_MAX, D_NINF, OF | NX)
  /* Underflow of the product 2^-1075. */
  TEST_RRR_D(29, fmadd.d, rne, 1, D_HALF, D_NEG, 0, UF | NX)
  TEST_RRR_D(30, fmadd.d, rup, 1, D_HALF, D_NEG, 1, UF | NX)
  /* Exact zeros. */
  TEST_RRR_D(31, fmadd.d, rne, 0, D_ONE, D_NEG, 0, 0)
  TEST_RRR_D(32, fmadd.d, rdn, 0, D_ONE, D_NEG, D_NEG, 0)
  TEST_RRR_D(33, fmadd.d, rne, D_NEG, D_ONE, D_NEG, D_NEG, 0)
  TEST_RRR_D(34, fnmadd.d, rne, 0, D_ONE, 0, D_NEG, 0)
  TEST_RRR_D(35, fmsub.d, rne, D_ONE, D_ONE, D_ONE, 0, 0)
  TEST_RRR_D(36, fmsub.d, rdn, D_ONE, D_ONE, D_ONE, D_NEG, 0)
  TEST_RRR_D(37, fnmsub.d, rne, D_ONE, D_ONE, D_ONE, 0, 0)
  TEST_RRR_D(38, fnmsub.d, rdn, D_ONE, D_ONE, D_ONE, D_NEG, 0)
  TEST_RRR_D(39, fmadd.d, rne, 0, 0x4014000000000000, THREE, THREE, 0)
  /* Invalid: inf * 0, even with a quiet NaN addend. */
  TEST_RRR_D(40, fmadd.d, rne, D_INF, 0, D_QNAN, D_QNAN, NV)
  TEST_RRR_D(41, fnmadd.d, rne, D_NEG, D_NINF, 0x7ff8000000012345, D_QNAN, NV)
  TEST_RRR_D(42, fmadd.d, rne, 0, D_INF, D_ONE, D_QNAN, NV)
  TEST_RRR_D(43, fmadd.d, rne, D_ONE, D_ONE, D_QNAN, D_QNAN, 0)
  TEST_RRR_D(44, fmadd.d, rne, D_ONE, D_ONE, D_SNAN, D_QNAN, NV)
  TEST_RRR_D(45, fmsub.d, rne, D_QNAN, 0, D_ONE, D_QNAN, 0)
  TEST_RRR_D(46, fnmsub.d, rne, D_ONE, D_SNAN, D_ONE, D_QNAN, NV)
  TEST_RRR_D(47, fmadd.d, rne, D_INF, D_ONE, D_NINF, D_QNAN, NV)
  TEST_RRR_D(48, fmsub.d, rne, D_INF, D_ONE, D_INF, D_QNAN, NV)
  TEST_RRR_D(49, fnmsub.d, rne, D_INF, D_ONE, D_INF, D_QNAN, NV)
  TEST_RRR_D(50, fnmadd.d, rne, D_INF, D_ONE, D_INF, D_NINF, 0)
  TEST_RRR_D(51, fmadd.d, rne, D_MAX, D_TWO, D_NINF, D_NINF, 0)
  TEST_RRR_D(52, fnmsub.d, rne, D_ONE, D_ONE, D_INF, D_INF, 0)
  j pass

FP_END
