/* RV64I 32-bit register-immediate operations addiw, slliw, srliw, sraiw:
 * they read only bits 31:0 of rs1, compute a 32-bit result and
 * sign-extend bit 31 of it into bits 63:32 (also for srliw, also for a
 * shift amount of 0). Shift amounts 0..31.
 * Mutant: sraiw. */
#include "macros.h"

ISA_BEGIN
  li s0, 0x7fffffff
  li s1, 0x123456789abcdef0
  li s2, 0xffffffff
  li s3, 0x100000005
  li s4, 0x80000000           /* positive as 64 bits, INT32_MIN as 32 */
  li s5, 0xffffffff80000000
  li s6, 0xffffffff7fffffff
  li s7, 0x0000000f80000000

  addiw a0, s0, 1             /* 32-bit overflow, then sign extension */
  CHECK_D(2, a0, 0xffffffff80000000)
  addiw a0, s1, 0             /* sext.w */
  CHECK_D(3, a0, 0xffffffff9abcdef0)
  addiw a0, s2, 1
  CHECK_D(4, a0, 0)
  addiw a0, s3, -6            /* bit 32 of rs1 is ignored */
  CHECK_D(5, a0, 0xffffffffffffffff)
  li t1, 0x7ffff800
  addiw a0, t1, 2047
  CHECK_D(6, a0, 0x7fffffff)
  addiw a0, s5, -1
  CHECK_D(7, a0, 0x7fffffff)
  addiw a0, s4, -2048
  CHECK_D(8, a0, 0x7ffff800)

  li t1, 1
  slliw a0, t1, 31
  CHECK_D(9, a0, 0xffffffff80000000)
  li t1, 0xffffffff00000001
  slliw a0, t1, 0
  CHECK_D(10, a0, 1)
  li t1, 0x12345678
  slliw a0, t1, 4
  CHECK_D(11, a0, 0x23456780)
  li t1, 0x87654321
  slliw a0, t1, 1             /* bit 31 shifted out: positive */
  CHECK_D(12, a0, 0x0eca8642)
  li t1, 0x0123456789abcdef
  slliw a0, t1, 16
  CHECK_D(13, a0, 0xffffffffcdef0000)

  srliw a0, s4, 0             /* shift by 0 still sign-extends */
  CHECK_D(14, a0, 0xffffffff80000000)
  srliw a0, s4, 1
  CHECK_D(15, a0, 0x40000000)
  srliw a0, s2, 31
  CHECK_D(16, a0, 1)
  srliw a0, s1, 4
  CHECK_D(17, a0, 0x09abcdef)
  li t1, 0xffffffff00000000
  srliw a0, t1, 1             /* upper bits never shift in */
  CHECK_D(18, a0, 0)

  sraiw a0, s4, 1
  CHECK_D(19, a0, 0xffffffffc0000000)
  sraiw a0, s4, 31
  CHECK_D(20, a0, 0xffffffffffffffff)
  sraiw a0, s0, 31
  CHECK_D(21, a0, 0)
  li t1, 0x80000001
  sraiw a0, t1, 0
  CHECK_D(22, a0, 0xffffffff80000001)
  sraiw a0, s6, 4             /* bit 31 is the sign, not bit 63 */
  CHECK_D(23, a0, 0x07ffffff)
  sraiw a0, s7, 4
  CHECK_D(24, a0, 0xfffffffff8000000)
  beq x0, x0, pass
ISA_END
