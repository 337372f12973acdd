/* RV64C integer loads and stores: c.lw, c.ld, c.sw, c.sd (base and data in
 * x8..x15, offsets up to 124 / 248) and c.lwsp, c.ldsp, c.swsp, c.sdsp
 * (sp-relative, any data register, offsets up to 252 / 504). c.lw and
 * c.lwsp sign-extend the word. Memory is set up and read back with the
 * 32-bit ld/sd.
 * Mutant: c.lwsp. */
#include "../rv64i/macros.h"

  .data
  .balign 16
area: .skip 512

ISA_BEGIN
  la s0, area
  mv sp, s0
  li t1, 0x7fffffff80000001
  sd t1, 0(s0)
  li t1, 0x0123456789abcdef
  sd t1, 120(s0)
  li t1, 0xfedcba9876543210
  sd t1, 248(s0)
  li t1, 0x1122334455667788
  sd t1, 504(s0)
  .option rvc

  c.lw a0, 0(s0)
  CHECK_D(2, a0, 0xffffffff80000001)
  c.lw a0, 4(s0)
  CHECK_D(3, a0, 0x7fffffff)
  c.lw a1, 124(s0)
  CHECK_D(4, a1, 0x01234567)
  c.ld a2, 120(s0)
  CHECK_D(5, a2, 0x0123456789abcdef)
  c.ld a2, 248(s0)
  CHECK_D(6, a2, 0xfedcba9876543210)
  mv a3, s0
  c.ld a3, 0(a3)              /* rd = rs1 */
  CHECK_D(7, a3, 0x7fffffff80000001)

  c.lwsp t1, 0(sp)
  CHECK_D(8, t1, 0xffffffff80000001)
  c.lwsp t1, 252(sp)
  CHECK_D(9, t1, 0xfffffffffedcba98)
  c.lwsp ra, 124(sp)
  CHECK_D(10, ra, 0x01234567)
  c.lwsp t2, 248(sp)
  CHECK_D(11, t2, 0x76543210)
  c.ldsp t2, 504(sp)
  CHECK_D(12, t2, 0x1122334455667788)
  c.ldsp t3, 0(sp)
  CHECK_D(13, t3, 0x7fffffff80000001)
  c.ldsp t4, 120(sp)
  CHECK_D(14, t4, 0x0123456789abcdef)

  li a3, 0xffffffffdeadbeef
  c.sw a3, 8(s0)              /* only the low word */
  ld t1, 8(s0)
  CHECK_D(15, t1, 0xdeadbeef)
  c.sw a3, 124(s0)
  ld t1, 120(s0)
  CHECK_D(16, t1, 0xdeadbeef89abcdef)
  li a4, 0x0f1e2d3c4b5a6978
  c.sd a4, 16(s0)
  ld t1, 16(s0)
  CHECK_D(17, t1, 0x0f1e2d3c4b5a6978)
  c.sd a4, 240(s0)
  ld t1, 240(s0)
  CHECK_D(18, t1, 0x0f1e2d3c4b5a6978)
  ld t1, 248(s0)              /* neighbour untouched */
  CHECK_D(19, t1, 0xfedcba9876543210)

  li t5, 0x123456789
  c.swsp t5, 252(sp)
  ld t1, 248(s0)
  CHECK_D(20, t1, 0x2345678976543210)
  c.swsp t5, 32(sp)
  ld t1, 32(s0)
  CHECK_D(21, t1, 0x23456789)
  li s1, 0xa5a5a5a55a5a5a5a
  c.sdsp s1, 504(sp)
  ld t1, 504(s0)
  CHECK_D(22, t1, 0xa5a5a5a55a5a5a5a)
  c.sdsp s1, 40(sp)
  ld t1, 40(s0)
  CHECK_D(23, t1, 0xa5a5a5a55a5a5a5a)
  beq x0, x0, pass
ISA_END
