/* fsqrt.s: exact roots, rounding of sqrt(2) and sqrt(3), subnormal
 * operands, sqrt(-0) = -0, invalid negative operands, NaNs.
 * Mutant: fsqrt.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_R_S(2, fsqrt.s, rne, 0x40800000, S_TWO, 0)       /* sqrt 4 = 2 */
  TEST_R_S(3, fsqrt.s, rne, 0x3e800000, S_HALF, 0)      /* sqrt 1/4 = 1/2 */
  TEST_R_S(4, fsqrt.s, rne, 0x42c80000, 0x41200000, 0)  /* sqrt 100 = 10 */
  /* sqrt 2 = 1.0110 1010 0000 1001 1110 0110 0110 0111 1111 ...b: the
     24-bit significand is 0xb504f3 and the next bits are 0011...: below
     the halfway point. */
  TEST_R_S(5, fsqrt.s, rne, S_TWO, 0x3fb504f3, NX)
  TEST_R_S(6, fsqrt.s, rtz, S_TWO, 0x3fb504f3, NX)
  TEST_R_S(7, fsqrt.s, rdn, S_TWO, 0x3fb504f3, NX)
  TEST_R_S(8, fsqrt.s, rup, S_TWO, 0x3fb504f4, NX)
  TEST_R_S(9, fsqrt.s, rmm, S_TWO, 0x3fb504f3, NX)
  /* sqrt 3 = 1.1011 1011 0110 0111 1010 1110 1000 0101 1000 ...b: the
     significand 0xddb3d7 is followed by 0100...: rounds down except RUP. */
  TEST_R_S(10, fsqrt.s, rne, 0x40400000, 0x3fddb3d7, NX)
  TEST_R_S(11, fsqrt.s, rup, 0x40400000, 0x3fddb3d8, NX)
  /* Subnormal operands: sqrt(2^-148) = 2^-74; sqrt(2^-149) = 2^-75 sqrt 2. */
  TEST_R_S(12, fsqrt.s, rne, 0x00000002, 0x1a800000, 0)
  TEST_R_S(13, fsqrt.s, rne, 0x00000001, 0x1a3504f3, NX)
  /* Zeros, infinities, negatives, NaNs. */
  TEST_R_S(14, fsqrt.s, rne, 0x80000000, 0x80000000, 0)
  TEST_R_S(15, fsqrt.s, rne, 0x00000000, 0x00000000, 0)
  TEST_R_S(16, fsqrt.s, rne, S_INF, S_INF, 0)
  TEST_R_S(17, fsqrt.s, rne, S_NINF, S_QNAN, NV)
  TEST_R_S(18, fsqrt.s, rne, 0xbf800000, S_QNAN, NV)
  TEST_R_S(19, fsqrt.s, rne, 0x80000001, S_QNAN, NV)
  TEST_R_S(20, fsqrt.s, rne, S_SNAN, S_QNAN, NV)
  TEST_R_S(21, fsqrt.s, rne, 0xffc00000, S_QNAN, 0)
  /* The largest finite value: sqrt(max) = 2^64 (1 - 2^-24)^(1/2) rounds to
     0x5f7fffff (RNE) / 0x5f800000 (RUP). */
  TEST_R_S(22, fsqrt.s, rne, S_MAX, 0x5f7fffff, NX)
  TEST_R_S(23, fsqrt.s, rup, S_MAX, 0x5f800000, NX)
  j pass

FP_END
