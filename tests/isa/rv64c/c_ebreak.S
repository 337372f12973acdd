/* RV64C c.ebreak: a breakpoint trap (mcause 3) with mepc = the 2-byte
 * instruction's address; the handler resumes at mepc + 2, so the very next
 * compressed instruction must run exactly once. Also c.ebreak at a 4n + 2
 * address.
 * Mutant: c.ebreak (skipped: no trap). */
#include "../rv64i/macros.h"

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li a0, 0
  .option rvc

site1:
  c.ebreak
  c.addi a0, 1
  c.addi a0, 2
  CHECK_D(2, s5, 1)
  CHECK_D(3, s2, 3)
  CHECK_D(4, s3, site1)
  CHECK_D(5, a0, 3)
  beq s4, x0, 1f              /* mtval: 0 or the pc */
  CHECK_D(6, s4, site1)
1:
  .balign 4
  c.nop
site2:                        /* 4n + 2 */
  c.ebreak
  c.addi a0, 4
  CHECK_D(7, s5, 2)
  CHECK_D(8, s3, site2)
  CHECK_D(9, a0, 7)
  CHECK_D(10, s2, 3)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
