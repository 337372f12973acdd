/* satp WARL behaviour and canonical virtual addresses.
 * Spec 1.12 §4.1.11: writing satp with an unsupported MODE has no effect
 * at all (satp keeps its value); Sv39 (8) and Sv48 (9) are supported here.
 * §4.4.1: in Sv39, VA bits 63:39 must equal bit 38 or the access is a
 * page fault, whatever the page table says. */
#include "priv_macros.h"

#define HIGH_VA      0xffffffc000000000  /* canonical, vpn2 = 256 */
#define NONCANON1_VA 0x0000004000000000  /* bit 38 set, bits 63:39 clear */
#define NONCANON2_VA 0x0000008000001000  /* bit 39 set: vpn2 = 0 if ignored */
#define NONCANON3_VA 0xfffffe0080000000  /* bit 38 clear, upper bits set:
                                            vpn2 = 2, the RAM gigapage */
#define MAGIC 0x0f1e2d3c4b5a6978

/* Writes satp = mode << 60 | PPN(pt_root) and expects satp to keep `reg`. */
#define SATP_IGNORED(n, mode, reg) \
  la t0, pt_root;                  \
  srli t0, t0, 12;                 \
  li t1, (mode) << 60;             \
  or t0, t0, t1;                   \
  csrw satp, t0;                   \
  csrr t2, satp;                   \
  CHECK_REG(n, t2, reg)

#define LOAD_FAULT(n)                      \
  ARM_SKIP;                                \
  ld t4, 0(a0);                            \
  EXPECT_TRAP(n, PRV_M, CAUSE_LOAD_PAGE);  \
  CHECK_REG(n, s4, a0)

TEST_START
test_main:
  INSTALL_HANDLERS
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
  SET_PTE_PA(pt_root, VPN(HIGH_VA, 2), 0x80000000, PTE_V | PTE_R | PTE_A)

  /* Bare reads back 0; reserved modes leave it so. */
  csrw satp, zero
  csrr t0, satp
  CHECK_EQ(1, t0, 0)
  SATP_IGNORED(2, 1, zero)
  SATP_IGNORED(3, 5, zero)
  SATP_IGNORED(4, 15, zero)

  /* Sv39 reads back exactly (ASID 0). */
  la t0, pt_root
  srli t0, t0, 12
  li t1, SATP_SV39
  or s9, t0, t1
  csrw satp, s9
  csrr t2, satp
  CHECK_REG(5, t2, s9)
  SATP_IGNORED(6, 7, s9)
  SATP_IGNORED(7, 11, s9)
  SATP_IGNORED(8, 14, s9)
  /* Sv57 (10) may or may not be supported: satp is then the new value or
     the old one, nothing else. */
  la t0, pt_root
  srli t0, t0, 12
  li t1, 10 << 60
  or t3, t0, t1
  csrw satp, t3
  csrr t2, satp
  beq t2, t3, 1f
  CHECK_REG(9, t2, s9)
1:
  csrw satp, s9
  sfence.vma
  MRET_TO(PRV_S, in_s)

in_s:
  /* the canonical high VA maps RAM through vpn2 = 256 */
  la t0, page_a
  li t1, 0x3fffffff
  and t0, t0, t1
  li a0, HIGH_VA
  add a0, a0, t0
  ld t4, 0(a0)
  CHECK_REG(10, t4, s10)
  /* non-canonical: faults although the indexed PTEs are valid */
  li t1, NONCANON1_VA
  add a0, t0, t1
  LOAD_FAULT(11)
  li a0, NONCANON2_VA
  LOAD_FAULT(12)
  li t1, NONCANON3_VA
  add a0, t0, t1
  LOAD_FAULT(13)
  ARM_SKIP
  sd zero, 0(a0)
  EXPECT_TRAP(14, PRV_M, CAUSE_STORE_PAGE)
  CHECK_REG(15, s4, a0)
  CHECK_EQ(16, s7, 4)
  ECALL_TO_M(pass)

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(pt_root)
DATA_PAGE(page_a)
