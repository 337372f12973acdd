/* fcvt.d.w, fcvt.d.wu (always exact; only the low 32 bits of rs1 count),
 * fcvt.d.l, fcvt.d.lu (rounding of integers wider than 53 bits in every
 * mode, ties at 2^53 + 1, the limits).
 * Mutants: fcvt.d.w, fcvt.d.wu, fcvt.d.l, fcvt.d.lu. */
#include "../rv64f/fp_macros.h"

/* fd = insn(integer x) for the exact conversions, which the assembler
   writes without a rounding mode (rm = 000). */
#define TEST_FROMX_EXACT_D(n, insn, x, res) \
  li a0, x; insn fa2, a0; CHECK_F(n, fa2, res, 0)

FP_BEGIN
  TEST_FROMX_EXACT_D(2, fcvt.d.w, 0, 0)
  TEST_FROMX_EXACT_D(3, fcvt.d.w, -5, 0xc014000000000000)
  TEST_FROMX_EXACT_D(4, fcvt.d.w, 1, D_ONE)
  TEST_FROMX_EXACT_D(5, fcvt.d.w, -1, 0xbff0000000000000)
  TEST_FROMX_EXACT_D(6, fcvt.d.w, 3, 0x4008000000000000)
  TEST_FROMX_EXACT_D(7, fcvt.d.w, -2147483648, 0xc1e0000000000000)
  TEST_FROMX_EXACT_D(8, fcvt.d.w, 2147483647, 0x41dfffffffc00000)
  TEST_FROMX_EXACT_D(9, fcvt.d.w, 0x0000000100000001, D_ONE)
  TEST_FROMX_EXACT_D(10, fcvt.d.w, 0x00000000ffffffff, 0xbff0000000000000)

  TEST_FROMX_EXACT_D(20, fcvt.d.wu, 0xffffffff, 0x41efffffffe00000)
  TEST_FROMX_EXACT_D(21, fcvt.d.wu, 0x80000000, 0x41e0000000000000)
  TEST_FROMX_EXACT_D(22, fcvt.d.wu, 0xffffffff80000000, 0x41e0000000000000)
  TEST_FROMX_EXACT_D(23, fcvt.d.wu, 0, 0)

  /* 2^53 + 1: a tie between 2^53 (even) and 2^53 + 2. */
  TEST_FROMX_D(30, fcvt.d.l, rne, 0x0020000000000001, 0x4340000000000000, NX)
  TEST_FROMX_D(31, fcvt.d.l, rtz, 0x0020000000000001, 0x4340000000000000, NX)
  TEST_FROMX_D(32, fcvt.d.l, rdn, 0x0020000000000001, 0x4340000000000000, NX)
  TEST_FROMX_D(33, fcvt.d.l, rup, 0x0020000000000001, 0x4340000000000001, NX)
  TEST_FROMX_D(34, fcvt.d.l, rmm, 0x0020000000000001, 0x4340000000000001, NX)
  TEST_FROMX_D(35, fcvt.d.l, rne, 0xffdfffffffffffff, 0xc340000000000000, NX)
  TEST_FROMX_D(36, fcvt.d.l, rdn, 0xffdfffffffffffff, 0xc340000000000001, NX)
  TEST_FROMX_D(37, fcvt.d.l, rmm, 0xffdfffffffffffff, 0xc340000000000001, NX)
  /* 2^53 + 3: between 2^53 + 2 (odd significand) and 2^53 + 4. */
  TEST_FROMX_D(38, fcvt.d.l, rne, 0x0020000000000003, 0x4340000000000002, NX)
  TEST_FROMX_D(39, fcvt.d.l, rtz, 0x0020000000000003, 0x4340000000000001, NX)
  TEST_FROMX_D(40, fcvt.d.l, rne, 0x8000000000000000, 0xc3e0000000000000, 0)
  TEST_FROMX_D(41, fcvt.d.l, rne, 0x7fffffffffffffff, 0x43e0000000000000, NX)
  TEST_FROMX_D(42, fcvt.d.l, rtz, 0x7fffffffffffffff, 0x43dfffffffffffff, NX)
  TEST_FROMX_D(43, fcvt.d.l, rne, -1, 0xbff0000000000000, 0)
  TEST_FROMX_D(44, fcvt.d.l, rne, 0x0000000100000001, 0x41f0000000100000, 0)

  TEST_FROMX_D(50, fcvt.d.lu, rne, 0xffffffffffffffff, 0x43f0000000000000, NX)
  TEST_FROMX_D(51, fcvt.d.lu, rtz, 0xffffffffffffffff, 0x43efffffffffffff, NX)
  TEST_FROMX_D(52, fcvt.d.lu, rdn, 0xffffffffffffffff, 0x43efffffffffffff, NX)
  TEST_FROMX_D(53, fcvt.d.lu, rup, 0xffffffffffffffff, 0x43f0000000000000, NX)
  TEST_FROMX_D(54, fcvt.d.lu, rmm, 0xffffffffffffffff, 0x43f0000000000000, NX)
  TEST_FROMX_D(55, fcvt.d.lu, rne, 0x8000000000000000, 0x43e0000000000000, 0)
  TEST_FROMX_D(56, fcvt.d.lu, rne, 1, D_ONE, 0)
  TEST_FROMX_D(57, fcvt.d.lu, rdn, 0, 0, 0)
  /* 2^63 + 2^10 + 1: above the tie between 2^63 and 2^63 + 2^11. */
  TEST_FROMX_D(58, fcvt.d.lu, rne, 0x8000000000000401, 0x43e0000000000001, NX)
  TEST_FROMX_D(59, fcvt.d.lu, rtz, 0x8000000000000401, 0x43e0000000000000, NX)
  j pass

FP_END
