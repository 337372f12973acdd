/* Priority among simultaneously pending interrupts.
 * Spec 1.12 §3.1.9: interrupts for M-mode come before those for S-mode;
 * among one mode's interrupts the order is MEI, MSI, MTI, SEI, SSI, STI.
 * Each handler masks the cause it got (mie/sie) and returns; the next
 * pending one is taken at once (xRET re-evaluates the trap condition).
 * QEMU 7.2 (without AIA) takes the lowest cause number first, so only sets
 * where that agrees with the spec are tested: {MSI, MTI, SEI}, {SSI, STI},
 * and M-level before S-level. MEI first and SEI before SSI are not. */
#include "priv_macros.h"

/* Polls until all of `bits` are pending in mip, or fails as check n. */
#define WAIT_MIP(n, bits) \
  li t3, bits;            \
  li t2, POLL_LIMIT;      \
1: csrr t0, mip;          \
  and t0, t0, t3;         \
  beq t0, t3, 2f;         \
  addi t2, t2, -1;        \
  bnez t2, 1b;            \
  li TESTNUM, n;          \
  j fail;                 \
2:

TEST_START
test_main:
  la t0, mtrap_prio
  csrw mtvec, t0
  la t0, strap_prio
  csrw stvec, t0
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  csrw mideleg, zero
  csrw medeleg, zero
  la s9, order

  /* Run A, all for M: MSI (CLINT msip), MTI (mtimecmp = 0), SEI (mip). */
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)
  li t0, MIP_SEIP
  csrs mip, t0
  WAIT_MIP(1, MIP_MSIP | MIP_MTIP | MIP_SEIP)
  li t0, MIP_MSIP | MIP_MTIP | MIP_SEIP
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE             /* three traps happen here */
  csrci mstatus, MSTATUS_MIE
  la t0, order
  sub t0, s9, t0
  CHECK_EQ(2, t0, 3 * 8)
  la t4, order
  ld t0, 0(t4)
  CHECK_EQ(3, t0, 0x303)
  ld t0, 8(t4)
  CHECK_EQ(4, t0, 0x307)
  ld t0, 16(t4)
  CHECK_EQ(5, t0, 0x309)

  /* Run B, for M: SSI and STI (mip). */
  li t0, MIP_SSIP | MIP_STIP
  csrs mip, t0
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  la t0, order
  sub t0, s9, t0
  CHECK_EQ(6, t0, 5 * 8)
  la t4, order
  ld t0, 24(t4)
  CHECK_EQ(7, t0, 0x301)
  ld t0, 32(t4)
  CHECK_EQ(8, t0, 0x305)

  /* Run C: SSI and STI delegated, MTI (still pending) for M. In S with
     SIE = 1 the M-level MTI (always enabled below M) comes first although
     its cause number is the highest, then SSI, STI to S. */
  li t0, MIP_SSIP | MIP_STIP
  csrw mideleg, t0
  ori t0, t0, MIP_MTIP
  csrw mie, t0
  csrsi sstatus, MSTATUS_SIE
  MRET_TO(PRV_S, in_s)
in_s:
  csrci sstatus, MSTATUS_SIE
  la t0, order
  sub t0, s9, t0
  CHECK_EQ(9, t0, 8 * 8)
  la t4, order
  ld t0, 40(t4)
  CHECK_EQ(10, t0, 0x307)
  ld t0, 48(t4)
  CHECK_EQ(11, t0, 0x101)
  ld t0, 56(t4)
  CHECK_EQ(12, t0, 0x105)
  j pass

/* Appends (level << 8) | cause to `order`, masks that interrupt, returns. */
  .balign 256
mtrap_prio:
  csrr t0, mcause
  bgez t0, fail                          /* no exceptions expected */
  andi t0, t0, 0xff
  li t1, 1
  sll t1, t1, t0
  csrc mie, t1
  ori t0, t0, 0x300
  sd t0, 0(s9)
  addi s9, s9, 8
  mret
  j fail

  .balign 256
strap_prio:
  csrr t0, scause
  bgez t0, fail
  andi t0, t0, 0xff
  li t1, 1
  sll t1, t1, t0
  csrc sie, t1
  ori t0, t0, 0x100
  sd t0, 0(s9)
  addi s9, s9, 8
  sret
  j fail

  PASS_FAIL_LABELS

  .data
  .balign 8
order:
  .zero 16 * 8
