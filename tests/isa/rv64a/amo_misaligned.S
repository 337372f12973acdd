/* Misaligned LR/SC/AMO addresses (RV64A without Zam): the instruction must
 * trap and leave rd and memory unchanged. Allowed causes (A extension and
 * privileged spec): lr -> load address-misaligned (4) or load access-fault
 * (5); AMOs -> store/AMO address-misaligned (6) or store/AMO access-fault
 * (7). mepc = the instruction. (A misaligned sc is left out: QEMU lets it
 * fail without a trap when it holds no matching reservation.)
 * QEMU 7.2 reports cause 4 for a misaligned AMO, which the spec does not
 * allow, so this program fails there (check 13) while it must pass on
 * tapvm.
 * Mutant: amoadd.d (only the aligned AMO at the end uses it). */
#include "../rv64i/macros.h"

/* Check n: s2 (mcause) is c1 or c2. */
#define CHECK_CAUSE(n, c1, c2)      \
  li TESTNUM, n;                    \
  li t1, c1;                        \
  beq s2, t1, 94f;                  \
  li t1, c2;                        \
  bne s2, t1, fail;                 \
94:

  .data
  .balign 16
slot: .dword 0x1111111111111111
  .dword 0x2222222222222222

ISA_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  la s0, slot
  li t2, 1

  addi s1, s0, 2
  li a0, 0x77
site_lrw:
  lr.w a0, (s1)
  CHECK_D(2, s5, 1)
  CHECK_D(3, s3, site_lrw)
  CHECK_D(4, a0, 0x77)
  CHECK_CAUSE(5, 4, 5)

  addi s1, s0, 2
site_amow:
  amoadd.w a0, t2, (s1)
  CHECK_D(10, s5, 2)
  CHECK_D(11, s3, site_amow)
  CHECK_D(12, a0, 0x77)
  CHECK_CAUSE(13, 6, 7)

  addi s1, s0, 4
site_amod:
  amoswap.d a0, t2, (s1)
  CHECK_D(14, s5, 3)
  CHECK_D(15, s3, site_amod)
  CHECK_D(16, a0, 0x77)
  CHECK_CAUSE(17, 6, 7)

  ld t1, 0(s0)                /* memory untouched */
  CHECK_D(18, t1, 0x1111111111111111)
  ld t1, 8(s0)
  CHECK_D(19, t1, 0x2222222222222222)

  /* the same AMO aligned works */
  amoadd.d a0, t2, (s0)
  CHECK_D(20, a0, 0x1111111111111111)
  ld t1, 0(s0)
  CHECK_D(21, t1, 0x1111111111111112)
  CHECK_D(22, s5, 3)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
