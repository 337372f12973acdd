/* Shared macros for the privileged-architecture tests (tests/isa/priv),
 * written against the RISC-V privileged spec 1.12. Included by every .S
 * here instead of test_macros.h (which it includes).
 *
 * Register contract of the record handlers (PRIV_HANDLERS):
 *   gp  TESTNUM (check number, becomes the failure exit code: keep 1..255)
 *   tp  never used by the tests (free for tooling that rewrites them)
 *   s1  one-shot continuation: when non-zero a handler clears it and jumps
 *       there, staying in the mode that took the trap; when zero the handler
 *       skips the trapping instruction (epc += 4) and returns with xRET.
 *   s2..s5  cause, epc, tval and status CSR as read on handler entry
 *   s6  3 when the M handler ran, 1 when the S handler ran (0 = no trap)
 *   s7  count of traps taken by the record handlers; past TRAP_STORM the
 *       handlers fail the test (a broken mapping or mode would otherwise
 *       fault and skip forever)
 * Handlers clobber t0 only. Every test defines `fail:` (TEST_FAIL) and
 * `pass:` (TEST_PASS).
 */
#ifndef TAPVM_PRIV_MACROS_H
#define TAPVM_PRIV_MACROS_H

#include "test_macros.h"

/* No compressed instructions: every instruction is 4 bytes, so a handler
   can skip a faulting one with epc += 4, and each mnemonic names exactly the
   instructions that tapvm's --break-insn corrupts. */
.option norvc

/* mstatus / sstatus fields */
#define MSTATUS_SIE  0x2
#define MSTATUS_MIE  0x8
#define MSTATUS_SPIE 0x20
#define MSTATUS_MPIE 0x80
#define MSTATUS_SPP  0x100
#define MSTATUS_MPP  0x1800
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM  (1 << 18)
#define MSTATUS_MXR  (1 << 19)
#define MSTATUS_TVM  (1 << 20)
#define MSTATUS_TW   (1 << 21)
#define MSTATUS_TSR  (1 << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mip / mie bits */
#define MIP_SSIP 0x2
#define MIP_MSIP 0x8
#define MIP_STIP 0x20
#define MIP_MTIP 0x80
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

/* mcause values */
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL      2
#define CAUSE_LOAD_ACCESS  5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_ECALL_U      8
#define CAUSE_ECALL_S      9
#define CAUSE_ECALL_M      11
#define CAUSE_FETCH_PAGE   12
#define CAUSE_LOAD_PAGE    13
#define CAUSE_STORE_PAGE   15
#define INTR(n) (0x8000000000000000 | (n))

/* Page-table entries and satp */
#define PTE_V 0x1
#define PTE_R 0x2
#define PTE_W 0x4
#define PTE_X 0x8
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
#define PTE_LEAF_ALL (PTE_V | PTE_RWX | PTE_A | PTE_D)
#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)
/* index of `va` in the page table of level `lvl` (0 = 4 KiB level) */
#define VPN(va, lvl) ((((va) >> (12 + 9 * (lvl)))) & 0x1ff)

/* PMP configuration bits */
#define PMP_R 0x1
#define PMP_W 0x2
#define PMP_X 0x4
#define PMP_TOR 0x8
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

/* CLINT and PLIC registers (QEMU virt layout) */
#define CLINT_MSIP     (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME    (CLINT_BASE + 0xbff8)
#define UART_IRQ 10
#define PLIC_PRIORITY(src) (PLIC_BASE + 4 * (src))
#define PLIC_PENDING       (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx)   (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)    (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IER (UART0_BASE + 1)

/* Polling bound: far more iterations than any event takes on either
   machine (QEMU delivers timer events in host time, so a loaded host needs
   slack), yet a few-instruction loop stays well inside tapvm's 200M
   instruction budget; a missing event fails the test instead of hanging. */
#define POLL_LIMIT 10000000

#define TRAP_STORM 500

/* Compares register `got` with register `expect` as check number n. */
#define CHECK_REG(n, got, expect) \
  li TESTNUM, n;                  \
  bne got, expect, fail

/* Expects the last trap to have gone to `level` (PRV_M / PRV_S) with
   `cause`. */
#define EXPECT_TRAP(n, level, cause) \
  CHECK_EQ(n, s6, level);            \
  CHECK_EQ(n, s2, cause)

/* Illegal-instruction tval: zero or the faulting instruction's bits, both
   allowed by spec 1.12 §3.1.16 (s3 = epc, s4 = tval). Clobbers t6. */
#define CHECK_TVAL_INSN(n) \
  li TESTNUM, n;           \
  beqz s4, 9f;             \
  lwu t6, 0(s3);           \
  bne s4, t6, fail;        \
9:

/* Expects no trap since the last ARM_*. */
#define EXPECT_NO_TRAP(n) CHECK_EQ(n, s6, 0)

/* Clears the trap record; the next trap skips the faulting instruction. */
#define ARM_SKIP \
  li s1, 0;      \
  li s2, -1;     \
  li s6, 0

/* Clears the trap record; the next trap continues at `cont` in the mode
   that took the trap. */
#define ARM_TRAP(cont) \
  la s1, cont;         \
  li s2, -1;           \
  li s6, 0

/* Points mtvec and stvec at the record handlers. */
#define INSTALL_HANDLERS     \
  la t0, mtrap_record;       \
  csrw mtvec, t0;            \
  la t0, strap_record;       \
  csrw stvec, t0

/* Leaves M-mode for `mode` at `target` through mret. */
#define MRET_TO(mode, target)  \
  li t0, MSTATUS_MPP;          \
  csrc mstatus, t0;            \
  li t0, ((mode) << 11);       \
  csrs mstatus, t0;            \
  la t0, target;               \
  csrw mepc, t0;               \
  mret;                        \
  j fail

/* Goes to `mode` (PRV_U / PRV_S) at `target` through sret (from S or M). */
#define SRET_TO(mode, target)  \
  li t0, MSTATUS_SPP;          \
  csrc sstatus, t0;            \
  li t0, ((mode) << 8);        \
  csrs sstatus, t0;            \
  la t0, target;               \
  csrw sepc, t0;               \
  sret;                        \
  j fail

/* From S or U (ecall not delegated): back to M-mode at `target`. */
#define ECALL_TO_M(target) \
  la s1, target;           \
  ecall;                   \
  j fail

/* Lets S and U access all memory: PMP entry 15 (lowest priority) is a
   NAPOT region over the whole address space with RWX; entries 0..14 off.
   Without any matching entry S/U accesses fail (spec 3.7.1). The
   sfence.vma orders the PMP change before later accesses (spec 3.7.2). */
#define PMP_OPEN_ALL                               \
  csrw pmpcfg0, zero;                              \
  li t0, -1;                                       \
  csrw pmpaddr15, t0;                              \
  li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56; \
  csrw pmpcfg2, t0;                                \
  sfence.vma

/* dst = PTE pointing at the physical address in `pa` with `flags`. */
#define MAKE_PTE(dst, pa, flags) \
  srli dst, pa, 12;              \
  slli dst, dst, 10;             \
  ori dst, dst, flags

/* table[index] = PTE(pa_reg, flags). Clobbers t0, t1, t2. */
#define SET_PTE(table, index, pa_reg, flags) \
  MAKE_PTE(t1, pa_reg, flags);               \
  la t0, table;                              \
  li t2, (index) * 8;                        \
  add t0, t0, t2;                            \
  sd t1, 0(t0)

/* table[index] = PTE(address of symbol, flags). Clobbers t0..t3. */
#define SET_PTE_SYM(table, index, sym, flags) \
  la t3, sym;                                 \
  SET_PTE(table, index, t3, flags)

/* table[index] = PTE(constant physical address, flags). Clobbers t0..t3. */
#define SET_PTE_PA(table, index, pa, flags) \
  li t3, pa;                                \
  SET_PTE(table, index, t3, flags)

/* satp = mode | PPN(root), then flush all translations. */
#define SET_SATP(mode, root) \
  la t0, root;               \
  srli t0, t0, 12;           \
  li t1, mode;               \
  or t0, t0, t1;             \
  csrw satp, t0;             \
  sfence.vma

/* A page-aligned, zero-filled page in .data (zero in the ELF image itself,
   so no start-up code has to clear it). */
#define DATA_PAGE(name)      \
  .section .data.pages, "aw"; \
  .balign 4096;              \
  name:                      \
  .zero 4096

/* The record handlers described at the top of this file. */
#define PRIV_HANDLERS        \
  .balign 256;               \
mtrap_record:                \
  csrr s2, mcause;           \
  csrr s3, mepc;             \
  csrr s4, mtval;            \
  csrr s5, mstatus;          \
  li s6, PRV_M;              \
  addi s7, s7, 1;            \
  li t0, TRAP_STORM;         \
  bgeu s7, t0, fail;         \
  beqz s1, 1f;               \
  mv t0, s1;                 \
  li s1, 0;                  \
  jr t0;                     \
  j fail;                    \
1: csrr t0, mepc;            \
  addi t0, t0, 4;            \
  csrw mepc, t0;             \
  mret;                      \
  j fail;                    \
  .balign 256;               \
strap_record:                \
  csrr s2, scause;           \
  csrr s3, sepc;             \
  csrr s4, stval;            \
  csrr s5, sstatus;          \
  li s6, PRV_S;              \
  addi s7, s7, 1;            \
  li t0, TRAP_STORM;         \
  bgeu s7, t0, fail;         \
  beqz s1, 1f;               \
  mv t0, s1;                 \
  li s1, 0;                  \
  jr t0;                     \
  j fail;                    \
1: csrr t0, sepc;            \
  addi t0, t0, 4;            \
  csrw sepc, t0;             \
  sret;                      \
  j fail

/* M handler for fault-probing tests (install it in mtvec yourself): an
   ecall (cause 8..11), from any mode, continues at s1 in M and is not recorded; any other
   trap is recorded in s2..s4, s6, s7 and resumed after the faulting
   instruction, or, for a fetch fault (cause 1 or 12), at ra: those tests
   reach the target with jalr. Clobbers t0. */
#define PRIV_FAULT_HANDLER              \
  .balign 256;                          \
mtrap_fault:                            \
  csrr t0, mcause;                      \
  addi t0, t0, -CAUSE_ECALL_U;          \
  srli t0, t0, 2;                       \
  beqz t0, 3f;                          \
  csrr s2, mcause;                      \
  csrr s3, mepc;                        \
  csrr s4, mtval;                       \
  li s6, PRV_M;                         \
  addi s7, s7, 1;                       \
  li t0, TRAP_STORM;                    \
  bgeu s7, t0, fail;                    \
  li t0, CAUSE_FETCH_PAGE;              \
  beq s2, t0, 2f;                       \
  li t0, CAUSE_FETCH_ACCESS;            \
  beq s2, t0, 2f;                       \
  addi t0, s3, 4;                       \
  csrw mepc, t0;                        \
  mret;                                 \
2: csrw mepc, ra;                       \
  mret;                                 \
3: mv t0, s1;                           \
  li s1, 0;                             \
  jr t0;                                \
  j fail

/* The common end of every test. */
#define PASS_FAIL_LABELS \
pass:                    \
  TEST_PASS;             \
fail:                    \
  TEST_FAIL

#endif
