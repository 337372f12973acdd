/* Machine external interrupt through the PLIC (context 0 = hart 0 M-mode)
 * from the UART's transmitter-empty interrupt (source 10).
 * Spec 1.12 §3.1.9: mip.MEIP follows the PLIC's M-mode context; mcause =
 * 2^63 | 11. PLIC spec: a source interrupts a context when its priority is
 * above the context's threshold; claim returns the source id and clears its
 * pending bit; the completion write re-arms it. NS16550A: with IER.ETBEI
 * set the empty transmit register raises the UART's line. */
#include "priv_macros.h"

/* Polls until (mip & bit) == want or fails as check n. */
#define POLL_MIP(n, bit, want) \
  li t2, POLL_LIMIT;           \
1: csrr t0, mip;               \
  li t1, bit;                  \
  and t0, t0, t1;              \
  li t1, want;                 \
  beq t0, t1, 2f;              \
  addi t2, t2, -1;             \
  bnez t2, 1b;                 \
  li TESTNUM, n;               \
  j fail;                      \
2:

TEST_START
test_main:
  la t0, mtrap_mei
  csrw mtvec, t0
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  li s7, 0
  li s6, 0
  li s9, -1

  /* PLIC: source 10 priority 1, enabled for context 0 with threshold 1
     (masks priority 1), not enabled for context 1. */
  li t0, PLIC_PRIORITY(UART_IRQ)
  li t1, 1
  sw t1, 0(t0)
  li t0, PLIC_ENABLE(0)
  li t1, 1 << UART_IRQ
  sw t1, 0(t0)
  li t0, PLIC_ENABLE(1)
  sw zero, 0(t0)
  li t0, PLIC_THRESHOLD(0)
  li t1, 1
  sw t1, 0(t0)
  li t0, PLIC_THRESHOLD(1)
  sw zero, 0(t0)
  POLL_MIP(1, MIP_MEIP, 0)

  /* UART: enable the transmitter-empty interrupt. The source becomes
     pending in the PLIC but stays below the threshold. */
  li t0, UART_IER
  li t1, 2
  sb t1, 0(t0)
  li t0, PLIC_PENDING
  li t2, POLL_LIMIT
1: lw t1, 0(t0)
  srli t1, t1, UART_IRQ
  andi t1, t1, 1
  bnez t1, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 2
  j fail
2:
  li t2, 1000
1: addi t2, t2, -1
  bnez t2, 1b
  csrr t0, mip
  li t1, MIP_MEIP
  and t0, t0, t1
  CHECK_EQ(3, t0, 0)                     /* priority 1 <= threshold 1 */

  /* threshold 0: MEIP rises */
  li t0, PLIC_THRESHOLD(0)
  sw zero, 0(t0)
  POLL_MIP(4, MIP_MEIP, MIP_MEIP)
  li t0, MIP_MEIP
  csrs mie, t0
  EXPECT_NO_TRAP(5)                      /* MIE = 0 */
  la s8, 1f
  csrsi mstatus, MSTATUS_MIE
1: nop
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP(6, PRV_M, INTR(11))
  CHECK_REG(7, s3, s8)
  CHECK_EQ(8, s9, UART_IRQ)              /* claim returned source 10 */
  CHECK_EQ(9, s7, 1)
  POLL_MIP(10, MIP_MEIP, 0)
  li t0, PLIC_CLAIM(0)                   /* nothing left to claim */
  lw t1, 0(t0)
  CHECK_EQ(11, t1, 0)
  j pass

/* Claims (s9 = source), silences the UART, completes. */
  .balign 256
mtrap_mei:
  csrr s2, mcause
  csrr s3, mepc
  csrr s5, mstatus
  li s6, PRV_M
  addi s7, s7, 1
  li t0, PLIC_CLAIM(0)
  lw s9, 0(t0)
  li t1, UART_IER
  sb zero, 0(t1)
  sw s9, 0(t0)
  mret
  j fail

  PASS_FAIL_LABELS
