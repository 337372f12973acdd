/* Sv39 translation: 4 KiB pages, 2 MiB and 1 GiB superpages, and the page
 * faults of a walk.
 * Spec 1.12 §4.3.2, §4.4: a walk faults on an invalid PTE (V = 0) at any
 * level, on the reserved encodings W without R (R=0 W=1, and R=0 W=1 X=1),
 * on a pointer PTE at level 0, and on a misaligned superpage (ppn bits
 * below the leaf's level not zero). Faults report cause 12/13/15 with
 * tval = the faulting virtual address. Runs in S; faults go to M. */
#include "priv_macros.h"

#define GIGA_VA   0x100000000            /* vpn2 = 4: 1 GiB page -> RAM */
#define MISGIGA_VA 0x140000000           /* vpn2 = 5: misaligned 1 GiB leaf */
#define HOLE2_VA  0x180000000            /* vpn2 = 6: invalid at level 2 */
#define L1_VA     0x40000000             /* vpn2 = 1: pointer to pt_l1 */
#define MEGA_VA   0x40200000             /* vpn1 = 1: 2 MiB page */
#define MISMEGA_VA 0x40400000            /* vpn1 = 2: misaligned 2 MiB leaf */
#define HOLE1_VA  0x40600000             /* vpn1 = 3: invalid at level 1 */
#define PAGE_B_VA 0x40005000             /* vpn0 = 5: 4 KiB page -> page_b */
#define HOLE0_VA  0x40006000             /* vpn0 = 6: invalid at level 0 */
#define WONLY_VA  0x40007000             /* vpn0 = 7: W without R */
#define PTR0_VA   0x40008000             /* vpn0 = 8: pointer at level 0 */
#define WX_VA     0x40009000             /* vpn0 = 9: W+X without R */
#define RONLY_VA  0x4000a000             /* vpn0 = 10: read-only page_b */

#define MAGIC_A 0x1122334455667788
#define MAGIC_B 0x0a0b0c0d0e0f1011

/* Loads from `va` (register a0) in S: expect a page fault as check n. */
#define LOAD_FAULT(n)                      \
  ARM_SKIP;                                \
  la s8, 1f;                               \
1: ld t4, 0(a0);                           \
  EXPECT_TRAP(n, PRV_M, CAUSE_LOAD_PAGE);  \
  CHECK_REG(n, s4, a0);                    \
  CHECK_REG(n, s3, s8)

#define STORE_FAULT(n)                     \
  ARM_SKIP;                                \
  la s8, 1f;                               \
1: sd zero, 0(a0);                         \
  EXPECT_TRAP(n, PRV_M, CAUSE_STORE_PAGE); \
  CHECK_REG(n, s4, a0);                    \
  CHECK_REG(n, s3, s8)

/* Loads from a0 in S: expect value `reg`, no trap. */
#define LOAD_OK(n, reg) \
  ARM_SKIP;             \
  ld t4, 0(a0);         \
  EXPECT_NO_TRAP(n);    \
  CHECK_REG(n, t4, reg)

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

  /* level 2 (root) */
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_root, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_PTE_PA(pt_root, VPN(GIGA_VA, 2), 0x80000000, PTE_V | PTE_R | PTE_A)
  SET_PTE_PA(pt_root, VPN(MISGIGA_VA, 2), 0x80200000, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_root, VPN(L1_VA, 2), pt_l1, PTE_V)
  /* level 1 */
  la t3, page_a
  srli t3, t3, 21
  slli t3, t3, 21                        /* the 2 MiB frame holding page_a */
  SET_PTE(pt_l1, VPN(MEGA_VA, 1), t3, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l1, VPN(MISMEGA_VA, 1), page_a, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  /* level 0 */
  SET_PTE_SYM(pt_l0, VPN(PAGE_B_VA, 0), page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(WONLY_VA, 0), page_b, PTE_V | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(PTR0_VA, 0), pt_l0, PTE_V)
  SET_PTE_SYM(pt_l0, VPN(WX_VA, 0), page_b, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(RONLY_VA, 0), page_b, PTE_V | PTE_R | PTE_A)
  SET_SATP(SATP_SV39, pt_root)
  MRET_TO(PRV_S, in_s)

in_s:
  /* 1 GiB page: VA GIGA_VA + (pa - 0x80000000) */
  la t0, page_a
  li t1, GIGA_VA - 0x80000000
  add a0, t0, t1
  LOAD_OK(1, s10)
  /* 2 MiB page: offset of page_a in its 2 MiB frame */
  la t0, page_a
  li t1, 0x1fffff
  and t0, t0, t1
  li a0, MEGA_VA
  add a0, a0, t0
  LOAD_OK(2, s10)
  /* 4 KiB page, and an offset inside it */
  li a0, PAGE_B_VA
  LOAD_OK(3, s11)
  li t0, 0x5a5a
  sd t0, 0x7f8(a0)
  la t1, page_b
  ld t2, 0x7f8(t1)                       /* identity view of the same frame */
  CHECK_REG(4, t2, t0)
  li a0, RONLY_VA                        /* same frame, read-only alias */
  LOAD_OK(5, s11)
  STORE_FAULT(6)

  /* faults */
  li a0, MISGIGA_VA
  LOAD_FAULT(10)
  li a0, MISMEGA_VA
  LOAD_FAULT(11)
  li a0, HOLE2_VA + 0x123458
  LOAD_FAULT(12)
  li a0, HOLE1_VA + 0x8
  LOAD_FAULT(13)
  li a0, HOLE0_VA + 0x10
  LOAD_FAULT(14)
  STORE_FAULT(15)
  li a0, WONLY_VA
  LOAD_FAULT(16)
  STORE_FAULT(17)
  li a0, PTR0_VA
  LOAD_FAULT(18)
  li a0, WX_VA
  LOAD_FAULT(19)
  /* fetch from a page without X: cause 12, tval = epc = the VA */
  ARM_TRAP(fetch_back)
  li a0, PAGE_B_VA
  jalr a0
  j fail
fetch_back:                              /* in M */
  EXPECT_TRAP(20, PRV_M, CAUSE_FETCH_PAGE)
  CHECK_REG(21, s4, a0)
  CHECK_REG(22, s3, a0)
  CHECK_EQ(23, s7, 12)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(pt_root)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
DATA_PAGE(page_b)
