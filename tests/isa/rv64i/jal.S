/* RV64I jal: jumps to pc + sign-extended offset and writes pc + 4 to rd
 * (nothing for rd = x0). Each jal is followed by FAIL_HERE, so a jal that
 * does not jump fails the test.
 * Mutant: jal (skipped: falls into FAIL_HERE). The checks reach `fail` with
 * short branches only (a far branch would be relaxed into a jal), so the
 * pass/fail code sits at the top and the far part has a jalr stub. */
#include "macros.h"

ISA_BEGIN
  beq x0, x0, start
ISA_END

start:
  /* forward, link in ra */
site_fwd:
  jal ra, 1f
  FAIL_HERE(2)
1:
  CHECK_D(3, ra, site_fwd + 4)

  /* backward, link in t1 */
  beq x0, x0, 3f
2:
  CHECK_D(4, t1, site_back + 4)
  beq x0, x0, 4f
3:
site_back:
  jal t1, 2b
  FAIL_HERE(5)
4:

  /* rd = x0 (plain j): no link written, x0 stays zero */
  jal x0, 5f
  FAIL_HERE(6)
5:
  CHECK_D(7, x0, 0)

  /* rd = the register the target then reads */
site_s0:
  jal s0, 6f
  FAIL_HERE(8)
6:
  CHECK_D(9, s0, site_s0 + 4)

  /* a long forward jump over 16 KiB (offset bits above 11 in use) */
site_far:
  jal a0, far_target
  FAIL_HERE(10)
  .skip 0x4000
far_target:
  CHECK_D_TO(11, a0, site_far + 4, fail_far)
  beq x0, x0, 7f

  /* target of the long backward jump below */
far_back_target:
  CHECK_D_TO(12, a1, site_far_back + 4, fail_far)
  la t5, pass
  jalr x0, 0(t5)

fail_far:                     /* reaches `fail` without jal */
  la t5, fail
  jalr x0, 0(t5)

7:
  la t5, site_far_back
  jalr x0, 0(t5)
  .skip 0x4000
site_far_back:
  jal a1, far_back_target
  li TESTNUM, 13
  la t5, fail
  jalr x0, 0(t5)
