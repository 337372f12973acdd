/* RV64I immediate shifts slli, srli, srai with 6-bit shift amounts 0, 1,
 * 4, 32, 62 and 63: logical shifts fill with zeros, srai with copies of
 * bit 63.
 * Mutant: srli. */
#include "macros.h"

ISA_BEGIN
  li s0, 0x8000000000000001
  li s1, 0x0123456789abcdef
  li s2, 0x7fffffffffffffff
  li s3, -1

  slli a0, s0, 0
  CHECK_D(2, a0, 0x8000000000000001)
  slli a0, s0, 1              /* bit 63 shifted out */
  CHECK_D(3, a0, 0x2)
  slli a0, s0, 63
  CHECK_D(4, a0, 0x8000000000000000)
  slli a0, s1, 4
  CHECK_D(5, a0, 0x123456789abcdef0)
  slli a0, s1, 32
  CHECK_D(6, a0, 0x89abcdef00000000)

  srli a0, s0, 0
  CHECK_D(7, a0, 0x8000000000000001)
  srli a0, s0, 1
  CHECK_D(8, a0, 0x4000000000000000)
  srli a0, s0, 63
  CHECK_D(9, a0, 1)
  srli a0, s0, 32             /* no sign extension from bit 31 */
  CHECK_D(10, a0, 0x80000000)
  srli a0, s1, 4
  CHECK_D(11, a0, 0x00123456789abcde)
  srli a0, s3, 63
  CHECK_D(12, a0, 1)

  srai a0, s0, 0
  CHECK_D(13, a0, 0x8000000000000001)
  srai a0, s0, 1
  CHECK_D(14, a0, 0xc000000000000000)
  srai a0, s0, 63
  CHECK_D(15, a0, 0xffffffffffffffff)
  srai a0, s0, 32
  CHECK_D(16, a0, 0xffffffff80000000)
  srai a0, s1, 4              /* positive: fills with zeros */
  CHECK_D(17, a0, 0x00123456789abcde)
  srai a0, s1, 63
  CHECK_D(18, a0, 0)
  srai a0, s2, 62
  CHECK_D(19, a0, 1)

  mv a1, s1
  srli a1, a1, 8              /* rd = rs1 */
  CHECK_D(20, a1, 0x000123456789abcd)
  slli x0, s1, 3
  CHECK_D(21, x0, 0)
  beq x0, x0, pass
ISA_END
