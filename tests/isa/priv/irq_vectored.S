/* Vectored trap vectors (xtvec MODE = 1).
 * Spec 1.12 §3.1.7, §4.1.2: with MODE = 1 an interrupt with cause n jumps
 * to BASE + 4n, every exception to BASE. */
#include "priv_macros.h"

TEST_START
test_main:
  la s9, mvec
  ori t0, s9, 1
  csrw mtvec, t0
  csrr t1, mtvec
  CHECK_REG(1, t1, t0)
  la s9, svec
  ori t0, s9, 1
  csrw stvec, t0
  csrr t1, stvec
  CHECK_REG(2, t1, t0)
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  li t0, MIP_SSIP
  csrw mideleg, t0
  li t0, 1 << CAUSE_ECALL_U
  csrw medeleg, t0
  li s7, 0

  /* exception in M: entry 0 */
  li s10, -1
  ecall
  CHECK_EQ(3, s10, 0)
  CHECK_EQ(4, s2, CAUSE_ECALL_M)

  /* MSI in M: entry 3 */
  li s10, -1
  li t0, MIP_MSIP
  csrs mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t2, POLL_LIMIT
1: csrr t0, mip
  andi t0, t0, MIP_MSIP
  bnez t0, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 5
  j fail
2: csrsi mstatus, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  CHECK_EQ(6, s10, 3)
  CHECK_EQ(7, s2, INTR(3))

  /* SSI delegated, in S: stvec entry 1 */
  li s10, -1
  li t0, MIP_SSIP
  csrs mie, t0
  csrs mip, t0
  csrsi sstatus, MSTATUS_SIE
  MRET_TO(PRV_S, in_s)
in_s:
  CHECK_EQ(8, s10, 101)
  CHECK_EQ(9, s2, INTR(1))
  csrci sstatus, MSTATUS_SIE

  /* ecall from U delegated: stvec entry 0 */
  li s10, -1
  SRET_TO(PRV_U, in_u)
in_u:
  ecall
  CHECK_EQ(10, s10, 100)
  CHECK_EQ(11, s2, CAUSE_ECALL_U)
  CHECK_EQ(12, s7, 4)
  j pass

/* Each table entry is one jump to a stub that notes its entry in s10
   (S entries as 100 + i). */
mv0: li s10, 0
  j m_exc
mv3: li s10, 3
  j m_msi
sv0: li s10, 100
  j s_exc
sv1: li s10, 101
  j s_ssi

/* M: entry 0 skips the instruction, entry 3 clears msip. */
m_exc:
  csrr s2, mcause
  addi s7, s7, 1
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
  j fail
m_msi:
  csrr s2, mcause
  addi s7, s7, 1
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  mret
  j fail
/* S: entry 0 skips, entry 1 clears SSIP. */
s_exc:
  csrr s2, scause
  addi s7, s7, 1
  csrr t0, sepc
  addi t0, t0, 4
  csrw sepc, t0
  sret
  j fail
s_ssi:
  csrr s2, scause
  addi s7, s7, 1
  li t0, MIP_SSIP
  csrc sip, t0
  sret
  j fail

  .balign 256
mvec:
  j mv0
  j fail
  j fail
  j mv3
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail

  .balign 256
svec:
  j sv0
  j sv1
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail

  PASS_FAIL_LABELS
