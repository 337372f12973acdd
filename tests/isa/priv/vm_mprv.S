/* mstatus.MPRV: M-mode loads and stores translated and checked as MPP.
 * Spec 1.12 §3.1.6.3: with MPRV = 1, explicit loads/stores in M use the
 * privilege in MPP (and its translation and U/SUM rules); instruction
 * fetch is not affected. The page table here has no mapping for the code,
 * so M keeps running from physical addresses while its data accesses are
 * translated. A trap sets MPP = M, so the handler's own accesses are
 * untranslated; its mret leaves MPP = U, so the test sets MPP again. */
#include "priv_macros.h"

#define L1_VA   0x40000000
#define S_VA    0x40001000               /* S page -> page_b */
#define U_VA    0x40002000               /* U page -> page_a */
#define MAGIC_A 0x0123456789abcdef
#define MAGIC_B 0x7766554433221100

#define SET_MPP(mode)      \
  li t0, MSTATUS_MPP;      \
  csrc mstatus, t0;        \
  li t0, (mode) << 11;     \
  csrs mstatus, t0

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
  li s10, MAGIC_A
  la t0, page_a
  sd s10, 0(t0)
  li s11, MAGIC_B
  la t0, page_b
  sd s11, 0(t0)
  SET_PTE_PA(pt_root, VPN(0, 2), 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_root, VPN(L1_VA, 2), pt_l1, PTE_V)
  SET_PTE_SYM(pt_l1, VPN(L1_VA, 1), pt_l0, PTE_V)
  SET_PTE_SYM(pt_l0, VPN(S_VA, 0), page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_SYM(pt_l0, VPN(U_VA, 0), page_a, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
  la s9, page_a                          /* physical address, unmapped as VA */
  SET_SATP(SATP_SV39, pt_root)
  li t0, MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, t0

  /* MPRV = 0: M is untranslated even with satp set. */
  ld t4, 0(s9)
  CHECK_REG(1, t4, s10)

  /* MPRV = 1, MPP = S */
  SET_MPP(PRV_S)
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  li a0, S_VA
  ld t4, 0(a0)
  CHECK_REG(2, t4, s11)
  li t0, 0x4242
  sd t0, 8(a0)
  mv a0, s9
  LOAD_FAULT(3)                          /* the PA is not mapped */
  SET_MPP(PRV_S)
  li a0, U_VA
  LOAD_FAULT(4)                          /* U page, SUM = 0 */
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  SET_MPP(PRV_S)
  ld t4, 0(a0)                           /* SUM = 1 */
  CHECK_REG(5, t4, s10)
  li t0, MSTATUS_SUM
  csrc mstatus, t0

  /* MPRV = 1, MPP = U */
  SET_MPP(PRV_U)
  li a0, U_VA
  ld t4, 0(a0)
  CHECK_REG(6, t4, s10)
  li a0, S_VA
  LOAD_FAULT(7)                          /* S page from U */

  /* MPRV = 1, MPP = M: untranslated */
  SET_MPP(PRV_M)
  ld t4, 0(s9)
  CHECK_REG(8, t4, s10)

  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  la t0, page_b                          /* the MPP = S store landed */
  ld t1, 8(t0)
  CHECK_EQ(9, t1, 0x4242)
  CHECK_EQ(10, s7, 3)
  j pass

  PRIV_HANDLERS
pass:
  TEST_PASS
fail:                                    /* the finisher may not be mapped */
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  TEST_FAIL

DATA_PAGE(pt_root)
DATA_PAGE(pt_l1)
DATA_PAGE(pt_l0)
DATA_PAGE(page_a)
DATA_PAGE(page_b)
