/* RV64C integer instructions with immediates, plus c.mv and c.nop:
 * c.li, c.lui (6-bit immediates sign-extended; c.lui's into bits 17:12 and
 * up), c.addi, c.addiw (32-bit add, sign-extended; c.addiw rd, 0 is
 * sext.w), c.addi16sp (multiples of 16, -512..496), c.addi4spn
 * (zero-extended multiples of 4, 4..1020), c.slli/c.srli/c.srai with
 * 6-bit shift amounts 1, 32, 63, c.andi (sign-extended immediate),
 * c.mv, c.nop (a 2-byte no-op). Explicit c. mnemonics throughout.
 * Mutant: c.srai. */
#include "../rv64i/macros.h"

  .data
  .balign 16
stack: .skip 2048
stack_top:

ISA_BEGIN
  la sp, stack_top
  .option rvc

  c.li a0, -32
  CHECK_D(2, a0, 0xffffffffffffffe0)
  c.li a1, 31
  CHECK_D(3, a1, 31)
  li t1, -1
  c.li t1, 0
  CHECK_D(4, t1, 0)

  c.lui a2, 1
  CHECK_D(5, a2, 0x1000)
  c.lui a2, 31
  CHECK_D(6, a2, 0x1f000)
  c.lui a2, 0xfffe0           /* nzimm[17:12] = -32 */
  CHECK_D(7, a2, 0xfffffffffffe0000)
  c.lui t2, 0xfffff           /* -1 << 12 */
  CHECK_D(8, t2, 0xfffffffffffff000)

  c.addi a0, 31               /* -32 + 31 */
  CHECK_D(9, a0, 0xffffffffffffffff)
  c.addi a0, -32
  CHECK_D(10, a0, 0xffffffffffffffdf)
  li a3, 0x7fffffffffffffff
  c.addi a3, 1                /* 64-bit wrap */
  CHECK_D(11, a3, 0x8000000000000000)

  li a4, 0x7fffffff
  c.addiw a4, 1
  CHECK_D(12, a4, 0xffffffff80000000)
  li a4, 0x123456789abcdef0
  c.addiw a4, 0               /* sext.w */
  CHECK_D(13, a4, 0xffffffff9abcdef0)
  li a4, 0x100000000
  c.addiw a4, -1
  CHECK_D(14, a4, 0xffffffffffffffff)
  li t3, 0xfffffffe80000000   /* any rd, here t3 */
  c.addiw t3, -32
  CHECK_D(15, t3, 0x7fffffe0)

  mv s1, sp
  c.addi16sp sp, -512
  sub t1, s1, sp
  CHECK_D(16, t1, 512)
  c.addi16sp sp, 496
  sub t1, s1, sp
  CHECK_D(17, t1, 16)
  c.addi16sp sp, 16
  CHECK_REG(18, sp, s1)

  c.addi16sp sp, -512
  c.addi16sp sp, -512
  c.addi4spn a0, sp, 4
  sub t1, a0, sp
  CHECK_D(19, t1, 4)
  c.addi4spn a1, sp, 1020
  sub t1, a1, sp
  CHECK_D(20, t1, 1020)
  c.addi4spn s0, sp, 512
  sub t1, s0, sp
  CHECK_D(21, t1, 512)
  c.addi16sp sp, 496
  c.addi16sp sp, 496
  c.addi16sp sp, 32
  CHECK_REG(22, sp, s1)

  li a0, 0x8000000000000001
  c.slli a0, 1
  CHECK_D(23, a0, 2)
  li a0, 0x123456789abcdef0
  c.slli a0, 32
  CHECK_D(24, a0, 0x9abcdef000000000)
  li t4, 1                    /* any rd, here t4 */
  c.slli t4, 63
  CHECK_D(25, t4, 0x8000000000000000)

  li a0, 0x8000000000000001
  c.srli a0, 1
  CHECK_D(26, a0, 0x4000000000000000)
  li a0, 0x8000000000000001
  c.srli a0, 63
  CHECK_D(27, a0, 1)
  li a5, 0xfedcba9876543210
  c.srli a5, 32
  CHECK_D(28, a5, 0xfedcba98)

  li a0, 0x8000000000000001
  c.srai a0, 1
  CHECK_D(29, a0, 0xc000000000000000)
  li a0, 0x8000000000000001
  c.srai a0, 63
  CHECK_D(30, a0, 0xffffffffffffffff)
  li a5, 0xfedcba9876543210
  c.srai a5, 32
  CHECK_D(31, a5, 0xfffffffffedcba98)
  li s0, 0x0123456789abcdef
  c.srai s0, 4
  CHECK_D(32, s0, 0x00123456789abcde)

  li a0, 0x0123456789abcdef
  c.andi a0, -32              /* clears bits 4:0 only */
  CHECK_D(33, a0, 0x0123456789abcde0)
  li a0, 0x0123456789abcdef
  c.andi a0, 31
  CHECK_D(34, a0, 0xf)
  li a0, 0x0123456789abcdef
  c.andi a0, 0
  CHECK_D(35, a0, 0)

  li a1, 0x0123456789abcdef
  c.mv t5, a1
  CHECK_D(36, t5, 0x0123456789abcdef)
  li ra, 0x55
  c.mv a1, ra
  CHECK_D(37, a1, 0x55)

  /* c.nop is 2 bytes long and changes nothing */
  li a2, 0x1234
site_nop:
  auipc a4, 0
  c.nop
  auipc a5, 0
  sub t1, a5, a4
  CHECK_D(38, t1, 6)
  CHECK_D(39, a2, 0x1234)
  beq x0, x0, pass
ISA_END
