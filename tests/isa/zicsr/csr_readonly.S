/* Zicsr write semantics on read-only CSRs (mhartid, mvendorid, cycle,
 * time, instret): an instruction that would write one raises an
 * illegal-instruction trap (mcause 2, mepc = it, mtval = its bits, rd not
 * written). Whether it "writes" depends only on the encoding:
 *   csrrw/csrrwi always write (even from x0 / uimm 0);
 *   csrrs/csrrc write unless rs1 is x0; csrrsi/csrrci write unless uimm
 *   is 0. (A register rs1 holding 0 still counts as a write: that case is
 *   in csr_ro_zero.S because QEMU 7.2 gets it wrong.)
 * So csrrs/csrrc with x0 and csrrsi/csrrci with 0 must read without a
 * trap, which proves they do not write.
 * Mutant: csrrs (the handler's reads and the read-only reads). */
#include "../rv64i/macros.h"

/* Check n..n+3: the instruction at `site` trapped as illegal with mtval
   `bits`, and a0 (its rd) still holds 0x55. s5 counts the traps. */
#define CHECK_ILLEGAL(n, count, site, bits) \
  CHECK_D(n, s5, count);            \
  CHECK_D(n + 1, s2, 2);            \
  CHECK_D(n + 2, s3, site);         \
  CHECK_D(n + 3, s4, bits);         \
  CHECK_D(n + 3, a0, 0x55)

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li a1, 0
  li a2, 1

  /* reads that must not trap */
  li a0, 0x55
  csrrs a0, mhartid, x0
  CHECK_D(2, a0, 0)           /* hart 0 */
  li a0, 0x55
  csrrc a0, mhartid, x0
  CHECK_D(3, a0, 0)
  li a0, 0x55
  csrrsi a0, mhartid, 0
  CHECK_D(4, a0, 0)
  li a0, 0x55
  csrrci a0, mhartid, 0
  CHECK_D(5, a0, 0)
  csrrs a0, cycle, x0
  csrrc a0, time, x0
  csrrsi a0, instret, 0
  csrrci a0, cycle, 0
  csrrs a0, mvendorid, x0
  CHECK_D(6, s5, 0)

  /* writes that must trap */
  li a0, 0x55
site1:
  csrrs a0, mhartid, a2       /* a2 = 1 */
  CHECK_ILLEGAL(10, 1, site1, 0xf1462573)
site2:
  csrrc a0, mhartid, a2
  CHECK_ILLEGAL(20, 2, site2, 0xf1463573)
site3:
  csrrw x0, mhartid, x0
  CHECK_ILLEGAL(30, 3, site3, 0xf1401073)
site4:
  csrrwi a0, mhartid, 0
  CHECK_ILLEGAL(40, 4, site4, 0xf1405573)
site5:
  csrrsi a0, cycle, 1
  CHECK_ILLEGAL(50, 5, site5, 0xc000e573)
site6:
  csrrci a0, time, 1
  CHECK_ILLEGAL(60, 6, site6, 0xc010f573)
site7:
  csrrw a0, mvendorid, a1     /* a1 = 0: csrrw writes anyway */
  CHECK_ILLEGAL(70, 7, site7, 0xf1159573)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
