/* mstatus.TSR, TW and TVM trap S-mode instructions into M.
 * Spec 1.12 §3.1.6.5: TVM = 1 makes satp accesses and sfence.vma in S
 * illegal; TW = 1 makes wfi in S illegal (when it does not complete at
 * once); TSR = 1 makes sret in S illegal. None of them affects M-mode. */
#include "priv_macros.h"

#define ILLEGAL(n, ...)                 \
  ARM_SKIP;                             \
  la s8, 1f;                            \
1: __VA_ARGS__;                         \
  EXPECT_TRAP(n, PRV_M, CAUSE_ILLEGAL); \
  CHECK_REG(n, s3, s8);                 \
  CHECK_TVAL_INSN(n)

#define LEGAL(n, ...) \
  ARM_SKIP;           \
  __VA_ARGS__;        \
  EXPECT_NO_TRAP(n)

/* From S: sets (csrs) or clears (csrc) mstatus bits through an M ecall. */
#define M_STATUS(op, bits) \
  li a0, bits;             \
  li a1, op;               \
  ecall

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  la t0, mtrap_cmd                       /* M ecalls change mstatus */
  csrw mtvec, t0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
  csrc mstatus, t0
  MRET_TO(PRV_S, in_s)

in_s:
  /* TVM = 0: satp and sfence.vma are fine in S. */
  LEGAL(1, csrr t0, satp)
  LEGAL(2, csrw satp, zero)
  LEGAL(3, sfence.vma)
  M_STATUS(1, MSTATUS_TVM)
  ILLEGAL(4, csrr t0, satp)
  ILLEGAL(5, csrw satp, zero)
  ILLEGAL(6, sfence.vma)
  la a2, in_s
  ILLEGAL(7, sfence.vma a2, zero)
  M_STATUS(0, MSTATUS_TVM)
  LEGAL(8, csrr t0, satp)

  /* TSR = 0: sret in S works (back to S). */
  SRET_TO(PRV_S, s_again)
s_again:
  M_STATUS(1, MSTATUS_TSR)
  ARM_SKIP
  la s8, 1f
1: sret                                  /* SPP = U here, but it must trap */
  EXPECT_TRAP(10, PRV_M, CAUSE_ILLEGAL)
  CHECK_REG(11, s3, s8)
  M_STATUS(0, MSTATUS_TSR)

  /* TW = 0: wfi in S does not trap. An interrupt pending and enabled in mie
     (SSI, delegated, but sstatus.SIE = 0 so never taken) lets it finish. */
  M_STATUS(1, 0)                         /* mip.SSIP = 1 etc., see mtrap_cmd */
  LEGAL(12, wfi)
  M_STATUS(1, MSTATUS_TW)
  ILLEGAL(13, wfi)
  M_STATUS(0, MSTATUS_TW)
  LEGAL(14, wfi)
  ECALL_TO_M(back_in_m)

back_in_m:
  /* M-mode is not affected by TSR/TW/TVM: satp, sfence.vma and sret work
     (sret to M's own code in S, which ecalls back). */
  INSTALL_HANDLERS
  li t0, MIP_SSIP
  csrc mip, t0
  csrc mie, t0
  li t0, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW
  csrs mstatus, t0
  LEGAL(20, csrr t0, satp)
  LEGAL(21, sfence.vma)
  SRET_TO(PRV_S, s_last)
s_last:
  ECALL_TO_M(done)
done:
  EXPECT_TRAP(22, PRV_M, CAUSE_ECALL_S)
  CHECK_EQ(23, s7, 8)                    /* 4 TVM + 1 TSR + 1 TW + 2 ecalls */
  j pass

/* M handler for this test: an ecall from S with a1 = 1 sets, a1 = 0 clears
   the mstatus bits in a0 (a0 = 0 with a1 = 1: arm the pending SSI for the
   wfi cases); everything else goes to the record handler. */
  .balign 256
mtrap_cmd:
  csrr t0, mcause
  addi t0, t0, -CAUSE_ECALL_S
  bnez t0, mtrap_record
  bnez s1, mtrap_record                  /* ECALL_TO_M */
  bnez a0, 2f
  li t0, MIP_SSIP
  csrs mideleg, t0
  csrs mie, t0
  csrs mip, t0
  csrci mstatus, MSTATUS_SIE
  j 3f
2: beqz a1, 1f
  csrs mstatus, a0
  j 3f
1: csrc mstatus, a0
3: csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
  j fail

  PRIV_HANDLERS
  PASS_FAIL_LABELS
