/* Supervisor software interrupt (mip.SSIP / sip.SSIP).
 * Spec 1.12 §3.1.9, §4.1.3: SSIP is writable by M in mip and, when
 * delegated (mideleg[1]), by S in sip. Not delegated, it traps to M
 * (mcause 2^63 | 1) when M's interrupts are enabled; delegated, it traps
 * to S (scause 2^63 | 1) when sstatus.SIE is set in S or always in U, and
 * never while the hart is in M. */
#include "priv_macros.h"

TEST_START
test_main:
  la t0, mtrap_irq
  csrw mtvec, t0
  la t0, strap_irq
  csrw stvec, t0
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  csrw medeleg, zero
  li s7, 0
  li s6, 0
  li s11, 0

  /* Not delegated: M takes it. */
  li t0, MIP_SSIP
  csrs mip, t0
  csrs mie, t0
  csrr t1, mip
  andi t1, t1, MIP_SSIP
  CHECK_EQ(1, t1, MIP_SSIP)
  EXPECT_NO_TRAP(2)
  la s8, 1f
  csrsi mstatus, MSTATUS_MIE
1: csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP(3, PRV_M, INTR(1))
  CHECK_REG(4, s3, s8)
  CHECK_EQ(5, s7, 1)

  /* Delegated, pending while in M with SIE = 1 and MIE = 1: not taken. */
  li t0, MIP_SSIP
  csrs mideleg, t0
  csrs mie, t0
  csrs mip, t0
  csrsi sstatus, MSTATUS_SIE
  csrsi mstatus, MSTATUS_MIE
  li t2, 1000
1: addi t2, t2, -1
  bnez t2, 1b
  csrci mstatus, MSTATUS_MIE
  CHECK_EQ(6, s7, 1)
  csrr t1, sip                           /* visible in sip */
  andi t1, t1, MIP_SSIP
  CHECK_EQ(7, t1, MIP_SSIP)
  li t0, MIP_SSIP
  csrc mip, t0

  /* In S with SIE = 0, S raises it itself through sip: pending, not taken;
     setting SIE takes it right away. */
  csrci sstatus, MSTATUS_SIE
  li t0, MSTATUS_SPIE
  csrc sstatus, t0
  MRET_TO(PRV_S, in_s)
in_s:
  li s6, 0
  li t0, MIP_SSIP
  csrs sip, t0
  csrr t1, sip
  andi t1, t1, MIP_SSIP
  CHECK_EQ(8, t1, MIP_SSIP)
  EXPECT_NO_TRAP(9)
  la s8, 1f
  csrsi sstatus, MSTATUS_SIE
1: csrci sstatus, MSTATUS_SIE
  EXPECT_TRAP(10, PRV_S, INTR(1))
  CHECK_REG(11, s3, s8)
  CHECK_EQ(12, s4, 0)
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and t2, s5, t1
  CHECK_EQ(13, t2, MSTATUS_SPP | MSTATUS_SPIE)
  CHECK_EQ(14, s7, 2)
  csrr t1, sip
  andi t1, t1, MIP_SSIP
  CHECK_EQ(15, t1, 0)                    /* the handler cleared it in sip */

  /* In U with SIE = 0: S interrupts are always enabled below S. */
  li s6, 0
  SRET_TO(PRV_U, in_u)
in_u:
  la s8, 1f
  la s1, in_m
  ecall                                  /* M sets SSIP and returns to U */
1: j fail
in_m:
  li t0, MIP_SSIP
  csrs mip, t0
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  la t0, after_u
  mv s11, t0
  li s6, 0
  mret
  j fail
after_u:
  EXPECT_TRAP(16, PRV_S, INTR(1))
  CHECK_REG(17, s3, s8)                  /* taken right after the mret */
  li t1, MSTATUS_SPP
  and t2, s5, t1
  CHECK_EQ(18, t2, 0)                    /* from U */
  j pass

/* M: records, clears mip.SSIP, returns. */
  .balign 256
mtrap_irq:
  csrr s2, mcause
  bgez s2, mtrap_ecall
  csrr s3, mepc
  csrr s4, mtval
  csrr s5, mstatus
  li s6, PRV_M
  addi s7, s7, 1
  li t0, MIP_SSIP
  csrc mip, t0
  mret
  j fail
mtrap_ecall:                             /* ECALL_TO_M */
  mv t0, s1
  li s1, 0
  jr t0

/* S: records, clears sip.SSIP; returns, or after the U case goes to s11. */
  .balign 256
strap_irq:
  csrr s2, scause
  csrr s3, sepc
  csrr s4, stval
  csrr s5, sstatus
  li s6, PRV_S
  addi s7, s7, 1
  li t0, MIP_SSIP
  csrc sip, t0
  bnez s11, 1f
  sret
  j fail
1: jr s11

  PASS_FAIL_LABELS
