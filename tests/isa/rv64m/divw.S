/* RV64M 32-bit division divw, divuw, remw, remuw: only the low words of
 * the operands are used and the 32-bit result is sign-extended, also for
 * the unsigned forms. Division by zero: quotient all ones (sign-extended:
 * -1), remainder = the dividend's low word sign-extended. Overflow
 * INT32_MIN / -1: quotient INT32_MIN, remainder 0.
 * Mutant: remw. */
#include "../rv64i/macros.h"

ISA_BEGIN
  li s0, 0x1234567887654321   /* low word negative as int32 */
  li s1, 0x1234567807654321   /* low word positive */
  li s2, 0x80000000           /* INT32_MIN in the low word */
  li s3, 0xffffffff
  li s4, -1

  li t1, 0xffffffff00000014   /* low words: 20 / 6 */
  li t2, 0x100000006
  divw a0, t1, t2
  CHECK_D(2, a0, 3)
  li t1, -20
  li t2, 6
  divw a0, t1, t2
  CHECK_D(3, a0, 0xfffffffffffffffd)
  remw a0, t1, t2
  CHECK_D(4, a0, 0xfffffffffffffffe)
  li t1, 20
  li t2, -6
  remw a0, t1, t2
  CHECK_D(5, a0, 2)
  li t1, 0xfffffffffffffff9   /* -7 / 2 */
  li t2, 2
  divw a0, t1, t2
  CHECK_D(6, a0, 0xfffffffffffffffd)
  li t1, 0x7fffffff
  divw a0, t1, s2
  CHECK_D(7, a0, 0)
  remw a0, t1, s2
  CHECK_D(8, a0, 0x7fffffff)

  divuw a0, s3, t2            /* 0xffffffff / 2 */
  CHECK_D(9, a0, 0x7fffffff)
  li t1, 1
  divuw a0, s2, t1            /* 0x80000000: bit 31 set, sign-extended */
  CHECK_D(10, a0, 0xffffffff80000000)
  li t1, 0x10
  remuw a0, s3, t1
  CHECK_D(11, a0, 0xf)
  li t1, 0x80000001
  li t2, 0x90000000
  remuw a0, t1, t2
  CHECK_D(12, a0, 0xffffffff80000001)
  divuw a0, s2, s3
  CHECK_D(13, a0, 0)
  remuw a0, s2, s3
  CHECK_D(14, a0, 0xffffffff80000000)
  li t1, 0xffffffff00000007   /* upper word of rs1 ignored */
  li t2, 2
  divuw a0, t1, t2
  CHECK_D(15, a0, 3)

  /* division by zero (the upper word of the divisor does not count) */
  li t3, 0x500000000
  divw a0, s0, x0
  CHECK_D(16, a0, 0xffffffffffffffff)
  divuw a0, s0, t3
  CHECK_D(17, a0, 0xffffffffffffffff)
  remw a0, s0, x0
  CHECK_D(18, a0, 0xffffffff87654321)
  remuw a0, s0, t3
  CHECK_D(19, a0, 0xffffffff87654321)
  remw a0, s1, t3
  CHECK_D(20, a0, 0x07654321)
  remuw a0, s1, x0
  CHECK_D(21, a0, 0x07654321)
  divw a0, s1, t3
  CHECK_D(22, a0, 0xffffffffffffffff)
  divuw a0, s1, x0
  CHECK_D(23, a0, 0xffffffffffffffff)

  /* overflow: INT32_MIN / -1 (whatever the upper words hold) */
  divw a0, s2, s3
  CHECK_D(24, a0, 0xffffffff80000000)
  remw a0, s2, s3
  CHECK_D(25, a0, 0)
  divw a0, s2, s4
  CHECK_D(26, a0, 0xffffffff80000000)
  remw a0, s2, s4
  CHECK_D(27, a0, 0)
  beq x0, x0, pass
ISA_END
