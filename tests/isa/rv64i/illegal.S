/* Illegal-instruction trap (mcause 2) in M-mode. mepc is the address of
 * the instruction. mtval: the privileged spec allows 0 or the faulting
 * instruction bits; tapvm, like QEMU, writes the instruction bits (for a
 * 16-bit instruction only its 16 bits), and this program checks that.
 * Encodings used (all reserved in RV64GC with any ratified extension):
 *   0x0000251b  OP-IMM-32 with funct3 = 010
 *   0x0000      the all-zero 16-bit instruction (defined illegal)
 *   0x0004      c.addi4spn with nzuimm = 0 (reserved)
 *   fmv.x.d with mstatus.FS = Off (FP state access while FS = 0)
 *   csrrw on the read-only CSR cycle
 * Mutant: csrrs (the handler's csrr reads of mcause/mepc/mtval). */
#include "macros.h"

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0

site1:
  .word 0x0000251b
  CHECK_D(2, s5, 1)
  CHECK_D(3, s2, 2)
  CHECK_D(4, s3, site1)
  CHECK_D(5, s4, 0x0000251b)

site2:
  .half 0x0000
  .half 0x0001                /* c.nop: back to 4-byte alignment */
  CHECK_D(6, s5, 2)
  CHECK_D(7, s2, 2)
  CHECK_D(8, s3, site2)
  CHECK_D(9, s4, 0)

site3:
  .half 0x0004
  .half 0x0001
  CHECK_D(10, s5, 3)
  CHECK_D(11, s2, 2)
  CHECK_D(12, s3, site3)
  CHECK_D(13, s4, 0x0004)

  li t1, 0x6000               /* mstatus.FS = Off */
  csrc mstatus, t1
  li a0, 0x55
site4:
  fmv.x.d a0, fa0
  CHECK_D(14, s5, 4)
  CHECK_D(15, s2, 2)
  CHECK_D(16, s3, site4)
  CHECK_D(17, s4, 0xe2050553)
  CHECK_D(18, a0, 0x55)       /* rd not written by a trapping instruction */

site5:
  csrrw a1, cycle, x0
  CHECK_D(19, s5, 5)
  CHECK_D(20, s2, 2)
  CHECK_D(21, s3, site5)
  CHECK_D(22, s4, 0xc00015f3)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
