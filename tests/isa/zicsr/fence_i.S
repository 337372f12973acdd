/* Zifencei: after code in memory is overwritten, fence.i makes the hart's
 * later instruction fetches see the new bytes. Each case first runs the
 * old code (so any decoded-instruction cache holds it), then stores new
 * instruction bytes, executes fence.i and runs the code again:
 *   1. a 32-bit instruction replaced by another one (sw);
 *   2. a 32-bit instruction replaced by two 16-bit ones (sh, sh);
 *   3. an instruction inside a loop that already ran 100 times;
 *   4. the instruction right after the fence.i itself;
 *   5. code on a page stored to before it first ran, stored to again.
 * The new instructions are copied from templates assembled below.
 * Mutant: c.li. It appears only in the code written at run time (case 2),
 * so this mutant fails only if the new bytes really are executed. */
#include "../rv64i/macros.h"

ISA_BEGIN
  /* 1. addi a0, x0, 1 -> addi a0, x0, 2 */
  jal ra, patch_fn
  CHECK_D(2, a0, 1)
  la t1, patch_fn
  lw t2, tpl_addi2
  sw t2, 0(t1)
  fence.i
  jal ra, patch_fn
  CHECK_D(3, a0, 2)

  /* 2. -> c.li a0, 3; c.nop */
  lh t2, tpl_cli3
  sh t2, 0(t1)
  lh t2, tpl_cli3 + 2
  sh t2, 2(t1)
  fence.i
  jal ra, patch_fn
  CHECK_D(4, a0, 3)

  /* 3. a hot loop: addi a1, a1, 1 -> addi a1, a1, 2 */
  jal ra, loop_fn
  CHECK_D(5, a1, 100)
  la t1, loop_insn
  lw t2, tpl_addi_a1_2
  sw t2, 0(t1)
  fence.i
  jal ra, loop_fn
  CHECK_D(6, a1, 200)

  /* 4. the instruction right after fence.i: addi a2, x0, 1 -> 5. The
     same block runs twice; only the second round stores first. */
  li s0, 0
  la t1, next_insn
  lw t2, tpl_addi_a2_5
5:
  li a2, 0
  beq s0, x0, 6f
  sw t2, 0(t1)
6:
  fence.i
next_insn:
  addi a2, x0, 1
  bne s0, x0, 7f
  CHECK_D(7, a2, 1)           /* first round: the old instruction */
  li s0, 1
  beq x0, x0, 5b
7:
  CHECK_D(8, a2, 5)

  /* 5. code on a page that was stored to before it ever ran: that store
     left the hart a fast path for writing the page, which must not hide
     a later store from fence.i (the hart drops only written code). */
  la t1, fresh_fn
  lw t2, tpl_addi_a3_1
  sw t2, 0(t1)
  fence.i
  jal ra, fresh_fn
  CHECK_D(9, a3, 1)
  lw t2, tpl_addi_a3_7
  sw t2, 0(t1)
  fence.i
  jal ra, fresh_fn
  CHECK_D(10, a3, 7)
  beq x0, x0, pass

patch_fn:
  addi a0, x0, 1
  jalr x0, 0(ra)

loop_fn:
  li a1, 0
  li t0, 100
4:
loop_insn:
  addi a1, a1, 1
  addi t0, t0, -1
  bne t0, x0, 4b
  jalr x0, 0(ra)

/* Templates, never executed in place. */
  .balign 4
tpl_addi2:
  addi a0, x0, 2
tpl_cli3:
  .option push
  .option rvc
  c.li a0, 3
  c.nop
  .option pop
tpl_addi_a1_2:
  addi a1, a1, 2
tpl_addi_a2_5:
  addi a2, x0, 5
tpl_addi_a3_1:
  addi a3, x0, 1
tpl_addi_a3_7:
  addi a3, x0, 7

/* Alone on its page, which nothing runs before case 5 stores to it. */
  .balign 4096
fresh_fn:
  addi a3, x0, 0
  jalr x0, 0(ra)
  .balign 4096
ISA_END
