/* RV64M division div, divu, rem, remu: quotients round toward zero, the
 * remainder takes the sign of the dividend; division by zero does not trap
 * and gives quotient all ones (-1 / 2^64-1) and remainder = dividend; the
 * signed overflow INT64_MIN / -1 gives quotient INT64_MIN, remainder 0
 * (RV64M spec, table of division special cases).
 * Mutant: divu. */
#include "../rv64i/macros.h"

ISA_BEGIN
  li s0, 20
  li s1, -20
  li s2, 6
  li s3, -6
  li s4, 0x8000000000000000   /* INT64_MIN */
  li s5, -1
  li s6, 0x0123456789abcdef
  li s7, 0xfedcba9876543210
  li s8, 0x7fffffffffffffff

  div a0, s0, s2
  CHECK_D(2, a0, 3)
  div a0, s1, s2
  CHECK_D(3, a0, 0xfffffffffffffffd)
  div a0, s0, s3
  CHECK_D(4, a0, 0xfffffffffffffffd)
  div a0, s1, s3
  CHECK_D(5, a0, 3)
  rem a0, s0, s2
  CHECK_D(6, a0, 2)
  rem a0, s1, s2
  CHECK_D(7, a0, 0xfffffffffffffffe)
  rem a0, s0, s3
  CHECK_D(8, a0, 2)
  rem a0, s1, s3
  CHECK_D(9, a0, 0xfffffffffffffffe)
  div a0, s7, s6
  CHECK_D(10, a0, 0xffffffffffffffff)
  rem a0, s7, s6
  CHECK_D(11, a0, 0xffffffffffffffff)
  li t1, 2
  div a0, s4, t1
  CHECK_D(12, a0, 0xc000000000000000)
  div a0, s8, s4
  CHECK_D(13, a0, 0)
  rem a0, s8, s4
  CHECK_D(14, a0, 0x7fffffffffffffff)

  divu a0, s0, s2
  CHECK_D(15, a0, 3)
  divu a0, s1, s2             /* (2^64-20) / 6 */
  CHECK_D(16, a0, 0x2aaaaaaaaaaaaaa7)
  remu a0, s0, s2
  CHECK_D(17, a0, 2)
  remu a0, s1, s2
  CHECK_D(18, a0, 2)
  divu a0, s7, s6
  CHECK_D(19, a0, 0xe0)
  remu a0, s7, s6
  CHECK_D(20, a0, 0xf0)
  li t1, 1
  divu a0, s5, t1
  CHECK_D(21, a0, 0xffffffffffffffff)

  /* division by zero */
  div a0, s6, x0
  CHECK_D(22, a0, 0xffffffffffffffff)
  divu a0, s6, x0
  CHECK_D(23, a0, 0xffffffffffffffff)
  rem a0, s6, x0
  CHECK_D(24, a0, 0x0123456789abcdef)
  remu a0, s6, x0
  CHECK_D(25, a0, 0x0123456789abcdef)
  li t1, -5
  rem a0, t1, x0
  CHECK_D(26, a0, 0xfffffffffffffffb)
  remu a0, t1, x0
  CHECK_D(27, a0, 0xfffffffffffffffb)
  div a0, x0, x0
  CHECK_D(28, a0, 0xffffffffffffffff)

  /* signed overflow */
  div a0, s4, s5
  CHECK_D(29, a0, 0x8000000000000000)
  rem a0, s4, s5
  CHECK_D(30, a0, 0)
  divu a0, s4, s5             /* unsigned: no overflow, 2^63 / (2^64-1) */
  CHECK_D(31, a0, 0)
  remu a0, s4, s5
  CHECK_D(32, a0, 0x8000000000000000)
  div a0, x0, s5
  CHECK_D(33, a0, 0)
  beq x0, x0, pass
ISA_END
