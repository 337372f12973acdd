/* Hardware update of the PTE A and D bits.
 * Spec 1.12 §4.3.1-4.3.2 (step 7): an implementation may update A/D itself
 * instead of faulting; tapvm (like QEMU 7.2) does: any access sets A, a
 * store sets D; a load or fetch leaves D clear; pointer PTEs are never
 * changed. The PTEs are read back from memory. */
#include "priv_macros.h"

#define L1_VA    0x40000000
#define LOAD_VA  0x40001000               /* load, then store */
#define STORE_VA 0x40002000               /* store first */
#define EXEC_VA  0x40003000               /* fetch */
#define RDONLY_VA 0x40004000              /* read-only, load */

/* t0 = PTE at pt_l0[vpn0] (from memory) */
#define READ_PTE(vpn0) \
  la t1, pt_l0;        \
  ld t0, (vpn0) * 8(t1)

TEST_START
test_main:
  INSTALL_HANDLERS
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  li s7, 0
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_PA(pt_root, VPN(0x80000000, 2), 0x80000000, PTE_LEAF_ALL)
  SET_PTE_SYM(pt_root, VPN(L1_VA, 2), pt_l1, PTE_V)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  SET_PTE_SYM(pt_l0, VPN(LOAD_VA, 0), page_a, PTE_V | PTE_R | PTE_W)
  SET_PTE_SYM(pt_l0, VPN(STORE_VA, 0), page_b, PTE_V | PTE_R | PTE_W)
  SET_PTE_SYM(pt_l0, VPN(EXEC_VA, 0), exec_page, PTE_V | PTE_R | PTE_X)
  SET_PTE_SYM(pt_l0, VPN(RDONLY_VA, 0), page_a, PTE_V | PTE_R)
  SET_SATP(SATP_SV39, pt_root)
  MRET_TO(PRV_S, in_s)

in_s:
  li t2, PTE_A | PTE_D
  READ_PTE(VPN(LOAD_VA, 0))
  and t0, t0, t2
  CHECK_EQ(1, t0, 0)                     /* untouched so far */
  li a0, LOAD_VA
  ld t3, 0(a0)
  READ_PTE(VPN(LOAD_VA, 0))
  and t0, t0, t2
  CHECK_EQ(2, t0, PTE_A)                 /* load: A only */
  sd t3, 8(a0)
  READ_PTE(VPN(LOAD_VA, 0))
  and t0, t0, t2
  CHECK_EQ(3, t0, PTE_A | PTE_D)         /* store: D too */

  li a0, STORE_VA
  sd zero, 0(a0)
  READ_PTE(VPN(STORE_VA, 0))
  and t0, t0, t2
  CHECK_EQ(4, t0, PTE_A | PTE_D)

  li a0, EXEC_VA
  jalr a0                                /* exec_page returns at once */
  READ_PTE(VPN(EXEC_VA, 0))
  and t0, t0, t2
  CHECK_EQ(5, t0, PTE_A)

  li a0, RDONLY_VA
  ld t3, 0(a0)
  READ_PTE(VPN(RDONLY_VA, 0))
  and t0, t0, t2
  CHECK_EQ(6, t0, PTE_A)

  /* pointer PTEs stay as written (V only) */
  la t1, pt_l1
  ld t0, VPN(L1_VA, 1) * 8(t1)
  andi t0, t0, 0x3ff
  CHECK_EQ(7, t0, PTE_V)
  la t1, pt_root
  ld t0, VPN(L1_VA, 2) * 8(t1)
  andi t0, t0, 0x3ff
  CHECK_EQ(8, t0, PTE_V)
  CHECK_EQ(9, s7, 0)
  ECALL_TO_M(pass)

  PRIV_HANDLERS
  PASS_FAIL_LABELS

  .text
  .balign 4096
exec_page:
  ret

DATA_PAGE(pt_root)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
DATA_PAGE(page_b)
