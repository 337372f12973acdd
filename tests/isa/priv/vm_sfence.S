/* sfence.vma makes page-table changes visible.
 * Spec 1.12 §4.2.1: after S changes a PTE, sfence.vma (all, or for the
 * changed VA) guarantees later accesses use the new PTE. (What happens
 * without it is unspecified, so it is not tested.) */
#include "priv_macros.h"

#define L1_VA  0x40000000
#define VA     0x40003000
#define VA2    0x40010000  /* its TLB slot is used by nothing else here */
#define MAGIC_A 0x1111222233334444
#define MAGIC_B 0x5555666677778888
#define MAGIC_C 0x0123456789abcdef
#define MAGIC_D 0x7edcba9876543210

/* pt_l0[VPN(VA)] = PTE(frame in a1, flags), written from S through the
   identity mapping of RAM. */
#define REMAP(flags)          \
  srli t1, a1, 12;            \
  slli t1, t1, 10;            \
  ori t1, t1, flags;          \
  la t0, pt_l0;               \
  sd t1, VPN(VA, 0) * 8(t0)

/* The same for VA2. */
#define REMAP2(flags)         \
  srli t1, a1, 12;            \
  slli t1, t1, 10;            \
  ori t1, t1, flags;          \
  la t0, pt_l0;               \
  sd t1, VPN(VA2, 0) * 8(t0)

TEST_START
test_main:
  INSTALL_HANDLERS
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  li s7, 0
  li s10, MAGIC_A
  la t0, page_a
  sd s10, 0(t0)
  li s11, MAGIC_B
  la t0, page_b
  sd s11, 0(t0)
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_root, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_PTE_SYM(pt_root, VPN(L1_VA, 2), pt_l1, PTE_V)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  SET_PTE_SYM(pt_l0, VPN(VA, 0), page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(VA2, 0), page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_SATP(SATP_SV39, pt_root)
  MRET_TO(PRV_S, in_s)

in_s:
  li a0, VA
  ld t4, 0(a0)                           /* now cached, if the hart caches */
  CHECK_REG(1, t4, s10)
  ld t4, 0(a0)
  CHECK_REG(2, t4, s10)

  /* to page_b, global fence */
  la a1, page_b
  REMAP(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  sfence.vma
  ld t4, 0(a0)
  CHECK_REG(3, t4, s11)

  /* back to page_a, fence for this VA only */
  la a1, page_a
  REMAP(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  sfence.vma a0, zero
  ld t4, 0(a0)
  CHECK_REG(4, t4, s10)

  /* read-only now: a store faults after the fence */
  REMAP(PTE_V | PTE_R | PTE_A)
  sfence.vma a0, zero
  ARM_SKIP
  sd zero, 0(a0)
  EXPECT_TRAP(5, PRV_M, CAUSE_STORE_PAGE)
  CHECK_REG(6, s4, a0)

  /* invalid now: a load faults after the fence for ASID 0 (satp.ASID = 0,
     the mapping is not global) */
  REMAP(0)
  li a2, 0
  sfence.vma zero, a2
  ARM_SKIP
  ld t4, 0(a0)
  EXPECT_TRAP(7, PRV_M, CAUSE_LOAD_PAGE)
  CHECK_REG(8, s4, a0)

  /* valid again */
  la a1, page_b
  REMAP(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  sfence.vma a0, zero
  ld t4, 0(a0)
  CHECK_REG(9, t4, s11)
  CHECK_EQ(10, s7, 2)

  /* stores follow the new mapping too: VA2, which nothing loads from,
     maps page_b; a store through it leaves the hart its translation;
     after the remap to page_a and a global fence the next store must
     land in page_a */
  li a0, VA2
  li t5, MAGIC_C
  sd t5, 0(a0)
  la a1, page_a
  REMAP2(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  sfence.vma
  li t6, MAGIC_D
  sd t6, 0(a0)
  la t0, page_a
  ld t4, 0(t0)
  CHECK_REG(11, t4, t6)
  la t0, page_b
  ld t4, 0(t0)
  CHECK_REG(12, t4, t5)
  ECALL_TO_M(pass)

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(pt_root)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
DATA_PAGE(page_b)
