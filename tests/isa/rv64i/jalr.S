/* RV64I jalr: target = (rs1 + sign-extended imm) with bit 0 cleared; rd =
 * pc + 4, written after rs1 is read (rd = rs1 works). Each jalr is followed
 * by FAIL_HERE so a jalr that does not jump fails.
 * Mutant: jalr (skipped). */
#include "macros.h"

ISA_BEGIN
  /* plain indirect call */
  la t0, t1_target
site1:
  jalr ra, 0(t0)
  FAIL_HERE(2)
t1_target:
  CHECK_D(3, ra, site1 + 4)

  /* positive offset */
  la t0, t2_target
  addi t0, t0, -16
site2:
  jalr a0, 16(t0)
  FAIL_HERE(4)
t2_target:
  CHECK_D(5, a0, site2 + 4)

  /* negative offset, the largest one */
  la t0, t3_target
  addi t0, t0, 2047
  addi t0, t0, 1
site3:
  jalr a1, -2048(t0)
  FAIL_HERE(6)
t3_target:
  CHECK_D(7, a1, site3 + 4)

  /* bit 0 of the sum is cleared: target+1 goes to target */
  la t0, t4_target
  addi t0, t0, 1
site4:
  jalr a2, 0(t0)
  FAIL_HERE(8)
t4_target:
  CHECK_D(9, a2, site4 + 4)

  /* also when the odd part comes from the immediate */
  la t0, t5_target
site5:
  jalr a3, 1(t0)
  FAIL_HERE(10)
t5_target:
  CHECK_D(11, a3, site5 + 4)

  /* rd = rs1: the old value is the target */
  la a4, t6_target
site6:
  jalr a4, 0(a4)
  FAIL_HERE(12)
t6_target:
  CHECK_D(13, a4, site6 + 4)

  /* rd = x0 (jr), and a call/return through a subroutine */
  la t0, t7_target
  jalr x0, 0(t0)
  FAIL_HERE(14)
t7_target:
  li a5, 0
  la t0, subroutine
site8:
  jalr ra, 0(t0)
  CHECK_D(15, a5, 0x77)
  CHECK_D(16, ra, site8 + 4)
  beq x0, x0, pass

subroutine:
  li a5, 0x77
  jalr x0, 0(ra)              /* ret */
  FAIL_HERE(17)
ISA_END
