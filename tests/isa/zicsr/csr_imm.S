/* Zicsr immediate forms csrrwi, csrrsi, csrrci on mscratch: the 5-bit
 * uimm is zero-extended (31 is 0x1f, not -1); rd gets the old value;
 * csrrwi always writes (also uimm = 0); csrrsi/csrrci with uimm = 0 only
 * read (see csr_readonly.S for the proof that nothing is written).
 * Mutant: csrrsi. */
#include "../rv64i/macros.h"

ISA_BEGIN
  li t1, 0x0123456789abcdef
  csrw mscratch, t1

  csrrwi a0, mscratch, 31
  CHECK_D(2, a0, 0x0123456789abcdef)
  csrr a2, mscratch
  CHECK_D(3, a2, 31)

  csrrwi a0, mscratch, 0      /* writes 0 */
  CHECK_D(4, a0, 31)
  csrr a2, mscratch
  CHECK_D(5, a2, 0)

  li t1, 0xffff000000000000
  csrw mscratch, t1
  csrrsi a0, mscratch, 0x15
  CHECK_D(6, a0, 0xffff000000000000)
  csrr a2, mscratch
  CHECK_D(7, a2, 0xffff000000000015)
  csrrsi a0, mscratch, 0x1f   /* only bits 4:0 are set */
  CHECK_D(8, a0, 0xffff000000000015)
  csrr a2, mscratch
  CHECK_D(9, a2, 0xffff00000000001f)

  csrrci a0, mscratch, 0x5
  CHECK_D(10, a0, 0xffff00000000001f)
  csrr a2, mscratch
  CHECK_D(11, a2, 0xffff00000000001a)
  li t1, -1
  csrw mscratch, t1
  csrrci a0, mscratch, 0x1f   /* only bits 4:0 are cleared */
  CHECK_D(12, a0, 0xffffffffffffffff)
  csrr a2, mscratch
  CHECK_D(13, a2, 0xffffffffffffffe0)

  csrrsi a0, mscratch, 0      /* read only */
  CHECK_D(14, a0, 0xffffffffffffffe0)
  csrrci a0, mscratch, 0
  CHECK_D(15, a0, 0xffffffffffffffe0)
  csrr a2, mscratch
  CHECK_D(16, a2, 0xffffffffffffffe0)

  csrwi mscratch, 7           /* rd = x0 forms */
  csrsi mscratch, 8
  csrci mscratch, 1
  csrr a2, mscratch
  CHECK_D(17, a2, 0xe)
  beq x0, x0, pass
ISA_END
