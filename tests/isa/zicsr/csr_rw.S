/* Zicsr register forms csrrw, csrrs, csrrc on the read/write scratch CSRs
 * mscratch and sscratch (all 64 bits writable): rd gets the old value,
 * the CSR gets rs1 / old | rs1 / old & ~rs1; rd = rs1 uses the old rs1;
 * rd = x0 (csrw/csrs/csrc) still writes; csrrs/csrrc with rs1 = x0 only
 * read. The two CSRs are distinct.
 * Mutant: csrrc. */
#include "../rv64i/macros.h"

ISA_BEGIN
  li t1, 0x0123456789abcdef
  csrw mscratch, t1           /* csrrw x0: no read, still writes */
  csrr a2, mscratch
  CHECK_D(2, a2, 0x0123456789abcdef)

  li a1, 0xfedcba9876543210
  csrrw a0, mscratch, a1
  CHECK_D(3, a0, 0x0123456789abcdef)
  csrr a2, mscratch
  CHECK_D(4, a2, 0xfedcba9876543210)

  li a1, 0x0f0f
  csrrs a0, mscratch, a1
  CHECK_D(5, a0, 0xfedcba9876543210)
  csrr a2, mscratch
  CHECK_D(6, a2, 0xfedcba9876543f1f)

  csrrc a0, mscratch, a1
  CHECK_D(7, a0, 0xfedcba9876543f1f)
  csrr a2, mscratch
  CHECK_D(8, a2, 0xfedcba9876543010)

  csrrs a0, mscratch, x0      /* read only */
  CHECK_D(9, a0, 0xfedcba9876543010)
  csrrc a0, mscratch, x0
  CHECK_D(10, a0, 0xfedcba9876543010)
  csrr a2, mscratch
  CHECK_D(11, a2, 0xfedcba9876543010)

  li a3, -1
  csrrc a0, mscratch, a3      /* clear all */
  CHECK_D(12, a0, 0xfedcba9876543010)
  csrr a2, mscratch
  CHECK_D(13, a2, 0)
  csrrs a0, mscratch, a3      /* set all */
  CHECK_D(14, a0, 0)
  csrr a2, mscratch
  CHECK_D(15, a2, 0xffffffffffffffff)

  li a1, 0x8000000000000001
  csrs mscratch, a1           /* rd = x0 forms */
  csrc mscratch, a1
  csrr a2, mscratch
  CHECK_D(16, a2, 0x7ffffffffffffffe)

  /* rd = rs1: the CSR gets the old rs1, rd the old CSR value */
  li a0, 0x1111
  csrrw a0, mscratch, a0
  CHECK_D(17, a0, 0x7ffffffffffffffe)
  csrr a2, mscratch
  CHECK_D(18, a2, 0x1111)
  li a0, 0x2222
  csrrs a0, mscratch, a0
  CHECK_D(19, a0, 0x1111)
  csrr a2, mscratch
  CHECK_D(20, a2, 0x3333)
  li a0, 0x0110
  csrrc a0, mscratch, a0
  CHECK_D(21, a0, 0x3333)
  csrr a2, mscratch
  CHECK_D(22, a2, 0x3223)

  /* sscratch is a separate register */
  li t1, 0x5a5a
  csrw sscratch, t1
  li t1, 0xa5a5
  csrw mscratch, t1
  csrr a2, sscratch
  CHECK_D(23, a2, 0x5a5a)
  csrrc a0, sscratch, t1      /* 0x5a5a & ~0xa5a5 = 0x5a5a */
  CHECK_D(24, a0, 0x5a5a)
  csrr a2, sscratch
  CHECK_D(25, a2, 0x5a5a)
  csrr a2, mscratch
  CHECK_D(26, a2, 0xa5a5)
  beq x0, x0, pass
ISA_END
