/* ecall from S-mode (cause 9); mret into S-mode and back.
 * Spec 1.12 §3.1.6.1, §3.3.2: the trap records MPP = S and MPIE = the MIE
 * in effect in S. (mret to S also clears MPRV in 1.12, but QEMU 7.2 keeps
 * it, so that point is not tested.) */
#include "priv_macros.h"

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero

  /* mret to S with MPIE = 1: S runs with MIE = 1 (M interrupts are enabled
     in S anyway; none is enabled in mie). */
  li t0, MSTATUS_MPIE
  csrs mstatus, t0
  csrci mstatus, MSTATUS_MIE
  MRET_TO(PRV_S, in_s)

in_s:
  ARM_SKIP
  la s8, 1f
1: ecall                                 /* to M, skipped, back to S */
  mv s9, s5                              /* mstatus as the trap left it */
  mv s10, s3
  mv s11, s4
  ARM_TRAP(back_in_m)
  la a1, 2f
2: ecall                                 /* still S: cause 9 again */
  j fail

back_in_m:
  EXPECT_TRAP(1, PRV_M, CAUSE_ECALL_S)   /* second ecall */
  CHECK_REG(2, s3, a1)
  CHECK_EQ(3, s7, 2)
  CHECK_REG(4, s10, s8)                  /* first ecall: mepc */
  CHECK_EQ(5, s11, 0)                    /* mtval = 0 */
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t2, s9, t1
  CHECK_EQ(6, t2, (PRV_S << 11) | MSTATUS_MPIE)
  /* second trap: the handler's mret restored MIE = MPIE = 1 in S */
  and t2, s5, t1
  CHECK_EQ(7, t2, (PRV_S << 11) | MSTATUS_MPIE)
  /* now in M: mstatus.MIE = 0 from the trap, MPP = S */
  csrr t0, mstatus
  and t2, t0, t1
  CHECK_EQ(8, t2, (PRV_S << 11) | MSTATUS_MPIE)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
