/* fmadd.s, fmsub.s, fnmsub.s, fnmadd.s: a*b+c, a*b-c, -(a*b)+c and
 * -(a*b)-c with a single rounding; rounding modes, zero signs, overflow,
 * underflow, and the invalid cases, including inf * 0 + qNaN, which
 * RISC-V requires to raise NV.
 * Mutants: fmadd.s, fmsub.s, fnmsub.s, fnmadd.s. */
#include "fp_macros.h"

FP_BEGIN
  /* 2 * 3 + 1 in the four sign variants: 7, 5, -5, -7. */
  TEST_RRR_S(2, fmadd.s, rne, S_TWO, 0x40400000, S_ONE, 0x40e00000, 0)
  TEST_RRR_S(3, fmsub.s, rne, S_TWO, 0x40400000, S_ONE, 0x40a00000, 0)
  TEST_RRR_S(4, fnmsub.s, rne, S_TWO, 0x40400000, S_ONE, 0xc0a00000, 0)
  TEST_RRR_S(5, fnmadd.s, rne, S_TWO, 0x40400000, S_ONE, 0xc0e00000, 0)
  /* One rounding only: p = (1 + 2^-23)(1 - 2^-23) = 1 - 2^-46, which a
     separate multiply would round to 1. p - 1 = -2^-46 exactly. */
  TEST_RRR_S(6, fmadd.s, rne, 0x3f800001, 0x3f7ffffe, 0xbf800000, 0xa8800000, 0)
  TEST_RRR_S(7, fmsub.s, rne, 0x3f800001, 0x3f7ffffe, S_ONE, 0xa8800000, 0)
  TEST_RRR_S(8, fnmsub.s, rne, 0x3f800001, 0x3f7ffffe, S_ONE, 0x28800000, 0)
  TEST_RRR_S(9, fnmadd.s, rne, 0x3f800001, 0x3f7ffffe, 0xbf800000, 0x28800000, 0)
  /* 1 * 1 + 2^-24: the tie of fadd in every mode. */
  TEST_RRR_S(10, fmadd.s, rne, S_ONE, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RRR_S(11, fmadd.s, rtz, S_ONE, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RRR_S(12, fmadd.s, rdn, S_ONE, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RRR_S(13, fmadd.s, rup, S_ONE, S_ONE, 0x33800000, 0x3f800001, NX)
  TEST_RRR_S(14, fmadd.s, rmm, S_ONE, S_ONE, 0x33800000, 0x3f800001, NX)
  /* -(1 * 1) - 2^-24 = -(1 + 2^-24). */
  TEST_RRR_S(15, fnmadd.s, rne, S_ONE, S_ONE, 0x33800000, 0xbf800000, NX)
  TEST_RRR_S(16, fnmadd.s, rdn, S_ONE, S_ONE, 0x33800000, 0xbf800001, NX)
  TEST_RRR_S(17, fnmadd.s, rup, S_ONE, S_ONE, 0x33800000, 0xbf800000, NX)
  TEST_RRR_S(18, fnmadd.s, rmm, S_ONE, S_ONE, 0x33800000, 0xbf800001, NX)
  /* 1*1 - 2^-149: the tiny addend only makes it inexact. */
  TEST_RRR_S(19, fmadd.s, rdn, S_ONE, S_ONE, 0x80000001, 0x3f7fffff, NX)
  TEST_RRR_S(20, fmadd.s, rmm, S_ONE, S_ONE, 0x80000001, 0x3f800000, NX)
  TEST_RRR_S(21, fmsub.s, rtz, S_ONE, S_ONE, 0x00000001, 0x3f7fffff, NX)
  /* 2 * max - max = max: the product is not rounded (no overflow). */
  TEST_RRR_S(22, fmsub.s, rne, S_MAX, S_TWO, S_MAX, S_MAX, 0)
  TEST_RRR_S(23, fmadd.s, rne, S_MAX, S_TWO, S_MAX, S_INF, OF | NX)
  TEST_RRR_S(24, fmadd.s, rtz, S_MAX, S_TWO, S_MAX, S_MAX, OF | NX)
  TEST_RRR_S(25, fnmadd.s, rne, S_MAX, S_TWO, S_MAX, S_NINF, OF | NX)
  /* 2^-149 * 0.5 + (-0): the product 2^-150 underflows. */
  TEST_RRR_S(26, fmadd.s, rne, 0x00000001, S_HALF, 0x80000000, 0x00000000, UF | NX)
  TEST_RRR_S(27, fmadd.s, rup, 0x00000001, S_HALF, 0x80000000, 0x00000001, UF | NX)
  /* Exact zeros: (+0) + (-0) = +0 except in RDN; equal signs are kept. */
  TEST_RRR_S(28, fmadd.s, rne, 0x00000000, S_ONE, 0x80000000, 0x00000000, 0)
  TEST_RRR_S(29, fmadd.s, rdn, 0x00000000, S_ONE, 0x80000000, 0x80000000, 0)
  TEST_RRR_S(30, fmadd.s, rne, 0x80000000, S_ONE, 0x80000000, 0x80000000, 0)
  TEST_RRR_S(31, fnmadd.s, rne, 0x00000000, S_ONE, 0x00000000, 0x80000000, 0)
  TEST_RRR_S(32, fmsub.s, rne, S_ONE, S_ONE, S_ONE, 0x00000000, 0)
  TEST_RRR_S(33, fmsub.s, rdn, S_ONE, S_ONE, S_ONE, 0x80000000, 0)
  TEST_RRR_S(34, fnmsub.s, rne, S_ONE, S_ONE, S_ONE, 0x00000000, 0)
  TEST_RRR_S(35, fnmsub.s, rdn, S_ONE, S_ONE, S_ONE, 0x80000000, 0)
  TEST_RRR_S(36, fmadd.s, rne, 0x00000000, 0x40a00000, 0x40400000, 0x40400000, 0)
  /* Invalid: inf * 0, even with a quiet NaN addend. */
  TEST_RRR_S(37, fmadd.s, rne, S_INF, 0x00000000, S_QNAN, S_QNAN, NV)
  TEST_RRR_S(38, fnmadd.s, rne, 0x80000000, S_NINF, 0x7fc12345, S_QNAN, NV)
  TEST_RRR_S(39, fmadd.s, rne, 0x00000000, S_INF, S_ONE, S_QNAN, NV)
  /* NaN operands otherwise: NV only for signaling NaNs. */
  TEST_RRR_S(40, fmadd.s, rne, S_ONE, S_ONE, S_QNAN, S_QNAN, 0)
  TEST_RRR_S(41, fmadd.s, rne, S_ONE, S_ONE, S_SNAN, S_QNAN, NV)
  TEST_RRR_S(42, fmsub.s, rne, S_QNAN, 0x00000000, S_ONE, S_QNAN, 0)
  TEST_RRR_S(43, fnmsub.s, rne, S_ONE, S_SNAN, S_ONE, S_QNAN, NV)
  /* Infinite product against an infinite addend. */
  TEST_RRR_S(44, fmadd.s, rne, S_INF, S_ONE, S_NINF, S_QNAN, NV)
  TEST_RRR_S(45, fmsub.s, rne, S_INF, S_ONE, S_INF, S_QNAN, NV)
  TEST_RRR_S(46, fnmsub.s, rne, S_INF, S_ONE, S_INF, S_QNAN, NV)
  TEST_RRR_S(47, fnmadd.s, rne, S_INF, S_ONE, S_INF, S_NINF, 0)
  TEST_RRR_S(48, fmadd.s, rne, S_MAX, S_TWO, S_NINF, S_NINF, 0)
  TEST_RRR_S(49, fnmsub.s, rne, S_ONE, S_ONE, S_INF, S_INF, 0)
  j pass

FP_END
