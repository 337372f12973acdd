/* fsqrt.d: exact roots, rounding of sqrt 2 and sqrt 3, subnormal
 * operands, sqrt(-0) = -0, invalid negative operands, NaNs.
 * Mutant: fsqrt.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_R_D(2, fsqrt.d, rne, 0x4010000000000000, D_TWO, 0)
  TEST_R_D(3, fsqrt.d, rne, 0x3fd0000000000000, D_HALF, 0)
  TEST_R_D(4, fsqrt.d, rne, 0x4059000000000000, 0x4024000000000000, 0)  /* sqrt 100 */
  /* sqrt 2: the 53-bit significand 0x16a09e667f3bcc is followed by
     1001...: above the halfway point. */
  TEST_R_D(5, fsqrt.d, rne, D_TWO, 0x3ff6a09e667f3bcd, NX)
  TEST_R_D(6, fsqrt.d, rtz, D_TWO, 0x3ff6a09e667f3bcc, NX)
  TEST_R_D(7, fsqrt.d, rdn, D_TWO, 0x3ff6a09e667f3bcc, NX)
  TEST_R_D(8, fsqrt.d, rup, D_TWO, 0x3ff6a09e667f3bcd, NX)
  TEST_R_D(9, fsqrt.d, rmm, D_TWO, 0x3ff6a09e667f3bcd, NX)
  /* sqrt 3: 0x1bb67ae8584caa followed by 0111...: below it. */
  TEST_R_D(10, fsqrt.d, rne, 0x4008000000000000, 0x3ffbb67ae8584caa, NX)
  TEST_R_D(11, fsqrt.d, rup, 0x4008000000000000, 0x3ffbb67ae8584cab, NX)
  /* Subnormal operands: sqrt(2^-1072) = 2^-536, sqrt(2^-1073) = 2^-537 sqrt 2. */
  TEST_R_D(12, fsqrt.d, rne, 4, 0x1e70000000000000, 0)
  TEST_R_D(13, fsqrt.d, rne, 2, 0x1e66a09e667f3bcd, NX)
  TEST_R_D(14, fsqrt.d, rne, D_NEG, D_NEG, 0)
  TEST_R_D(15, fsqrt.d, rne, 0, 0, 0)
  TEST_R_D(16, fsqrt.d, rne, D_INF, D_INF, 0)
  TEST_R_D(17, fsqrt.d, rne, D_NINF, D_QNAN, NV)
  TEST_R_D(18, fsqrt.d, rne, 0xbff0000000000000, D_QNAN, NV)
  TEST_R_D(19, fsqrt.d, rne, 0x8000000000000001, D_QNAN, NV)
  TEST_R_D(20, fsqrt.d, rne, D_SNAN, D_QNAN, NV)
  TEST_R_D(21, fsqrt.d, rne, 0xfff8000000000000, D_QNAN, 0)
  /* sqrt(max) = 2^512 (1 - 2^-53)^(1/2): 53 ones followed by 0111... */
  TEST_R_D(22, fsqrt.d, rne, D_MAX, 0x5fefffffffffffff, NX)
  TEST_R_D(23, fsqrt.d, rup, D_MAX, 0x5ff0000000000000, NX)
  j pass

FP_END
