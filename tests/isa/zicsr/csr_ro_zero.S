/* Zicsr: csrrs/csrrc whose rs1 is not x0 attempt a write even when the
 * register holds 0 (Zicsr: "the instruction will still attempt to write
 * the unmodified value back"), so on a read-only CSR they must raise an
 * illegal-instruction trap (mcause 2, mepc = it, mtval = its bits, rd not
 * written), while the same instruction with rs1 = x0 must not.
 * QEMU 7.2 decides on the register's value instead and does not trap, so
 * this program fails there (check 3) while it must pass on tapvm.
 * Mutant: csrrs (the handler's reads of mcause/mepc/mtval). */
#include "../rv64i/macros.h"

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li a1, 0

  li a0, 0x55
  csrrs a0, mhartid, x0       /* no write: no trap */
  CHECK_D(2, a0, 0)

  li a0, 0x55
site1:
  csrrs a0, mhartid, a1       /* a1 = 0: still a write */
  CHECK_D(3, s5, 1)
  CHECK_D(4, s2, 2)
  CHECK_D(5, s3, site1)
  CHECK_D(6, s4, 0xf145a573)
  CHECK_D(7, a0, 0x55)

site2:
  csrrc a0, cycle, a1
  CHECK_D(8, s5, 2)
  CHECK_D(9, s2, 2)
  CHECK_D(10, s3, site2)
  CHECK_D(11, s4, 0xc005b573)
  CHECK_D(12, a0, 0x55)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
