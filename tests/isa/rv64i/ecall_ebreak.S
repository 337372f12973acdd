/* RV64I ecall and ebreak taken in M-mode through our own mtvec: mcause 11
 * (environment call from M-mode, interrupt bit clear) or 3 (breakpoint),
 * mepc = address of the instruction, mtval = 0 for ecall (the privileged
 * spec sets it to zero for traps that define no value) and 0 or the pc for
 * ebreak (either is allowed). The handler (TRAP_RECORDER) resumes at
 * mepc + 4.
 * Mutant: ecall (skipped: no trap). */
#include "macros.h"

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li t1, 0x1234
  csrw mtval, t1              /* must be overwritten by the ecall */

ecall_site:
  ecall
  CHECK_D(2, s5, 1)
  CHECK_D(3, s2, 11)
  CHECK_D(4, s3, ecall_site)
  CHECK_D(5, s4, 0)

ebreak_site:
  ebreak
  CHECK_D(7, s5, 2)
  CHECK_D(8, s2, 3)
  CHECK_D(9, s3, ebreak_site)
  beq s4, x0, 1f
  CHECK_D(10, s4, ebreak_site)
1:

  /* ecall again after other code: the count moves by exactly one per trap
     and execution resumed right after each one */
  li a0, 0
  ecall
  addi a0, a0, 1
  ecall
  addi a0, a0, 1
  CHECK_D(11, a0, 2)
  CHECK_D(12, s5, 4)
  CHECK_D(13, s2, 11)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
