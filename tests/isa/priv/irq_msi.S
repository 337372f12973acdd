/* Machine software interrupt from the CLINT msip register.
 * Spec 1.12 §3.1.9: mip.MSIP follows msip; the interrupt traps to M with
 * mcause = 2^63 | 3 once mie.MSIE and mstatus.MIE are set. The trap
 * condition is evaluated right after a CSR write it depends on, so the
 * trap is taken at the instruction after the csrs that sets MIE (mepc). */
#include "priv_macros.h"

TEST_START
test_main:
  la t0, mtrap_msi
  csrw mtvec, t0
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  li s7, 0
  li s6, 0

  /* msip = 1 makes mip.MSIP = 1; nothing is taken while disabled. */
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t2, POLL_LIMIT
1: csrr t0, mip
  andi t0, t0, MIP_MSIP
  bnez t0, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 1
  j fail
2:
  li t0, MIP_MSIP
  csrs mie, t0                           /* enabled in mie, MIE still 0 */
  li t2, 1000
1: addi t2, t2, -1
  bnez t2, 1b
  EXPECT_NO_TRAP(2)

  la s8, 1f
  csrsi mstatus, MSTATUS_MIE
1: nop
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP(3, PRV_M, INTR(3))
  CHECK_REG(4, s3, s8)                   /* mepc: right after the csrs */
  CHECK_EQ(5, s4, 0)                     /* mtval */
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t2, s5, t1
  CHECK_EQ(6, t2, MSTATUS_MPP | MSTATUS_MPIE)
  CHECK_EQ(7, s7, 1)                     /* taken once: msip cleared */
  csrr t0, mip
  andi t0, t0, MIP_MSIP
  CHECK_EQ(8, t0, 0)
  li t0, CLINT_MSIP
  lw t1, 0(t0)
  CHECK_EQ(9, t1, 0)
  j pass

/* Records the trap, clears msip, returns to the interrupted instruction. */
  .balign 256
mtrap_msi:
  csrr s2, mcause
  csrr s3, mepc
  csrr s4, mtval
  csrr s5, mstatus
  li s6, PRV_M
  addi s7, s7, 1
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  mret
  j fail

  PASS_FAIL_LABELS
