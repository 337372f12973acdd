/* sret between S and U, and S to S.
 * Spec 1.12 §3.3.2, §4.1.1: sret returns to the mode in SPP and sets
 * SIE = SPIE, SPIE = 1, SPP = U; the S handler is entered with SPP = the
 * previous mode, SPIE = old SIE, SIE = 0. */
#include "priv_macros.h"

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw mideleg, zero
  li t0, 1 << CAUSE_ECALL_U              /* U ecalls go to the S handler */
  csrw medeleg, t0
  MRET_TO(PRV_S, in_s)

in_s:
  /* S -> S: sret with SPP = S, SPIE = 0, SIE = 1. */
  li t0, MSTATUS_SPIE
  csrc sstatus, t0
  csrsi sstatus, MSTATUS_SIE
  SRET_TO(PRV_S, s_again)
s_again:
  csrr t0, sstatus
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and t2, t0, t1
  CHECK_EQ(1, t2, MSTATUS_SPIE)          /* SIE = 0 (old SPIE), SPIE = 1, SPP = U */

  /* S -> U: sret with SPP = U and SPIE = 1 (left by the last sret), so U
     runs with SIE = 1. U's ecall is delegated to S. */
  SRET_TO(PRV_U, in_u)

in_u:
  ARM_TRAP(back_in_s)
  la s8, 1f
1: ecall
  j fail

back_in_s:
  EXPECT_TRAP(2, PRV_S, CAUSE_ECALL_U)
  CHECK_REG(3, s3, s8)                   /* sepc */
  CHECK_EQ(4, s4, 0)                     /* stval */
  /* entered from U: SPP = U; SIE in U was SPIE = 1 before the sret, so the
     trap saved SPIE = 1 and cleared SIE */
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and t2, s5, t1
  CHECK_EQ(5, t2, MSTATUS_SPIE)

  /* S -> U again via the record handler's sret (skips the ecall). */
  ARM_SKIP
  SRET_TO(PRV_U, in_u2)
in_u2:
  ecall                                  /* to S, skipped, sret back to U */
  mv s9, s6
  mv s10, s2
  ARM_TRAP(back_in_s2)
  ecall
  j fail

back_in_s2:
  CHECK_EQ(6, s9, PRV_S)
  CHECK_EQ(7, s10, CAUSE_ECALL_U)
  EXPECT_TRAP(8, PRV_S, CAUSE_ECALL_U)   /* so the sret went back to U */
  CHECK_EQ(9, s7, 3)

  /* S: ecall from S is not delegated: M. */
  ARM_TRAP(back_in_m)
  ecall
  j fail
back_in_m:
  EXPECT_TRAP(10, PRV_M, CAUSE_ECALL_S)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
