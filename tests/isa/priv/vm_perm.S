/* Page permissions: R/W/X, the U bit with sstatus.SUM, and sstatus.MXR.
 * Spec 1.12 §4.1.1, §4.3.1: a load needs R (or X with MXR), a store W, a
 * fetch X; U-mode may only touch U pages; S may load/store U pages only
 * with SUM = 1 and may never execute them. Faults: 12 fetch, 13 load,
 * 15 store, tval = the VA. Faults go to M (PRIV_FAULT_HANDLER). */
#include "priv_macros.h"

#define U_ALIAS   0x40000000             /* U view of RAM: VA = PA + this */
#define L1_VA     0x40000000
#define RO_VA     0x40001000             /* R      -> page_a */
#define XO_VA     0x40002000             /* X      -> exec_page */
#define RW_VA     0x40003000             /* RW     -> page_a */
#define URW_VA    0x40004000             /* U RW   -> page_a */
#define UX_VA     0x40005000             /* U X    -> exec_page */
#define URO_VA    0x40006000             /* U R    -> page_a */

#define MAGIC 0x5a5aa5a5deadbeef

/* Runs `insn` (on a0) in the current mode; expects a fault `cause` at it. */
#define FAULTS(n, cause, ...)       \
  li s6, 0;                         \
  la s8, 1f;                        \
1: __VA_ARGS__;                     \
  EXPECT_TRAP(n, PRV_M, cause);     \
  CHECK_REG(n, s4, a0)

#define WORKS(n, ...) \
  li s6, 0;           \
  __VA_ARGS__;        \
  EXPECT_NO_TRAP(n)

/* From M: runs u_routine in U (through the U alias) on a0 = va; it ecalls
   back. s6 tells whether it faulted. */
#define RUN_U(routine, va)      \
  li a0, va;                    \
  la t0, routine;               \
  li t1, U_ALIAS;               \
  add t0, t0, t1;               \
  csrw mepc, t0;                \
  li t0, MSTATUS_MPP;           \
  csrc mstatus, t0;             \
  la s1, 2f;                    \
  li s6, 0;                     \
  mret;                         \
2:

TEST_START
test_main:
  la t0, mtrap_fault
  csrw mtvec, t0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  li s7, 0
  li s10, MAGIC
  la t0, page_a
  sd s10, 0(t0)
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_root, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_PTE_PA(pt_root, VPN(0x80000000 + U_ALIAS, 2), 0x80000000, PTE_LEAF_ALL | PTE_U)
  SET_PTE_SYM(pt_root, VPN(L1_VA, 2), pt_l1, PTE_V)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  SET_PTE_SYM(pt_l0, VPN(RO_VA, 0), page_a, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l0, VPN(XO_VA, 0), exec_page, PTE_V | PTE_X | PTE_A)
  SET_PTE_SYM(pt_l0, VPN(RW_VA, 0), page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(URW_VA, 0), page_a, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(UX_VA, 0), exec_page, PTE_V | PTE_X | PTE_U | PTE_A)
  SET_PTE_SYM(pt_l0, VPN(URO_VA, 0), page_a, PTE_V | PTE_R | PTE_U | PTE_A)
  SET_SATP(SATP_SV39, pt_root)
  li t0, MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, t0
  MRET_TO(PRV_S, in_s)

in_s:
  /* read-only page */
  li a0, RO_VA
  WORKS(1, ld t4, 0(a0))
  CHECK_REG(1, t4, s10)
  FAULTS(2, CAUSE_STORE_PAGE, sd zero, 0(a0))
  CHECK_REG(2, s3, s8)
  FAULTS(3, CAUSE_FETCH_PAGE, jalr a0)
  CHECK_REG(3, s3, a0)                   /* epc = the VA too */
  /* execute-only page: no loads unless MXR */
  li a0, XO_VA
  WORKS(4, jalr a0)
  FAULTS(5, CAUSE_LOAD_PAGE, ld t4, 0(a0))
  li t0, MSTATUS_MXR
  csrs sstatus, t0
  WORKS(6, lw t4, 0(a0))
  la t0, exec_page
  lw t0, 0(t0)
  CHECK_REG(7, t4, t0)                   /* the instruction word */
  FAULTS(8, CAUSE_STORE_PAGE, sw zero, 0(a0))
  li t0, MSTATUS_MXR
  csrc sstatus, t0
  /* read-write page without X */
  li a0, RW_VA
  WORKS(9, sd s10, 8(a0))
  FAULTS(10, CAUSE_FETCH_PAGE, jalr a0)
  /* U pages from S: only with SUM, never executable */
  li a0, URW_VA
  FAULTS(11, CAUSE_LOAD_PAGE, ld t4, 0(a0))
  FAULTS(12, CAUSE_STORE_PAGE, sd zero, 0(a0))
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  WORKS(13, ld t4, 0(a0))
  CHECK_REG(14, t4, s10)
  WORKS(15, sd s10, 0(a0))
  li a0, UX_VA
  FAULTS(16, CAUSE_FETCH_PAGE, jalr a0)  /* even with SUM */
  li t0, MSTATUS_SUM
  csrc sstatus, t0
  CHECK_EQ(17, s7, 8)
  /* and without SUM again, the U page faults again, though it was used
     (and is cached) a moment ago */
  li a0, URW_VA
  FAULTS(18, CAUSE_LOAD_PAGE, ld t4, 0(a0))
  FAULTS(19, CAUSE_STORE_PAGE, sd zero, 0(a0))
  la s1, in_m
  ecall
  j fail

in_m:
  /* U-mode: its own pages work, S pages fault, read-only stays so. */
  RUN_U(u_load, URW_VA)
  EXPECT_NO_TRAP(20)
  CHECK_REG(21, t4, s10)
  RUN_U(u_load, URO_VA)
  EXPECT_NO_TRAP(22)
  RUN_U(u_store, URO_VA)
  EXPECT_TRAP(23, PRV_M, CAUSE_STORE_PAGE)
  CHECK_REG(24, s4, a0)
  RUN_U(u_load, RO_VA)                   /* not a U page */
  EXPECT_TRAP(25, PRV_M, CAUSE_LOAD_PAGE)
  CHECK_REG(26, s4, a0)
  RUN_U(u_jump, UX_VA)
  EXPECT_NO_TRAP(27)
  RUN_U(u_jump, XO_VA)                   /* not a U page */
  EXPECT_TRAP(28, PRV_M, CAUSE_FETCH_PAGE)
  CHECK_REG(29, s4, a0)
  li t0, MSTATUS_SUM                     /* SUM does not matter for U */
  csrs mstatus, t0
  RUN_U(u_load, RW_VA)
  EXPECT_TRAP(30, PRV_M, CAUSE_LOAD_PAGE)
  CHECK_EQ(31, s7, 14)
  j pass

/* U routines (run through the U alias); ecall returns to M at s1. */
u_load:
  ld t4, 0(a0)
  ecall
u_store:
  sd zero, 0(a0)
  ecall
u_jump:
  jalr a0
  ecall

  PRIV_FAULT_HANDLER
  PASS_FAIL_LABELS

  .text
  .balign 4096
exec_page:
  ret

DATA_PAGE(pt_root)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
