/* RV64C jumps c.j, c.jr, c.jalr (link = pc + 2, the target read before ra
 * is written, so c.jalr ra works) and jump targets that are only 2-byte
 * aligned (address = 4n + 2), which are legal with C: reached by c.j,
 * c.jr, c.jalr and by the 32-bit jal, jalr and branches; plus 32-bit
 * instructions that start at 4n + 2. Each jump is followed by FAIL_HERE.
 * Mutant: c.jalr (skipped: falls into FAIL_HERE). */
#include "../rv64i/macros.h"

/* Puts the next label at an address 4n + 2. */
#define ODD_HALF .balign 4; c.nop

/* Check n: label `l` is at 4n + 2. */
#define CHECK_ODD(n, l)             \
  la t1, l;                         \
  andi t1, t1, 3;                   \
  CHECK_D(n, t1, 2)

ISA_BEGIN
  .option rvc

  c.j 1f
  FAIL_HERE(2)
  ODD_HALF
1:
  CHECK_ODD(3, 1b)

  la t2, jr_target
  c.jr t2
  FAIL_HERE(4)
  ODD_HALF
jr_target:
  CHECK_ODD(5, jr_target)

  la t2, jalr_target
site_cjalr:
  c.jalr t2
  FAIL_HERE(6)
  ODD_HALF
jalr_target:
  CHECK_D(7, ra, site_cjalr + 2)
  CHECK_ODD(8, jalr_target)

  /* c.jalr ra: jumps to the old ra */
  la ra, ra_target
site_ra:
  c.jalr ra
  FAIL_HERE(9)
ra_target:
  CHECK_D(10, ra, site_ra + 2)

  /* call with c.jalr, return with c.jr ra */
  li a0, 0
  la t2, subroutine
  c.jalr t2
  CHECK_D(11, a0, 0x42)

  /* c.j backward, and the longest forward c.j (offset 2046 max) */
  c.j 3f
2:
  li a1, 0x33
  c.j 4f
3:
  c.j 2b
  FAIL_HERE(12)
4:
  CHECK_D(13, a1, 0x33)
  c.j far_target
  .skip 2040
far_target:

  /* 32-bit jal, jalr and a branch to 4n + 2 targets */
  .option push
  .option norvc
site_jal:
  jal ra, jal_target
  FAIL_HERE(14)
  .option pop
  ODD_HALF
jal_target:
  CHECK_D(15, ra, site_jal + 4)
  CHECK_ODD(16, jal_target)

  .option push
  .option norvc
  la t2, jalr32_target
site_jalr:
  jalr ra, 0(t2)
  FAIL_HERE(17)
  .option pop
  ODD_HALF
jalr32_target:
  CHECK_D(18, ra, site_jalr + 4)

  .option push
  .option norvc
  beq x0, x0, beq_target
  FAIL_HERE(19)
  .option pop
  ODD_HALF
beq_target:
  CHECK_ODD(20, beq_target)

  /* 32-bit instructions at 4n + 2, executed in sequence */
  ODD_HALF
odd_code:
  .option push
  .option norvc
  addi a2, x0, 0x123
  xori a2, a2, 0x7ff
  auipc a3, 0
  bne a2, x0, 5f             /* taken, from a 4n + 2 address */
  FAIL_HERE(21)
5:
  .option pop
  CHECK_D(22, a2, 0x6dc)
  CHECK_D(23, a3, odd_code + 8)
  CHECK_ODD(24, odd_code)
  beq x0, x0, pass

subroutine:
  li a0, 0x42
  c.jr ra
  FAIL_HERE(25)
ISA_END
