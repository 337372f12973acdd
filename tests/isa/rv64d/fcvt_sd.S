/* fcvt.d.s (exact; NaN -> canonical, NV for a signaling NaN; the operand
 * must be NaN-boxed) and fcvt.s.d (rounding in every mode, overflow,
 * underflow with tininess detected after rounding, NaN-boxed result).
 * Mutants: fcvt.d.s, fcvt.s.d. */
#include "../rv64f/fp_macros.h"

/* fd = fcvt.d.s(a) */
#define TEST_S2D(n, a, res, flags) \
  LOAD_S(fa0, a); fcvt.d.s fa2, fa0; CHECK_F(n, fa2, res, flags)
/* fd = fcvt.s.d(a) with rounding mode rm */
#define TEST_D2S(n, rm, a, res, flags) \
  LOAD_D(fa0, a); fcvt.s.d fa2, fa0, rm; CHECK_FS(n, fa2, res, flags)

#define THIRD 0x3fd5555555555555

FP_BEGIN
  TEST_S2D(2, S_ONE, D_ONE, 0)
  TEST_S2D(3, 0x80000000, D_NEG, 0)
  TEST_S2D(4, S_NINF, D_NINF, 0)
  TEST_S2D(5, 0x00000001, 0x36a0000000000000, 0)   /* 2^-149 is a normal double */
  TEST_S2D(6, 0x007fffff, 0x380fffffc0000000, 0)
  TEST_S2D(7, S_MAX, 0x47efffffe0000000, 0)
  TEST_S2D(8, 0x3dcccccd, 0x3fb99999a0000000, 0)
  TEST_S2D(9, S_SNAN, D_QNAN, NV)
  TEST_S2D(10, 0xffc00001, D_QNAN, 0)
  li t0, 0x000000003f800000   /* not NaN-boxed: the canonical NaN */
  fmv.d.x fa0, t0
  fcvt.d.s fa2, fa0
  CHECK_F(11, fa2, D_QNAN, 0)

  /* 1/3 (double) to single in every mode: the double's bits beyond the
     24th are 0101..., 2/3 of a single ulp. */
  TEST_D2S(20, rne, THIRD, 0x3eaaaaab, NX)
  TEST_D2S(21, rtz, THIRD, 0x3eaaaaaa, NX)
  TEST_D2S(22, rdn, THIRD, 0x3eaaaaaa, NX)
  TEST_D2S(23, rup, THIRD, 0x3eaaaaab, NX)
  TEST_D2S(24, rmm, THIRD, 0x3eaaaaab, NX)
  TEST_D2S(25, rne, 0x3fb999999999999a, 0x3dcccccd, NX)  /* 0.1 */
  TEST_D2S(26, rtz, 0x3fb999999999999a, 0x3dcccccc, NX)
  TEST_D2S(27, rne, D_ONE, S_ONE, 0)
  TEST_D2S(28, rne, 0x4202a05f20000000, 0x501502f9, 0)   /* 1e10 is exact */
  /* Overflow. */
  TEST_D2S(29, rne, D_MAX, S_INF, OF | NX)
  TEST_D2S(30, rtz, D_MAX, S_MAX, OF | NX)
  TEST_D2S(31, rdn, D_MAX, S_MAX, OF | NX)
  TEST_D2S(32, rup, D_MAX, S_INF, OF | NX)
  TEST_D2S(33, rmm, D_MAX, S_INF, OF | NX)
  TEST_D2S(34, rdn, 0xffefffffffffffff, S_NINF, OF | NX)
  TEST_D2S(35, rup, 0xffefffffffffffff, 0xff7fffff, OF | NX)
  /* Underflow: 2^-150 is a tie between 0 and 2^-149. */
  TEST_D2S(36, rne, 0x3690000000000000, 0x00000000, UF | NX)
  TEST_D2S(37, rmm, 0x3690000000000000, 0x00000001, UF | NX)
  TEST_D2S(38, rup, 1, 0x00000001, UF | NX)
  TEST_D2S(39, rne, 0x8000000000000001, 0x80000000, UF | NX)
  TEST_D2S(40, rne, 0x36a0000000000000, 0x00000001, 0)   /* exact subnormal */
  /* (1 - 2^-25) 2^-126 already rounds to 2^-126 at 24 bits with an
     unbounded exponent: not tiny, so NX without UF. RTZ keeps it below
     2^-126: tiny and inexact. */
  TEST_D2S(41, rne, 0x380ffffff0000000, S_MINNORM, NX)
  TEST_D2S(42, rup, 0x380ffffff0000000, S_MINNORM, NX)
  TEST_D2S(43, rtz, 0x380ffffff0000000, 0x007fffff, UF | NX)
  /* (1 - 2^-24) 2^-126 is exact at 24 bits, hence tiny, and rounds to
     2^-126 at subnormal precision (a tie, to even): UF and NX. */
  TEST_D2S(44, rne, 0x380fffffe0000000, S_MINNORM, UF | NX)
  /* Specials. */
  TEST_D2S(45, rne, D_SNAN, S_QNAN, NV)
  TEST_D2S(46, rne, 0xfff8000000000000, S_QNAN, 0)
  TEST_D2S(47, rne, D_NINF, S_NINF, 0)
  TEST_D2S(48, rne, D_NEG, 0x80000000, 0)
  j pass

FP_END
