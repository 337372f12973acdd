/* Supervisor timer interrupt raised by M-mode software in mip.STIP.
 * Spec 1.12 §3.1.9, §4.1.3: STIP is writable in mip by M (no Sstc use
 * here: menvcfg.STCE = 0 at reset) and read-only in sip; delegated it traps
 * to S with scause = 2^63 | 5, otherwise to M with mcause = 2^63 | 5. */
#include "priv_macros.h"

TEST_START
test_main:
  la t0, mtrap_record
  csrw mtvec, t0
  la t0, strap_sti
  csrw stvec, t0
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  csrw medeleg, zero
  li s7, 0

  /* Not delegated: M takes it (its handler skips an instruction, so the
     csrs is followed by a nop). */
  li t0, MIP_STIP
  csrs mip, t0
  csrs mie, t0
  csrr t1, mip
  andi t1, t1, MIP_STIP
  CHECK_EQ(1, t1, MIP_STIP)
  ARM_TRAP(1f)
  la s8, 2f
  csrsi mstatus, MSTATUS_MIE
2: nop
  j fail
1:
  EXPECT_TRAP(2, PRV_M, INTR(5))
  CHECK_REG(3, s3, s8)
  li t0, MIP_STIP
  csrc mie, t0

  /* Delegated: S takes it with SIE = 1. */
  li t0, MIP_STIP
  csrs mideleg, t0
  csrs mie, t0
  csrsi sstatus, MSTATUS_SIE
  li t0, MSTATUS_SPIE
  csrs sstatus, t0
  li s6, 0
  MRET_TO(PRV_S, in_s)
in_s:                                    /* taken right at this address */
  EXPECT_TRAP(4, PRV_S, INTR(5))
  la t0, in_s
  CHECK_REG(5, s3, t0)
  CHECK_EQ(6, s4, 0)
  CHECK_EQ(7, s7, 2)
  /* S cannot clear it: sip.STIP is read-only */
  li t0, MIP_STIP
  csrc sip, t0
  csrr t1, sip
  andi t1, t1, MIP_STIP
  CHECK_EQ(8, t1, MIP_STIP)
  ECALL_TO_M(in_m)
in_m:
  EXPECT_TRAP(9, PRV_M, CAUSE_ECALL_S)
  li t0, MIP_STIP
  csrc mip, t0
  csrr t1, mip
  andi t1, t1, MIP_STIP
  CHECK_EQ(10, t1, 0)
  /* nor can S set it */
  MRET_TO(PRV_S, in_s2)
in_s2:
  li t0, MIP_STIP
  csrs sip, t0
  csrr t1, sip
  andi t1, t1, MIP_STIP
  CHECK_EQ(11, t1, 0)
  CHECK_EQ(12, s7, 3)
  j pass

/* S: records and disables STIE (S cannot clear the pending bit). */
  .balign 256
strap_sti:
  csrr s2, scause
  csrr s3, sepc
  csrr s4, stval
  csrr s5, sstatus
  li s6, PRV_S
  addi s7, s7, 1
  li t0, MIP_STIP
  csrc sie, t0
  sret
  j fail

  PRIV_HANDLERS
  PASS_FAIL_LABELS
