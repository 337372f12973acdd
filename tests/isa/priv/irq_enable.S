/* Global and individual interrupt enables.
 * Spec 1.12 §3.1.6.1, §3.1.9: an interrupt for M is taken in M only when
 * mstatus.MIE = 1, but always when the hart runs in S or U; one for S
 * (delegated) is taken in S only when sstatus.SIE = 1, always in U, never
 * in M; each also needs its bit in mie/sie. */
#include "priv_macros.h"

#define DELAY            \
  li t2, 1000;           \
1: addi t2, t2, -1;      \
  bnez t2, 1b

#define SET_MSIP(v)      \
  li t0, CLINT_MSIP;     \
  li t1, v;              \
  sw t1, 0(t0)

TEST_START
test_main:
  la t0, mtrap_en
  csrw mtvec, t0
  la t0, strap_en
  csrw stvec, t0
  PMP_OPEN_ALL
  csrci mstatus, MSTATUS_MIE
  csrci sstatus, MSTATUS_SIE
  csrw medeleg, zero
  li t0, MIP_SSIP
  csrw mideleg, t0
  li t0, MIP_MSIP | MIP_SSIP
  csrw mie, t0
  li s6, 0
  li s7, 0

  /* M with MIE = 0: MSI stays pending. */
  SET_MSIP(1)
  DELAY
  EXPECT_NO_TRAP(1)
  csrr t0, mip
  andi t0, t0, MIP_MSIP
  CHECK_EQ(2, t0, MIP_MSIP)

  /* mret to S with MPIE = 0 (so MIE stays 0): taken at the first S
     instruction anyway. */
  li t0, MSTATUS_MPIE
  csrc mstatus, t0
  MRET_TO(PRV_S, in_s)
in_s:
  EXPECT_TRAP(3, PRV_M, INTR(3))
  la t0, in_s
  CHECK_REG(4, s3, t0)
  li t1, MSTATUS_MPP | MSTATUS_MPIE
  and t2, s5, t1
  CHECK_EQ(5, t2, PRV_S << 11)           /* from S, where MIE was 0 */

  /* S raises MSI itself (the CLINT is accessible): taken in S. */
  li s6, 0
  SET_MSIP(1)
  li t2, POLL_LIMIT
1: bnez s6, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 6
  j fail
2: EXPECT_TRAP(7, PRV_M, INTR(3))

  /* S, SIE = 1 but sie.SSIE = 0: SSI stays pending; enabling it in sie
     takes it at once. */
  li t0, MIP_SSIP
  csrc sie, t0
  csrsi sstatus, MSTATUS_SIE
  li s6, 0
  csrs sip, t0
  DELAY
  EXPECT_NO_TRAP(8)
  li t0, MIP_SSIP
  la s8, 1f
  csrs sie, t0
1: EXPECT_TRAP(9, PRV_S, INTR(1))
  CHECK_REG(10, s3, s8)

  /* U with SIE = 0 and MIE = 0: both an S and an M interrupt are taken,
     M's first (M before S). */
  csrci sstatus, MSTATUS_SIE
  li t0, MIP_SSIP
  csrs sip, t0
  SET_MSIP(1)
  li s6, 0
  SRET_TO(PRV_U, in_u)
in_u:
  li t2, POLL_LIMIT
1: li t0, 5
  beq s7, t0, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li TESTNUM, 11
  j fail
2: la t4, order
  ld t0, 0(t4)
  CHECK_EQ(12, t0, 0x303)                /* taken in S with MIE = 0 */
  ld t0, 8(t4)
  CHECK_EQ(13, t0, 0x303)                /* raised from S */
  ld t0, 16(t4)
  CHECK_EQ(14, t0, 0x101)                /* SSI once sie.SSIE = 1 */
  ld t0, 24(t4)
  CHECK_EQ(15, t0, 0x303)                /* U: M's MSI first */
  ld t0, 32(t4)
  CHECK_EQ(16, t0, 0x101)                /* then S's SSI */
  j pass

/* Both handlers: record as usual, append (level << 8) | cause to `order`
   (entry s7 - 1), clear the source. Clobber t0, t1, a5 only. */
#define RECORD(level, cause_csr, epc_csr, status_csr) \
  csrr s2, cause_csr;                                 \
  csrr s3, epc_csr;                                   \
  csrr s5, status_csr;                                \
  li s6, level;                                       \
  andi t0, s2, 0xff;                                  \
  ori t0, t0, (level) << 8;                           \
  la t1, order;                                       \
  slli a5, s7, 3;                                     \
  add t1, t1, a5;                                     \
  sd t0, 0(t1);                                       \
  addi s7, s7, 1

  .balign 256
mtrap_en:
  RECORD(PRV_M, mcause, mepc, mstatus)
  bgez s2, fail
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  mret
  j fail

  .balign 256
strap_en:
  RECORD(PRV_S, scause, sepc, sstatus)
  bgez s2, fail
  li t0, MIP_SSIP
  csrc sip, t0
  sret
  j fail

  PASS_FAIL_LABELS

  .data
  .balign 8
order:
  .zero 8 * 8
