/* Illegal-instruction exceptions (cause 2) for privileged instructions and
 * CSR accesses beyond the current mode.
 * Spec 1.12 §2.1: accessing a CSR of a higher privilege level, writing a
 * read-only CSR (CSR number bits 11:10 = 11) or accessing a missing CSR is illegal. §3.3.2: mret is
 * illegal below M, sret is illegal in U. §4.2.1: sfence.vma is illegal in U.
 * mtval is 0 or the instruction bits (§3.1.16). */
#include "priv_macros.h"

/* Runs `insn`, expects an illegal-instruction trap into M at it. */
#define ILLEGAL(n, ...)                 \
  ARM_SKIP;                             \
  la s8, 1f;                            \
1: __VA_ARGS__;                         \
  EXPECT_TRAP(n, PRV_M, CAUSE_ILLEGAL); \
  CHECK_REG(n, s3, s8);                 \
  CHECK_TVAL_INSN(n)

/* Runs `insn`, expects no trap. */
#define LEGAL(n, ...) \
  ARM_SKIP;           \
  __VA_ARGS__;        \
  EXPECT_NO_TRAP(n)

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero

  /* M-mode: read-only and missing CSRs. */
  LEGAL(1, csrr t0, mhartid)
  /* (csrrs with an rs1 != x0 that holds 0 is a write too, but QEMU 7.2 only
     traps when the value is non-zero, so that is not tested.) */
  li t1, 1
  ILLEGAL(2, csrrs t0, mhartid, t1)
  ILLEGAL(3, csrw mvendorid, zero)
  ILLEGAL(4, csrw cycle, zero)
  ILLEGAL(5, csrr t0, 0x8ff)             /* no such CSR */
  CHECK_EQ(6, s7, 4)

  MRET_TO(PRV_S, in_s)
in_s:
  LEGAL(10, csrr t0, sstatus)
  ILLEGAL(11, csrr t0, mstatus)
  li t1, MSTATUS_MPP
  and t2, s5, t1
  CHECK_EQ(12, t2, PRV_S << 11)          /* the trap came from S */
  ILLEGAL(13, csrw mscratch, zero)
  ILLEGAL(14, csrr t0, mtvec)
  ILLEGAL(15, csrr t0, medeleg)
  ILLEGAL(16, csrr t0, pmpcfg0)
  ILLEGAL(17, csrr t0, mcycle)
  ILLEGAL(18, mret)
  CHECK_EQ(19, s7, 11)
  /* still in S: sret to U */
  SRET_TO(PRV_U, in_u)
in_u:
  ILLEGAL(20, sret)
  li t1, MSTATUS_MPP
  and t2, s5, t1
  CHECK_EQ(21, t2, PRV_U << 11)          /* the trap came from U */
  ILLEGAL(22, mret)
  ILLEGAL(23, csrr t0, sstatus)
  ILLEGAL(24, csrw sscratch, zero)
  ILLEGAL(25, csrr t0, satp)
  ILLEGAL(26, csrr t0, mstatus)
  ILLEGAL(27, sfence.vma)
  CHECK_EQ(28, s7, 18)
  ECALL_TO_M(back_in_m)
back_in_m:
  EXPECT_TRAP(29, PRV_M, CAUSE_ECALL_U)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
