/* RV64I fence (all predecessor/successor sets, fence.tso, pause) on one
 * hart: a fence must execute without a trap and without changing any
 * register or memory; stores before it are seen by loads after it. The
 * reserved fm/rs1/rd encodings are ignored (treated as plain fences).
 * On one hart the ordering itself is not observable, so breaking fence
 * (skipping it) cannot fail this program.
 * Mutant: sd. */
#include "macros.h"

  .data
  .balign 8
fdata:
  .skip 16

ISA_BEGIN
  la a0, fdata
  li a1, 0x1122334455667788
  li a2, 0x0123456789abcdef

  sd a1, 0(a0)
  fence
  ld t1, 0(a0)
  CHECK_D(2, t1, 0x1122334455667788)

  sd a2, 8(a0)
  fence rw, rw
  ld t1, 8(a0)
  CHECK_D(3, t1, 0x0123456789abcdef)

  sd a2, 0(a0)
  fence w, r
  ld t1, 0(a0)
  CHECK_D(4, t1, 0x0123456789abcdef)

  sd a1, 8(a0)
  fence iorw, iorw
  fence r, r
  fence w, w
  fence i, o
  fence o, i
  fence.tso
  ld t1, 8(a0)
  CHECK_D(5, t1, 0x1122334455667788)

  /* pause (fence w, 0: Zihintpause) and a fence with rs1/rd fields set,
     which software must not rely on but hardware must execute as fence */
  sd x0, 0(a0)
  .word 0x0100000f            /* pause */
  .word 0x0ff5850f            /* fence iorw, iorw with rd = rs1 = a0/a1 */
  ld t1, 0(a0)
  CHECK_D(6, t1, 0)
  CHECK_D(7, a0, fdata)       /* the fence did not write rd */
  CHECK_D(8, a1, 0x1122334455667788)
  beq x0, x0, pass
ISA_END
