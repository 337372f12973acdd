/* PMP lock bit.
 * Spec 1.12 §3.7.1: a locked entry (L = 1) ignores writes to its pmpcfg
 * field and pmpaddr register (and a locked TOR entry also locks the
 * pmpaddr below it) until reset, and its permissions bind M-mode as well.
 * Unlocked entries stay writable and never bind M. Locks cannot be undone,
 * so the locked regions are data pages only. */
#include "priv_macros.h"

#define NAPOT_4K(sym)   \
  la t0, sym;           \
  srli t0, t0, 2;       \
  ori t0, t0, 0x1ff

#define CFG(entry, bits) ((bits) << (8 * (entry)))

#define FAULTS(n, cause, ...)   \
  li s6, 0;                     \
  __VA_ARGS__;                  \
  EXPECT_TRAP(n, PRV_M, cause); \
  CHECK_REG(n, s4, a0)

#define WORKS(n, ...) \
  li s6, 0;           \
  __VA_ARGS__;        \
  EXPECT_NO_TRAP(n)

TEST_START
test_main:
  la t0, mtrap_fault
  csrw mtvec, t0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  li s7, 0

  /* 0: NAPOT p1, R, locked.   1: OFF, base p2.   2: TOR [p2, p2+4K), RW,
     locked.   3: NAPOT p3, no access, unlocked. */
  NAPOT_4K(p1)
  csrw pmpaddr0, t0
  la t0, p2
  srli t0, t0, 2
  csrw pmpaddr1, t0
  la t0, p2 + 4096
  srli t0, t0, 2
  csrw pmpaddr2, t0
  NAPOT_4K(p3)
  csrw pmpaddr3, t0
  li s9, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(2, PMP_L | PMP_TOR | PMP_R | PMP_W) | CFG(3, PMP_NAPOT)
  csrw pmpcfg0, s9
  sfence.vma
  csrr t0, pmpcfg0
  CHECK_REG(1, t0, s9)

  /* M is bound by the locked entries, not by the unlocked one. */
  la a0, p1
  WORKS(2, ld t4, 0(a0))
  FAULTS(3, CAUSE_STORE_ACCESS, sd zero, 0(a0))
  FAULTS(4, CAUSE_FETCH_ACCESS, jalr a0)
  la a0, p2 + 8
  WORKS(5, ld t4, 0(a0); sd t4, 0(a0))
  la a0, p2
  FAULTS(6, CAUSE_FETCH_ACCESS, jalr a0)
  la a0, p3
  WORKS(7, ld t4, 0(a0); sd t4, 0(a0))

  /* Writes to locked fields are ignored, unlocked ones change. */
  li t0, CFG(0, PMP_NAPOT | PMP_R | PMP_W | PMP_X) | CFG(2, PMP_TOR | PMP_R | PMP_W | PMP_X) | CFG(3, PMP_NAPOT | PMP_R)
  csrw pmpcfg0, t0
  sfence.vma
  csrr t1, pmpcfg0
  li t2, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(2, PMP_L | PMP_TOR | PMP_R | PMP_W) | CFG(3, PMP_NAPOT | PMP_R)
  CHECK_REG(8, t1, t2)
  NAPOT_4K(p1)
  mv t3, t0
  csrw pmpaddr0, zero
  csrr t1, pmpaddr0
  CHECK_REG(9, t1, t3)                   /* locked */
  la t3, p2
  srli t3, t3, 2
  csrw pmpaddr1, zero
  csrr t1, pmpaddr1
  CHECK_REG(10, t1, t3)                  /* below a locked TOR entry */
  la t3, p2 + 4096
  srli t3, t3, 2
  csrw pmpaddr2, zero
  csrr t1, pmpaddr2
  CHECK_REG(11, t1, t3)
  NAPOT_4K(p4)
  csrw pmpaddr3, t0                      /* unlocked: now p4 */
  csrr t1, pmpaddr3
  CHECK_REG(12, t1, t0)
  sfence.vma
  la a0, p1                              /* still read-only for M */
  FAULTS(13, CAUSE_STORE_ACCESS, sd zero, 0(a0))

  /* S sees the same: p1 read-only, p4 now read-only (entry 3), p3 free. */
  la s1, in_m
  MRET_TO(PRV_S, in_s)
in_s:
  la a0, p1
  WORKS(20, ld t4, 0(a0))
  FAULTS(21, CAUSE_STORE_ACCESS, sd zero, 0(a0))
  la a0, p4
  FAULTS(22, CAUSE_STORE_ACCESS, sd zero, 0(a0))
  la a0, p3
  WORKS(23, sd zero, 0(a0))
  ecall
in_m:
  CHECK_EQ(24, s7, 6)
  j pass

  PRIV_FAULT_HANDLER
  PASS_FAIL_LABELS

DATA_PAGE(p1)
DATA_PAGE(p2)
DATA_PAGE(p3)
DATA_PAGE(p4)
