/* ecall from U-mode (cause 8); mret and sret into U-mode.
 * Spec 1.12 §3.1.6.1, §3.3.2, §4.1.1: the trap records MPP = U; sret from M
 * with SPP = U enters U and sets SPP = U, SIE = SPIE, SPIE = 1. */
#include "priv_macros.h"

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrci mstatus, MSTATUS_MIE
  li t0, MSTATUS_MPIE
  csrc mstatus, t0                       /* U will run with MIE = 0 */
  MRET_TO(PRV_U, in_u)

in_u:
  ARM_SKIP
  la s8, 1f
1: ecall                                 /* to M, skipped, back to U */
  mv s9, s5
  mv s10, s3
  mv s11, s4
  ARM_TRAP(back_in_m)
  la a1, 2f
2: ecall                                 /* still U: cause 8 again */
  j fail

back_in_m:
  EXPECT_TRAP(1, PRV_M, CAUSE_ECALL_U)
  CHECK_REG(2, s3, a1)
  CHECK_EQ(3, s7, 2)
  CHECK_REG(4, s10, s8)
  CHECK_EQ(5, s11, 0)
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t2, s9, t1
  CHECK_EQ(6, t2, 0)                     /* MPP = U, MPIE = MIE of U = 0 */
  and t2, s5, t1
  CHECK_EQ(7, t2, 0)

  /* sret from M with SPP = U, SPIE = 1, SIE = 0: enters U, then
     SIE = 1, SPIE = 1, SPP = U. */
  li t0, MSTATUS_SPIE
  csrs mstatus, t0
  csrci mstatus, MSTATUS_SIE
  SRET_TO(PRV_U, in_u2)

in_u2:
  ARM_TRAP(back_in_m2)
  ecall
  j fail

back_in_m2:
  EXPECT_TRAP(10, PRV_M, CAUSE_ECALL_U)
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and t2, s5, t1
  CHECK_EQ(11, t2, MSTATUS_SPIE | MSTATUS_SIE)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
