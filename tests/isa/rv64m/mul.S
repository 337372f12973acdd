/* RV64M multiplication: mul (low 64 bits of the product), mulh (high 64
 * bits, signed x signed), mulhsu (signed rs1 x unsigned rs2), mulhu
 * (unsigned x unsigned), mulw (low 32 bits of the product of the low words,
 * sign-extended). Expected values are the exact 128-bit products.
 * Mutant: mulhsu. */
#include "../rv64i/macros.h"

ISA_BEGIN
  li s0, 0x7fffffffffffffff   /* INT64_MAX */
  li s1, 0x8000000000000000   /* INT64_MIN */
  li s2, -1
  li s3, 0x0123456789abcdef
  li s4, 0xfedcba9876543210
  li s5, 7
  li s6, 6
  li s7, 2

  mul a0, s5, s6
  CHECK_D(2, a0, 42)
  li t1, -7
  mul a0, t1, s6
  CHECK_D(3, a0, 0xffffffffffffffd6)
  mul a0, s0, s7
  CHECK_D(4, a0, 0xfffffffffffffffe)
  mul a0, s3, s4
  CHECK_D(5, a0, 0x2236d88fe5618cf0)
  mul a0, s1, s2              /* INT64_MIN * -1 wraps */
  CHECK_D(6, a0, 0x8000000000000000)
  mul a0, s2, s2
  CHECK_D(7, a0, 1)
  mul a0, s3, x0
  CHECK_D(8, a0, 0)

  mulh a0, s2, s2             /* (-1)(-1) = 1: high part 0 */
  CHECK_D(9, a0, 0)
  mulh a0, s1, s1             /* 2^126 */
  CHECK_D(10, a0, 0x4000000000000000)
  mulh a0, s1, s2             /* 2^63 */
  CHECK_D(11, a0, 0)
  li t1, 1
  mulh a0, s2, t1             /* -1: high part all ones */
  CHECK_D(12, a0, 0xffffffffffffffff)
  mulh a0, s3, s4
  CHECK_D(13, a0, 0xfffeb49923cc0953)
  mulh a0, s0, s0
  CHECK_D(14, a0, 0x3fffffffffffffff)
  mulh a0, s5, s6
  CHECK_D(15, a0, 0)

  mulhsu a0, s2, s2           /* -1 * (2^64-1) */
  CHECK_D(16, a0, 0xffffffffffffffff)
  mulhsu a0, s7, s2           /* 2 * (2^64-1) */
  CHECK_D(17, a0, 1)
  mulhsu a0, s1, s2           /* -2^63 * (2^64-1) */
  CHECK_D(18, a0, 0x8000000000000000)
  mulhsu a0, s3, s4           /* rs1 positive: as mulhu */
  CHECK_D(19, a0, 0x0121fa00ad77d742)
  mulhsu a0, s4, s3           /* rs2 positive: as mulh */
  CHECK_D(20, a0, 0xfffeb49923cc0953)
  li t1, 1
  mulhsu a0, s2, t1
  CHECK_D(21, a0, 0xffffffffffffffff)
  mulhsu a0, s0, s2
  CHECK_D(22, a0, 0x7ffffffffffffffe)

  mulhu a0, s2, s2            /* (2^64-1)^2 = 2^128 - 2^65 + 1 */
  CHECK_D(23, a0, 0xfffffffffffffffe)
  mulhu a0, s3, s4
  CHECK_D(24, a0, 0x0121fa00ad77d742)
  mulhu a0, s1, s7
  CHECK_D(25, a0, 1)
  li t1, 1
  mulhu a0, s2, t1
  CHECK_D(26, a0, 0)
  mulhu a0, s1, s1
  CHECK_D(27, a0, 0x4000000000000000)

  li t1, 0x7fffffff
  mulw a0, t1, s7
  CHECK_D(28, a0, 0xfffffffffffffffe)
  li t1, 0x100000003          /* upper words ignored: 3 * 5 */
  li t2, 0x200000005
  mulw a0, t1, t2
  CHECK_D(29, a0, 15)
  li t1, 0x10000
  mulw a0, t1, t1             /* 2^32: low word 0 */
  CHECK_D(30, a0, 0)
  mulw a0, s2, s2
  CHECK_D(31, a0, 1)
  li t1, 0x80000000
  mulw a0, t1, s2
  CHECK_D(32, a0, 0xffffffff80000000)
  li t1, 0x12345678
  li t2, 0x9abcdef
  mulw a0, t1, t2
  CHECK_D(33, a0, 0xffffffffe242d208)
  li t1, 0x10000
  li t2, 0x8000
  mulw a0, t1, t2             /* 2^31: sign bit of the word set */
  CHECK_D(34, a0, 0xffffffff80000000)

  mv a1, s3                   /* rd = rs1 = rs2 */
  mul a1, a1, a1
  CHECK_D(35, a1, 0xdca5e20890f2a521)
  beq x0, x0, pass
ISA_END
