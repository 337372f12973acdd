/* Basic machine/supervisor CSR fields and views.
 * Spec 1.12: misa has MXL = 2 and the I, M, A, F, D, C, S, U bits
 * (§3.1.1); mstatus.SXL/UXL read 2 on this RV64-only hart (§3.1.6.2);
 * sstatus is a restricted view of mstatus (§4.1.1); sie/sip show only the
 * delegated interrupts, the others read-only zero (§3.1.9); xtvec MODE 2
 * and 3 are reserved, so a read gives 0 or 1 (§3.1.7); with C, xepc[1]
 * is writable (§3.1.14). */
#include "priv_macros.h"

#define SSTATUS_HIDDEN (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define S_IRQS (MIP_SSIP | MIP_STIP | MIP_SEIP)

TEST_START
test_main:
  INSTALL_HANDLERS
  csrw mie, zero
  csrw mideleg, zero
  csrw medeleg, zero
  li s7, 0

  /* misa */
  csrr t0, misa
  srli t1, t0, 62
  CHECK_EQ(1, t1, 2)
  li t1, (1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('A' - 'A')) | (1 << ('F' - 'A')) | (1 << ('D' - 'A')) | (1 << ('C' - 'A')) | (1 << ('S' - 'A')) | (1 << ('U' - 'A'))
  and t2, t0, t1
  CHECK_REG(2, t2, t1)
  csrr t0, mhartid
  CHECK_EQ(3, t0, 0)

  /* mstatus.SXL and UXL; sstatus.UXL */
  csrr t0, mstatus
  srli t1, t0, 34
  andi t1, t1, 3
  CHECK_EQ(4, t1, 2)
  srli t1, t0, 32
  andi t1, t1, 3
  CHECK_EQ(5, t1, 2)
  csrr t0, sstatus
  srli t1, t0, 32
  andi t1, t1, 3
  CHECK_EQ(6, t1, 2)

  /* sstatus: shared fields go both ways, M-only fields are invisible and
     cannot be written through it. */
  csrci mstatus, MSTATUS_MIE
  li t0, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW
  csrs mstatus, t0
  li t0, MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TSR
  csrc mstatus, t0
  csrsi mstatus, MSTATUS_SIE
  csrr t0, sstatus
  andi t1, t0, MSTATUS_SIE
  CHECK_EQ(7, t1, MSTATUS_SIE)
  li t2, SSTATUS_HIDDEN
  and t1, t0, t2
  CHECK_EQ(8, t1, 0)
  csrc sstatus, MSTATUS_SIE
  csrr t0, mstatus
  andi t1, t0, MSTATUS_SIE
  CHECK_EQ(9, t1, 0)
  li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR | SSTATUS_HIDDEN
  csrs sstatus, t0
  csrr t0, mstatus
  li t1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR
  and t2, t0, t1
  CHECK_REG(10, t2, t1)
  li t1, SSTATUS_HIDDEN
  and t2, t0, t1
  CHECK_EQ(11, t2, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW)
  li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR | SSTATUS_HIDDEN
  csrc sstatus, t0
  csrr t0, mstatus
  li t1, SSTATUS_HIDDEN | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR
  and t2, t0, t1
  CHECK_EQ(12, t2, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW)
  li t0, MSTATUS_TW
  csrc mstatus, t0

  /* mideleg: the three S interrupts are delegable */
  li t0, S_IRQS
  csrw mideleg, t0
  csrr t1, mideleg
  and t1, t1, t0
  CHECK_REG(13, t1, t0)

  /* sie: a view of mie through mideleg */
  csrw mideleg, zero
  li t0, S_IRQS | MIP_MSIP | MIP_MTIP
  csrw mie, t0
  csrr t1, sie
  CHECK_EQ(14, t1, 0)                    /* nothing delegated */
  li t0, S_IRQS
  csrw mideleg, t0
  csrr t1, sie
  CHECK_EQ(15, t1, S_IRQS)               /* M bits stay hidden */
  csrw sie, zero
  csrr t1, mie
  CHECK_EQ(16, t1, MIP_MSIP | MIP_MTIP)
  li t0, MIP_SSIP
  csrw mideleg, t0
  li t0, -1
  csrw sie, t0                           /* only SSIE is reachable */
  csrr t1, mie
  CHECK_EQ(17, t1, MIP_MSIP | MIP_MTIP | MIP_SSIP)
  csrr t1, sie
  CHECK_EQ(18, t1, MIP_SSIP)
  csrw mie, zero

  /* sip: a view of mip through mideleg */
  csrw mideleg, zero
  li t0, MIP_SSIP | MIP_STIP
  csrs mip, t0
  csrr t1, sip
  andi t1, t1, MIP_SSIP | MIP_STIP
  CHECK_EQ(19, t1, 0)
  li t0, MIP_SSIP | MIP_STIP
  csrw mideleg, t0
  csrr t1, sip
  andi t1, t1, MIP_SSIP | MIP_STIP
  CHECK_EQ(20, t1, MIP_SSIP | MIP_STIP)
  li t0, MIP_SSIP
  csrc sip, t0
  csrr t1, mip
  andi t1, t1, MIP_SSIP | MIP_STIP
  CHECK_EQ(21, t1, MIP_STIP)
  li t0, MIP_STIP
  csrc mip, t0
  csrw mideleg, zero

  /* xtvec: direct/vectored read back; reserved modes give a legal mode */
  la s9, mtrap_record
  csrw mtvec, s9
  csrr t0, mtvec
  CHECK_REG(22, t0, s9)
  ori t1, s9, 2
  csrw mtvec, t1
  csrr t0, mtvec
  andi t0, t0, 2
  CHECK_EQ(23, t0, 0)
  ori t1, s9, 3
  csrw mtvec, t1
  csrr t0, mtvec
  andi t0, t0, 2
  CHECK_EQ(24, t0, 0)
  csrw mtvec, s9
  la s9, strap_record
  ori t1, s9, 3
  csrw stvec, t1
  csrr t0, stvec
  andi t0, t0, 2
  CHECK_EQ(25, t0, 0)
  csrw stvec, s9
  csrr t0, stvec
  CHECK_REG(26, t0, s9)

  /* xepc bit 1 is writable (C is implemented). (Bit 0 must read zero, but
     QEMU 7.2 keeps it, so that is not tested.) */
  li t0, 0x80001232
  csrw mepc, t0
  csrr t1, mepc
  CHECK_REG(27, t1, t0)
  csrw sepc, t0
  csrr t1, sepc
  CHECK_REG(28, t1, t0)
  CHECK_EQ(29, s7, 0)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
