/* RV64I 32-bit register-register operations addw, subw, sllw, srlw, sraw:
 * only bits 31:0 of the operands are used, shift amounts are bits 4:0 of
 * rs2, and the 32-bit result is sign-extended (even for srlw by 0).
 * Mutant: addw. */
#include "macros.h"

ISA_BEGIN
  li s0, 0x7fffffff
  li s1, 1
  li s2, 0x80000000
  li s3, 0xffffffff
  li s4, 0x123456789

  addw a0, s0, s1
  CHECK_D(2, a0, 0xffffffff80000000)
  li t1, 0xffffffff00000001
  li t2, 0x1ffffffff
  addw a0, t1, t2             /* 1 + 0xffffffff in the low words */
  CHECK_D(3, a0, 0)
  addw a0, s2, s2
  CHECK_D(4, a0, 0)
  li t1, 0x123456789abcdef0
  addw a0, t1, x0             /* sext.w */
  CHECK_D(5, a0, 0xffffffff9abcdef0)

  subw a0, x0, s1
  CHECK_D(6, a0, 0xffffffffffffffff)
  subw a0, s2, s1
  CHECK_D(7, a0, 0x7fffffff)
  li t1, 0x100000000
  subw a0, t1, x0
  CHECK_D(8, a0, 0)
  subw a0, s0, s3             /* 0x7fffffff - (-1) overflows to INT32_MIN */
  CHECK_D(9, a0, 0xffffffff80000000)
  li t1, 0xaaaaaaaa00000005
  li t2, 0x5555555500000003
  subw a0, t1, t2
  CHECK_D(10, a0, 2)

  li t1, 31
  sllw a0, s1, t1
  CHECK_D(11, a0, 0xffffffff80000000)
  li t1, 32                   /* amount 0 */
  sllw a0, s4, t1
  CHECK_D(12, a0, 0x23456789)
  li t1, 33                   /* amount 1 */
  sllw a0, s4, t1
  CHECK_D(13, a0, 0x468acf12)
  li t1, 0x87654321
  sllw a0, t1, s1
  CHECK_D(14, a0, 0x0eca8642)
  li t1, 0xffffffff0000001f
  sllw a0, s3, t1
  CHECK_D(15, a0, 0xffffffff80000000)

  srlw a0, s2, x0
  CHECK_D(16, a0, 0xffffffff80000000)
  li t1, 31
  srlw a0, s2, t1
  CHECK_D(17, a0, 1)
  li t1, -2
  li t2, 32
  srlw a0, t1, t2
  CHECK_D(18, a0, 0xfffffffffffffffe)
  srlw a0, s3, s1
  CHECK_D(19, a0, 0x7fffffff)
  li t1, 0xffffffff00000000
  srlw a0, t1, s1
  CHECK_D(20, a0, 0)
  li t1, 63                   /* amount 31 */
  srlw a0, s3, t1
  CHECK_D(21, a0, 1)

  li t1, 4
  sraw a0, s2, t1
  CHECK_D(22, a0, 0xfffffffff8000000)
  li t1, 63
  sraw a0, s2, t1
  CHECK_D(23, a0, 0xffffffffffffffff)
  li t1, 31
  sraw a0, s0, t1
  CHECK_D(24, a0, 0)
  li t1, 0xffffffff7fffffff
  sraw a0, t1, s1             /* bit 31 is the sign */
  CHECK_D(25, a0, 0x3fffffff)
  li t1, 32
  sraw a0, s2, t1
  CHECK_D(26, a0, 0xffffffff80000000)
  beq x0, x0, pass
ISA_END
