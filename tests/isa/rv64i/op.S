/* RV64I register-register operations add, sub, slt, sltu, xor, or, and:
 * 64-bit wrap-around without traps, signed against unsigned compares,
 * rd = rs1 = rs2, rd = x0.
 * Mutant: sub. */
#include "macros.h"

ISA_BEGIN
  li s0, 0x7fffffffffffffff   /* INT64_MAX */
  li s1, 0x8000000000000000   /* INT64_MIN */
  li s2, -1
  li s3, 0x0123456789abcdef
  li s4, 0xfedcba9876543210
  li s5, 5
  li s6, 1
  li s7, 0xff00ff00ff00ff00
  li s8, 0x0ff00ff00ff00ff0

  add a0, s0, s6
  CHECK_D(2, a0, 0x8000000000000000)
  add a0, s2, s2
  CHECK_D(3, a0, 0xfffffffffffffffe)
  addi t1, s4, 1
  add a0, s3, t1              /* carry out of bit 63 is dropped */
  CHECK_D(4, a0, 0)
  li t1, -7
  add a0, s5, t1
  CHECK_D(5, a0, 0xfffffffffffffffe)
  mv a0, s3
  add a0, a0, a0              /* rd = rs1 = rs2 */
  CHECK_D(6, a0, 0x02468acf13579bde)

  sub a0, x0, s6
  CHECK_D(7, a0, 0xffffffffffffffff)
  sub a0, s1, s6
  CHECK_D(8, a0, 0x7fffffffffffffff)
  sub a0, s5, s5
  CHECK_D(9, a0, 0)
  sub a0, s3, s4
  CHECK_D(10, a0, 0x02468acf13579bdf)
  sub a0, x0, s1              /* -INT64_MIN wraps to itself */
  CHECK_D(11, a0, 0x8000000000000000)
  sub a0, s4, s3
  CHECK_D(12, a0, 0xfdb97530eca86421)

  slt a0, s2, x0
  CHECK_D(13, a0, 1)
  slt a0, x0, s2
  CHECK_D(14, a0, 0)
  slt a0, s1, s0
  CHECK_D(15, a0, 1)
  slt a0, s0, s1
  CHECK_D(16, a0, 0)
  slt a0, s5, s5
  CHECK_D(17, a0, 0)

  sltu a0, x0, s2
  CHECK_D(18, a0, 1)
  sltu a0, s2, x0
  CHECK_D(19, a0, 0)
  sltu a0, s0, s1
  CHECK_D(20, a0, 1)
  sltu a0, x0, s5             /* snez */
  CHECK_D(21, a0, 1)
  sltu a0, s5, s5
  CHECK_D(22, a0, 0)

  xor a0, s7, s8
  CHECK_D(23, a0, 0xf0f0f0f0f0f0f0f0)
  xor a0, s3, s2
  CHECK_D(24, a0, 0xfedcba9876543210)
  xor a0, s3, s3
  CHECK_D(25, a0, 0)
  or a0, s7, s8
  CHECK_D(26, a0, 0xfff0fff0fff0fff0)
  or a0, x0, s3
  CHECK_D(27, a0, 0x0123456789abcdef)
  and a0, s7, s8
  CHECK_D(28, a0, 0x0f000f000f000f00)
  and a0, s3, x0
  CHECK_D(29, a0, 0)
  and a0, s3, s2
  CHECK_D(30, a0, 0x0123456789abcdef)

  add x0, s5, s5
  CHECK_D(31, x0, 0)
  beq x0, x0, pass
ISA_END
