/* Physical memory protection: TOR, NA4 and NAPOT regions, permissions,
 * priority, and S/U accesses matching no entry.
 * Spec 1.12 §3.7: the lowest-numbered entry matching an address decides;
 * its R/W/X bits bind S and U (access faults 5 load, 7 store, 1 fetch,
 * tval = the address); M is unaffected by unlocked entries; if no entry
 * matches, M succeeds and S/U fail. There are 16 entries (pmpcfg0 holds 0..7,
 * pmpcfg2 8..15); entry 15 is the catch-all RWX region from PMP_OPEN_ALL.
 * Every PMP change is followed by sfence.vma (§3.7.2). */
#include "priv_macros.h"

/* t0 = NAPOT pmpaddr for the 4 KiB page at `sym` */
#define NAPOT_4K(sym)   \
  la t0, sym;           \
  srli t0, t0, 2;       \
  ori t0, t0, 0x1ff

#define CFG(entry, bits) ((bits) << (8 * (entry)))

/* Runs insn in the current mode and expects an access fault at address a0. */
#define FAULTS(n, cause, ...)  \
  li s6, 0;                    \
  __VA_ARGS__;                 \
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

  /* 0: NAPOT p1, R.    1: OFF, TOR base p2.   2: TOR [p2, p2+4K), RW.
     3: NA4 p3+0x10, no access.   4: NAPOT exec_nox, R.
     5: NAPOT exec_x, RX.   6: NAPOT p1, RW (loses to entry 0). */
  NAPOT_4K(p1)
  csrw pmpaddr0, t0
  csrw pmpaddr6, t0
  la t0, p2
  srli t0, t0, 2
  csrw pmpaddr1, t0
  la t0, p2 + 4096
  srli t0, t0, 2
  csrw pmpaddr2, t0
  la t0, p3 + 0x10
  srli t0, t0, 2
  csrw pmpaddr3, t0
  NAPOT_4K(exec_nox)
  csrw pmpaddr4, t0
  NAPOT_4K(exec_x)
  csrw pmpaddr5, t0
  li s9, CFG(0, PMP_NAPOT | PMP_R) | CFG(2, PMP_TOR | PMP_R | PMP_W) | CFG(3, PMP_NA4) | CFG(4, PMP_NAPOT | PMP_R) | CFG(5, PMP_NAPOT | PMP_R | PMP_X) | CFG(6, PMP_NAPOT | PMP_R | PMP_W)
  csrw pmpcfg0, s9
  sfence.vma
  csrr t0, pmpcfg0
  CHECK_REG(1, t0, s9)
  NAPOT_4K(p1)
  csrr t1, pmpaddr0
  CHECK_REG(2, t1, t0)
  la t0, p3 + 0x10
  srli t0, t0, 2
  csrr t1, pmpaddr3
  CHECK_REG(3, t1, t0)
  MRET_TO(PRV_S, in_s)

in_s:
  la a0, p1 + 8
  WORKS(10, ld t4, 0(a0))
  FAULTS(11, CAUSE_STORE_ACCESS, sd zero, 0(a0))   /* entry 0 beats 6 and 15 */
  la a0, p2 + 0xff8
  WORKS(12, ld t4, 0(a0); sd t4, 0(a0))
  la a0, p2 + 4096                       /* just past the TOR top: entry 15 */
  WORKS(13, sd zero, 0(a0))
  la a0, p2
  FAULTS(14, CAUSE_FETCH_ACCESS, jalr a0)  /* no X */
  CHECK_REG(15, s3, a0)
  la a0, p3 + 0x10                       /* the NA4 word */
  FAULTS(16, CAUSE_LOAD_ACCESS, lw t4, 0(a0))
  FAULTS(17, CAUSE_STORE_ACCESS, sw zero, 0(a0))
  FAULTS(18, CAUSE_LOAD_ACCESS, ld t4, 0(a0))
  la a0, p3 + 0x14
  WORKS(19, lw t4, 0(a0))
  la a0, p3 + 0x8
  WORKS(20, ld t4, 0(a0))
  la a0, exec_nox
  FAULTS(21, CAUSE_FETCH_ACCESS, jalr a0)
  WORKS(22, ld t4, 0(a0))                /* R only */
  la a0, exec_x
  WORKS(23, jalr a0)
  /* U is bound the same way; its ecall returns to M at in_m */
  la s1, in_m
  la a0, p3 + 0x10
  SRET_TO(PRV_U, u_probe)
u_probe:
  li s6, 0
  lw t4, 0(a0)
  ecall
  j fail

in_m:
  EXPECT_TRAP(30, PRV_M, CAUSE_LOAD_ACCESS)
  CHECK_REG(31, s4, a0)
  /* M ignores unlocked entries */
  la a0, p1
  WORKS(32, sd zero, 0(a0))
  la a0, p3 + 0x10
  WORKS(33, lw t4, 0(a0); sw t4, 0(a0))
  la a0, exec_nox
  WORKS(34, jalr a0)
  CHECK_EQ(35, s7, 7)

  /* No catch-all: entry 9 = TOR [0x80000000, p1) RX keeps the code
     reachable; p4 matches nothing. */
  li t0, 0x80000000 >> 2
  csrw pmpaddr8, t0
  la t0, p1
  srli t0, t0, 2
  csrw pmpaddr9, t0
  li t0, CFG(1, PMP_TOR | PMP_R | PMP_X)
  csrw pmpcfg2, t0
  sfence.vma
  la a0, p4
  WORKS(40, ld t4, 0(a0))                /* M: no match is fine */
  la s1, in_m2
  li s6, 0
  MRET_TO(PRV_S, s_nomatch)
s_nomatch:
  ld t4, 0(a0)
  ecall
in_m2:
  EXPECT_TRAP(41, PRV_M, CAUSE_LOAD_ACCESS)
  CHECK_REG(42, s4, a0)
  PMP_OPEN_ALL
  j pass

  PRIV_FAULT_HANDLER
  PASS_FAIL_LABELS

  .text
  .balign 4096
exec_nox:
  ret
  .balign 4096
exec_x:
  ret

DATA_PAGE(p1)
DATA_PAGE(p2)
DATA_PAGE(p3)
DATA_PAGE(p4)
