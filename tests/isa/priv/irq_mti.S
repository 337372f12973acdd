/* Machine timer interrupt from the CLINT mtimecmp register.
 * Spec 1.12 §3.1.9, §3.2.1: mip.MTIP is set while mtime >= mtimecmp and is
 * cleared by writing mtimecmp; the interrupt traps with mcause = 2^63 | 7.
 * mtime only has to increase, so the test never depends on its rate. */
#include "priv_macros.h"

TEST_START
test_main:
  la t0, mtrap_mti
  csrw mtvec, t0
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  li s7, 0
  li s6, 0

  /* mtimecmp = max: MTIP clears. */
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK_EQ(1, t0, 0)

  /* mtime advances. */
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  li t2, POLL_LIMIT
1: ld t3, 0(t0)
  bne t3, t1, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 2
  j fail
2: sltu t4, t1, t3
  CHECK_EQ(3, t4, 1)

  /* mtimecmp = now + 100: the interrupt comes while polling. */
  li t0, MIP_MTIP
  csrs mie, t0
  csrsi mstatus, MSTATUS_MIE
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  addi t1, t1, 100
  li t0, CLINT_MTIMECMP
  sd t1, 0(t0)
poll_start:                              /* a slow host may trap here */
  li t2, POLL_LIMIT
poll:
  bnez s7, 2f
  addi t2, t2, -1
  bnez t2, poll
poll_end:
  li TESTNUM, 4
  j fail
2:
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP(5, PRV_M, INTR(7))
  CHECK_EQ(6, s4, 0)
  CHECK_EQ(7, s7, 1)                     /* taken once: the handler cleared it */
  la t0, poll_start                      /* mepc inside the polling loop */
  sltu t1, s3, t0
  CHECK_EQ(8, t1, 0)
  la t0, poll_end
  sltu t1, s3, t0
  CHECK_EQ(9, t1, 1)
  /* the handler saw mtime >= the mtimecmp that fired */
  li t0, CLINT_MTIMECMP
  ld t1, 0(t0)
  CHECK_EQ(10, t1, -1)
  sltu t0, s9, s10
  CHECK_EQ(11, t0, 0)
  /* mtimecmp in the past: MTIP at once (read without taking it) */
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK_EQ(12, t0, MIP_MTIP)
  j pass

/* Records the trap, samples mtime (s9) and mtimecmp (s10), then pushes
   mtimecmp to the maximum, which clears MTIP. */
  .balign 256
mtrap_mti:
  csrr s2, mcause
  csrr s3, mepc
  csrr s4, mtval
  csrr s5, mstatus
  li s6, PRV_M
  addi s7, s7, 1
  li t0, CLINT_MTIME
  ld s9, 0(t0)
  li t0, CLINT_MTIMECMP
  ld s10, 0(t0)
  li t1, -1
  sd t1, 0(t0)
  mret
  j fail

  PASS_FAIL_LABELS
