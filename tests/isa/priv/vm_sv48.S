/* Sv48 translation: 4 KiB pages, 2 MiB, 1 GiB and 512 GiB superpages,
 * faults at every level, and the wider canonical range.
 * Spec 1.12 §4.5: four levels (vpn[3] = VA bits 47:39); a leaf at level 3
 * is a 512 GiB page and needs ppn[2:0] = 0; VA bits 63:48 must equal bit 47.
 * Runs in S; faults go to M. */
#include "priv_macros.h"

#define TERA_VA    0x8000000000          /* vpn3 = 1: 512 GiB page -> PA 0 */
#define MISTERA_VA 0x10000000000         /* vpn3 = 2: misaligned 512 GiB leaf */
#define HOLE3_VA   0x18000000000         /* vpn3 = 3: invalid at level 3 */
#define GIGA_VA    0x100000000           /* vpn2 = 4: 1 GiB page -> RAM */
#define HIGH_VA    0x4000000000          /* vpn2 = 256: bit 38 set, fine in Sv48 */
#define HOLE2_VA   0x180000000           /* vpn2 = 6: invalid at level 2 */
#define L1_VA      0x40000000            /* vpn2 = 1: pointer to pt_l1 */
#define MEGA_VA    0x40200000            /* vpn1 = 1: 2 MiB page */
#define HOLE1_VA   0x40600000            /* vpn1 = 3: invalid at level 1 */
#define PAGE_B_VA  0x40005000            /* vpn0 = 5: 4 KiB page */
#define HOLE0_VA   0x40006000            /* vpn0 = 6: invalid at level 0 */
#define PTR0_VA    0x40008000            /* vpn0 = 8: pointer at level 0 */
#define NONCANON_VA 0x0001000080000000   /* bit 48 set, bit 47 clear */

#define MAGIC_A 0x1122334455667788
#define MAGIC_B 0x0a0b0c0d0e0f1011

#define LOAD_FAULT(n)                      \
  ARM_SKIP;                                \
  la s8, 1f;                               \
1: ld t4, 0(a0);                           \
  EXPECT_TRAP(n, PRV_M, CAUSE_LOAD_PAGE);  \
  CHECK_REG(n, s4, a0);                    \
  CHECK_REG(n, s3, s8)

#define LOAD_OK(n, reg) \
  ARM_SKIP;             \
  ld t4, 0(a0);         \
  EXPECT_NO_TRAP(n);    \
  CHECK_REG(n, t4, reg)

/* a0 = va_base + (address of page_a & mask) */
#define VA_OF_PAGE_A(va_base, mask) \
  la t0, page_a;                    \
  li t1, mask;                      \
  and t0, t0, t1;                   \
  li a0, va_base;                   \
  add a0, a0, t0

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

  /* level 3 (root) */
  SET_PTE_SYM(pt_root, VPN(0, 3), pt_l2, PTE_V)
  SET_PTE_PA(pt_root, VPN(TERA_VA, 3), 0, PTE_V | PTE_R | PTE_A)
  SET_PTE_PA(pt_root, VPN(MISTERA_VA, 3), 0x80000000, PTE_V | PTE_R | PTE_A)
  /* level 2 */
  SET_PTE_PA(pt_l2, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_l2, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_PTE_PA(pt_l2, VPN(GIGA_VA, 2), 0x80000000, PTE_V | PTE_R | PTE_A)
  SET_PTE_PA(pt_l2, VPN(HIGH_VA, 2), 0x80000000, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l2, VPN(L1_VA, 2), pt_l1, PTE_V)
  /* level 1 */
  la t3, page_a
  srli t3, t3, 21
  slli t3, t3, 21
  SET_PTE(pt_l1, VPN(MEGA_VA, 1), t3, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  /* level 0 */
  SET_PTE_SYM(pt_l0, VPN(PAGE_B_VA, 0), page_b, PTE_V | PTE_R | PTE_A)
  SET_PTE_SYM(pt_l0, VPN(PTR0_VA, 0), pt_l0, PTE_V)
  SET_SATP(SATP_SV48, pt_root)
  csrr t0, satp
  srli t0, t0, 60
  CHECK_EQ(1, t0, 9)                     /* Sv48 is supported */
  MRET_TO(PRV_S, in_s)

in_s:
  /* 512 GiB page onto PA 0: VA = TERA_VA + pa */
  la t0, page_a
  li a0, TERA_VA
  add a0, a0, t0
  LOAD_OK(2, s10)
  VA_OF_PAGE_A(GIGA_VA, 0x3fffffff)
  LOAD_OK(3, s10)
  VA_OF_PAGE_A(HIGH_VA, 0x3fffffff)
  LOAD_OK(4, s10)
  VA_OF_PAGE_A(MEGA_VA, 0x1fffff)
  LOAD_OK(5, s10)
  li a0, PAGE_B_VA + 0
  LOAD_OK(6, s11)

  li a0, MISTERA_VA
  LOAD_FAULT(10)
  li a0, HOLE3_VA + 0x40
  LOAD_FAULT(11)
  li a0, HOLE2_VA
  LOAD_FAULT(12)
  li a0, HOLE1_VA
  LOAD_FAULT(13)
  li a0, HOLE0_VA
  LOAD_FAULT(14)
  li a0, PTR0_VA
  LOAD_FAULT(15)
  li a0, NONCANON_VA
  LOAD_FAULT(16)
  li a0, 0xffff800000000000              /* canonical, vpn3 = 256: invalid */
  LOAD_FAULT(17)
  CHECK_EQ(18, s7, 8)
  ECALL_TO_M(pass)

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(pt_root)
DATA_PAGE(pt_l2)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
DATA_PAGE(page_b)
