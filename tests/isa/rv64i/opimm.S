/* RV64I register-immediate operations addi, slti, sltiu, xori, ori, andi:
 * the 12-bit immediate is sign-extended to 64 bits before use (also for
 * sltiu, which then compares unsigned), wrap-around, the extreme
 * immediates -2048 and 2047, rd = rs1, rd = x0.
 * Mutant: sltiu. */
#include "macros.h"

ISA_BEGIN
  li s0, 5
  li s1, -1
  li s2, 0x7fffffffffffffff
  li s3, 0x8000000000000000
  li s4, 0x00ff00ff00ff00ff
  li s5, 0x0123456789abcdef
  li s6, -2049
  li s7, -2048

  addi a0, s0, 2047
  CHECK_D(2, a0, 0x804)
  addi a0, s0, -2048
  CHECK_D(3, a0, 0xfffffffffffff805)
  addi a0, s1, 1              /* wraps to 0 */
  CHECK_D(4, a0, 0)
  addi a0, s2, 1              /* signed overflow is not trapped */
  CHECK_D(5, a0, 0x8000000000000000)
  addi a0, x0, -1
  CHECK_D(6, a0, 0xffffffffffffffff)
  mv a0, s0
  addi a0, a0, -5             /* rd = rs1 */
  CHECK_D(7, a0, 0)
  addi x0, s0, 1              /* x0 stays zero */
  CHECK_D(8, x0, 0)

  slti a0, s1, 0              /* -1 < 0 */
  CHECK_D(9, a0, 1)
  slti a0, x0, -1
  CHECK_D(10, a0, 0)
  slti a0, s0, 5
  CHECK_D(11, a0, 0)
  slti a0, s0, 6
  CHECK_D(12, a0, 1)
  slti a0, s3, -2048          /* INT64_MIN < -2048 */
  CHECK_D(13, a0, 1)
  slti a0, s6, -2048
  CHECK_D(14, a0, 1)
  slti a0, s7, -2048
  CHECK_D(15, a0, 0)
  slti a0, s2, 2047
  CHECK_D(16, a0, 0)

  sltiu a0, x0, -1            /* 0 < 0xffffffffffffffff */
  CHECK_D(17, a0, 1)
  sltiu a0, s1, -1
  CHECK_D(18, a0, 0)
  sltiu a0, s0, 6
  CHECK_D(19, a0, 1)
  sltiu a0, s0, 5
  CHECK_D(20, a0, 0)
  li t1, 0x800
  sltiu a0, t1, 2047
  CHECK_D(21, a0, 0)
  sltiu a0, x0, 1             /* seqz */
  CHECK_D(22, a0, 1)
  sltiu a0, s0, 1
  CHECK_D(23, a0, 0)
  sltiu a0, s7, -2048         /* equal after sign extension */
  CHECK_D(24, a0, 0)
  sltiu a0, s6, -2048
  CHECK_D(25, a0, 1)
  sltiu a0, s2, -2048         /* 2^63-1 < 0xfffffffffffff800 */
  CHECK_D(26, a0, 1)

  xori a0, s4, 0x70f
  CHECK_D(27, a0, 0x00ff00ff00ff07f0)
  xori a0, s4, -1             /* not */
  CHECK_D(28, a0, 0xff00ff00ff00ff00)
  xori a0, s4, -2048
  CHECK_D(29, a0, 0xff00ff00ff00f8ff)
  xori a0, s4, 0
  CHECK_D(30, a0, 0x00ff00ff00ff00ff)

  ori a0, x0, -1
  CHECK_D(31, a0, 0xffffffffffffffff)
  ori a0, s4, 0x555
  CHECK_D(32, a0, 0x00ff00ff00ff05ff)
  ori a0, s5, -2048
  CHECK_D(33, a0, 0xfffffffffffffdef)
  ori a0, s5, 0
  CHECK_D(34, a0, 0x0123456789abcdef)

  andi a0, s5, 0x7ff
  CHECK_D(35, a0, 0x5ef)
  andi a0, s5, -2048          /* clears only bits 10:0 */
  CHECK_D(36, a0, 0x0123456789abc800)
  andi a0, s5, 0
  CHECK_D(37, a0, 0)
  andi a0, s5, -1
  CHECK_D(38, a0, 0x0123456789abcdef)
  li t1, 0xfedcba9876543210
  andi a0, t1, 0xf0
  CHECK_D(39, a0, 0x10)
  beq x0, x0, pass
ISA_END
