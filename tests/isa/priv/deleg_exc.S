/* Exception delegation with medeleg.
 * Spec 1.12 §3.1.8, §4.1.1: a delegated trap from S or U goes to S-mode
 * (stvec) and sets scause, sepc, stval, SPP = previous mode, SPIE = SIE,
 * SIE = 0; a non-delegated one goes to M;
 * traps never go from M to a less-privileged mode even when delegated. */
#include "priv_macros.h"

#define UNMAPPED 0x40000000

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw mideleg, zero
  csrw satp, zero
  li s9, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_LOAD_PAGE)
  csrw medeleg, s9
  csrr t0, medeleg
  and t0, t0, s9
  CHECK_REG(1, t0, s9)                   /* the three bits are delegable */
  csrsi sstatus, MSTATUS_SIE             /* U runs with SIE = 1 */
  MRET_TO(PRV_U, in_u)

in_u:
  ARM_TRAP(in_s)
  la s8, 1f
1: ecall
  j fail

in_s:
  EXPECT_TRAP(2, PRV_S, CAUSE_ECALL_U)
  CHECK_REG(3, s3, s8)                   /* sepc */
  CHECK_EQ(4, s4, 0)                     /* stval */
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and t2, s5, t1
  CHECK_EQ(5, t2, MSTATUS_SPIE)          /* SPP = U, SPIE = 1, SIE = 0 */

  /* An illegal instruction in S is delegated too: S to S, SPP = S. */
  ARM_SKIP
  la s8, 1f
1: csrr t0, mstatus
  EXPECT_TRAP(6, PRV_S, CAUSE_ILLEGAL)
  CHECK_REG(7, s3, s8)
  CHECK_TVAL_INSN(8)
  li t1, MSTATUS_SPP | MSTATUS_SIE
  and t2, s5, t1
  CHECK_EQ(9, t2, MSTATUS_SPP)

  /* ecall from S is not delegated: M. */
  ARM_TRAP(in_m)
  ecall
  j fail
in_m:
  EXPECT_TRAP(10, PRV_M, CAUSE_ECALL_S)
  CHECK_EQ(11, s7, 3)

  /* Sv39: gigapages for the devices (VA 0) and RAM (VA 0x80000000); the
     gigapage at UNMAPPED is invalid. */
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_root, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_SATP(SATP_SV39, pt_root)
  MRET_TO(PRV_S, in_s_vm)

in_s_vm:
  /* load page fault: delegated to S */
  ARM_SKIP
  li a0, UNMAPPED
  la s8, 1f
1: ld t0, 0(a0)
  EXPECT_TRAP(12, PRV_S, CAUSE_LOAD_PAGE)
  CHECK_REG(13, s3, s8)
  CHECK_REG(14, s4, a0)                  /* stval = faulting VA */
  /* store page fault: not delegated, M */
  ARM_SKIP
  addi a1, a0, 8
  la s8, 1f
1: sd zero, 0(a1)
  EXPECT_TRAP(15, PRV_M, CAUSE_STORE_PAGE)
  CHECK_REG(16, s3, s8)
  CHECK_REG(17, s4, a1)                  /* mtval = faulting VA */
  ECALL_TO_M(in_m2)

in_m2:
  csrw satp, zero
  sfence.vma
  /* Traps from M stay in M although medeleg delegates them. */
  li t0, 1 << CAUSE_ECALL_M
  csrs medeleg, t0
  ARM_SKIP
  csrw mvendorid, zero                   /* illegal: read-only CSR */
  EXPECT_TRAP(18, PRV_M, CAUSE_ILLEGAL)
  ARM_SKIP
  ecall
  EXPECT_TRAP(19, PRV_M, CAUSE_ECALL_M)
  ARM_SKIP
  li a0, 0x80000000                      /* mapped nowhere now: satp is bare */
  ld t0, 0(a0)                           /* bare M: no fault at all */
  EXPECT_NO_TRAP(20)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(pt_root)
