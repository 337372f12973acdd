/* RV64I auipc: rd = pc of the auipc + sign-extended (imm20 << 12). The
 * expected values are link-time addresses stored in .data, so they do not
 * depend on auipc (apart from the ld of CHECK_D, which breaking auipc also
 * disturbs: then the checks fail as well).
 * Mutant: auipc. */
#include "macros.h"

ISA_BEGIN
site0:
  auipc a0, 0
  CHECK_D(2, a0, site0)
site1:
  auipc a1, 1
  CHECK_D(3, a1, site1 + 0x1000)
site2:
  auipc a2, 0xfffff           /* -1 << 12 */
  CHECK_D(4, a2, site2 - 0x1000)
site3:
  auipc a3, 0x80000           /* sign-extended: pc - 0x80000000 */
  CHECK_D(5, a3, site3 - 0x80000000)
site4:
  auipc a4, 0x7ffff           /* largest positive offset */
  CHECK_D(6, a4, site4 + 0x7ffff000)

  /* The value equals the link address jal writes for the same pc. */
  jal ra, site5
site5:
  auipc a5, 0
  CHECK_REG(7, a5, ra)

  /* auipc + addi (la) and auipc + ld reach a data word. */
  la a6, value
  ld a7, 0(a6)
  CHECK_D(8, a7, 0x1122334455667788)
  CHECK_D(9, a6, value)
  beq x0, x0, pass

  .pushsection .data
  .balign 8
value: .dword 0x1122334455667788
  .popsection
ISA_END
