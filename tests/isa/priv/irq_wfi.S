/* wfi and interrupts.
 * Spec 1.12 §3.3.3: wfi resumes when an interrupt is pending and enabled
 * in mie, whatever mstatus.MIE says; with MIE = 0 execution continues after
 * the wfi without a trap, with MIE = 1 the trap is taken. wfi may also
 * return early, so both cases poll in a bounded loop around it. */
#include "priv_macros.h"

/* mtimecmp = mtime + 5000 (long enough for the wfi to really wait) */
#define ARM_TIMER            \
  li t0, CLINT_MTIME;        \
  ld t1, 0(t0);              \
  li t2, 5000;               \
  add t1, t1, t2;            \
  li t0, CLINT_MTIMECMP;     \
  sd t1, 0(t0)

TEST_START
test_main:
  la t0, mtrap_wfi
  csrw mtvec, t0
  csrci mstatus, MSTATUS_MIE
  csrw mideleg, zero
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  li t0, MIP_MTIP
  csrw mie, t0
  li s6, 0
  li s7, 0

  /* MIE = 0: wfi wakes, no trap, MTIP pending. */
  ARM_TIMER
  li t2, POLL_LIMIT
1: wfi
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  bnez t0, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 1
  j fail
2: EXPECT_NO_TRAP(2)
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)

  /* MIE = 1: the wakeup traps, inside the wfi loop (or, on a slow host,
     just before it). */
  ARM_TIMER
  csrsi mstatus, MSTATUS_MIE
loop_start:
  li t2, POLL_LIMIT
loop:
  bnez s7, 2f
wfi_insn:
  wfi
  addi t2, t2, -1
  bnez t2, loop
loop_end:
  li TESTNUM, 3
  j fail
2: csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP(4, PRV_M, INTR(7))
  CHECK_EQ(5, s7, 1)
  la t0, loop_start
  sltu t1, s3, t0
  CHECK_EQ(6, t1, 0)                     /* loop_start <= mepc < loop_end */
  la t0, loop_end
  sltu t1, s3, t0
  CHECK_EQ(7, t1, 1)
  j pass

/* Records and silences the timer. If the interrupt came between the loop's
   check of s7 and the wfi, it returns past the wfi: otherwise the wfi would
   wait for an interrupt that has already been handled. */
  .balign 256
mtrap_wfi:
  csrr s2, mcause
  csrr s3, mepc
  csrr s5, mstatus
  li s6, PRV_M
  addi s7, s7, 1
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  la t0, wfi_insn
  bne s3, t0, 1f
  addi t0, t0, 4
  csrw mepc, t0
1: mret
  j fail

  PASS_FAIL_LABELS
