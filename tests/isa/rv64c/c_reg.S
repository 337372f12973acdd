/* RV64C register-register instructions: c.add (any registers), c.sub,
 * c.xor, c.or, c.and, c.subw, c.addw (x8..x15). c.addw/c.subw use the low
 * words and sign-extend the 32-bit result.
 * Mutant: c.subw. */
#include "../rv64i/macros.h"

ISA_BEGIN
  .option rvc
  li s0, 0x0123456789abcdef
  li s1, 0xfedcba9876543210
  li t3, 0x7fffffffffffffff

  mv a0, s0
  c.add a0, s0
  CHECK_D(2, a0, 0x02468acf13579bde)
  li t4, 1                    /* c.add works on any register */
  c.add t4, t3
  CHECK_D(3, t4, 0x8000000000000000)
  li t4, 3
  c.add t4, t4                /* rd = rs2 */
  CHECK_D(4, t4, 6)

  mv a1, s1
  c.sub a1, s0
  CHECK_D(5, a1, 0xfdb97530eca86421)
  li a1, 0
  li a2, 1
  c.sub a1, a2
  CHECK_D(6, a1, 0xffffffffffffffff)

  li a2, 0xff00ff00ff00ff00
  li a3, 0x0ff00ff00ff00ff0
  mv a4, a2
  c.xor a4, a3
  CHECK_D(7, a4, 0xf0f0f0f0f0f0f0f0)
  mv a4, a2
  c.or a4, a3
  CHECK_D(8, a4, 0xfff0fff0fff0fff0)
  mv a4, a2
  c.and a4, a3
  CHECK_D(9, a4, 0x0f000f000f000f00)
  mv a5, s0
  c.xor a5, a5
  CHECK_D(10, a5, 0)

  li a0, 0x7fffffff
  li a1, 1
  c.addw a0, a1
  CHECK_D(11, a0, 0xffffffff80000000)
  li a0, 0xffffffff00000001
  li a1, 0x1ffffffff
  c.addw a0, a1
  CHECK_D(12, a0, 0)
  mv a0, s0
  c.addw a0, s1
  CHECK_D(13, a0, 0xffffffffffffffff)

  li a0, 0
  li a1, 1
  c.subw a0, a1
  CHECK_D(14, a0, 0xffffffffffffffff)
  li a0, 0x80000000
  c.subw a0, a1
  CHECK_D(15, a0, 0x7fffffff)
  li a0, 0xaaaaaaaa00000005
  li a1, 0x5555555500000003
  c.subw a0, a1
  CHECK_D(16, a0, 2)
  mv a0, s0
  c.subw a0, s1
  CHECK_D(17, a0, 0x13579bdf)
  beq x0, x0, pass
ISA_END
