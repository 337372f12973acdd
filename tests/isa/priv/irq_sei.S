/* Supervisor external interrupt: from M software (mip.SEIP) and from the
 * PLIC's S-mode context 1 (UART, source 10).
 * Spec 1.12 §3.1.9, §4.1.3: SEIP is writable by M in mip, read-only in sip;
 * the PLIC's S context drives it as well; delegated it traps to S with
 * scause = 2^63 | 9. Context 1 does not touch MEIP. */
#include "priv_macros.h"

TEST_START
test_main:
  la t0, mtrap_record
  csrw mtvec, t0
  la t0, strap_sei
  csrw stvec, t0
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw medeleg, zero
  li t0, MIP_SEIP
  csrw mideleg, t0
  csrs mie, t0
  li s7, 0
  li s9, -1

  /* Software SEIP. */
  csrs mip, t0
  csrr t1, mip
  li t2, MIP_SEIP
  and t1, t1, t2
  CHECK_EQ(1, t1, MIP_SEIP)
  csrsi sstatus, MSTATUS_SIE             /* delegated: never taken in M */
  li s6, 0
  MRET_TO(PRV_S, in_s)
in_s:
  EXPECT_TRAP(2, PRV_S, INTR(9))
  la t0, in_s
  CHECK_REG(3, s3, t0)
  CHECK_EQ(4, s9, -1)                    /* not from the PLIC: nothing claimed */
  ECALL_TO_M(in_m)
in_m:
  li t0, MIP_SEIP
  csrc mip, t0
  csrr t1, mip
  and t1, t1, t0
  CHECK_EQ(5, t1, 0)

  /* PLIC context 1: source 10 priority 1, enabled, threshold 0; context 0
     has nothing enabled. */
  li t0, PLIC_PRIORITY(UART_IRQ)
  li t1, 1
  sw t1, 0(t0)
  li t0, PLIC_ENABLE(0)
  sw zero, 0(t0)
  li t0, PLIC_ENABLE(1)
  li t1, 1 << UART_IRQ
  sw t1, 0(t0)
  li t0, PLIC_THRESHOLD(1)
  sw zero, 0(t0)
  li t0, MIP_SEIP
  csrs mie, t0
  csrci sstatus, MSTATUS_SIE
  li s6, 0
  MRET_TO(PRV_S, in_s2)
in_s2:
  EXPECT_NO_TRAP(6)
  li t0, UART_IER
  li t1, 2
  sb t1, 0(t0)
  csrsi sstatus, MSTATUS_SIE
  li t2, POLL_LIMIT
1: bnez s6, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 7
  j fail
2: csrci sstatus, MSTATUS_SIE
  EXPECT_TRAP(8, PRV_S, INTR(9))
  CHECK_EQ(9, s9, UART_IRQ)
  CHECK_EQ(10, s7, 3)                    /* SEI, ecall, SEI */
  ECALL_TO_M(in_m2)
in_m2:
  csrr t1, mip
  li t0, MIP_SEIP | MIP_MEIP
  and t1, t1, t0
  CHECK_EQ(11, t1, 0)
  j pass

/* S: records; claims from context 1 (s9), silences the UART and completes
   when the PLIC has a source; otherwise disables SEIE (only M can clear the
   software SEIP). */
  .balign 256
strap_sei:
  csrr s2, scause
  csrr s3, sepc
  csrr s5, sstatus
  li s6, PRV_S
  addi s7, s7, 1
  li t0, PLIC_CLAIM(1)
  lw t1, 0(t0)
  beqz t1, 1f
  mv s9, t1
  li t2, UART_IER
  sb zero, 0(t2)
  sw t1, 0(t0)
  sret
  j fail
1: li t0, MIP_SEIP
  csrc sie, t0
  sret
  j fail

  PRIV_HANDLERS
  PASS_FAIL_LABELS
