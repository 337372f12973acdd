/* ecall from M-mode (cause 11) and mret back to M-mode.
 * Spec 1.12 §3.1.6.1, §3.3.1, §3.3.2: a trap into M sets mepc to the
 * trapping instruction, mcause, mtval = 0 for ecall, MPP = previous mode,
 * MPIE = old MIE, MIE = 0; mret sets MIE = MPIE, MPIE = 1, MPP = U (least
 * privileged supported mode) and jumps to mepc. */
#include "priv_macros.h"

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  csrw mie, zero            /* no interrupt source enabled: MIE is safe */

  /* ecall with MIE = 0 and a stale MPIE = 1 and stale mtval. */
  csrci mstatus, MSTATUS_MIE
  li t0, MSTATUS_MPIE
  csrs mstatus, t0
  li t0, 0x123
  csrw mtval, t0
  ARM_SKIP
  la s8, 1f
1: ecall
  EXPECT_TRAP(1, PRV_M, CAUSE_ECALL_M)
  CHECK_REG(2, s3, s8)                   /* mepc = the ecall */
  CHECK_EQ(3, s4, 0)                     /* mtval = 0 */
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t2, s5, t1
  CHECK_EQ(4, t2, MSTATUS_MPP)           /* MPP = M, MPIE = 0, MIE = 0 */
  csrr t0, mstatus                       /* after mret: MIE = 0, MPIE = 1, MPP = U */
  and t2, t0, t1
  CHECK_EQ(5, t2, MSTATUS_MPIE)
  CHECK_EQ(6, s7, 1)

  /* ecall with MIE = 1: the trap saves it in MPIE, mret restores it. */
  csrsi mstatus, MSTATUS_MIE
  ARM_SKIP
  ecall
  EXPECT_TRAP(7, PRV_M, CAUSE_ECALL_M)
  and t2, s5, t1
  CHECK_EQ(8, t2, MSTATUS_MPP | MSTATUS_MPIE)
  csrr t0, mstatus
  and t2, t0, t1
  CHECK_EQ(9, t2, MSTATUS_MPIE | MSTATUS_MIE)
  csrci mstatus, MSTATUS_MIE

  /* mret jumps to mepc in mode MPP = M. */
  MRET_TO(PRV_M, 2f)
2:
  ARM_SKIP
  ecall                                  /* still M: cause 11 */
  EXPECT_TRAP(10, PRV_M, CAUSE_ECALL_M)
  CHECK_EQ(11, s7, 3)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
