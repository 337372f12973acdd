/* RV64C conditional branches c.beqz and c.bnez (rs1 in x8..x15): compare
 * all 64 bits with zero (a value that is zero only in its low word is not
 * zero), forward and backward, up to the largest offsets (-256 / +254).
 * Mutant: c.bnez (decision inverted). */
#include "../rv64i/macros.h"

/* Check n: `insn reg` must branch. */
#define TAKEN(n, insn, reg)         \
  li TESTNUM, n;                    \
  insn reg, 93f;                    \
  beq x0, x0, fail;                 \
93:

/* Check n: `insn reg` must fall through (to the next instruction). */
#define NOT_TAKEN(n, insn, reg)     \
  li TESTNUM, n;                    \
  insn reg, 95f;                    \
  beq x0, x0, 96f;                  \
95:                                 \
  beq x0, x0, fail;                 \
96:

ISA_BEGIN
  .option rvc
  li s0, 0
  li s1, 1
  li a0, 0x100000000          /* zero low word */
  li a1, -1
  li a2, 0x8000000000000000

  TAKEN(2, c.beqz, s0)
  NOT_TAKEN(3, c.beqz, s1)
  NOT_TAKEN(4, c.beqz, a0)
  NOT_TAKEN(5, c.beqz, a1)
  NOT_TAKEN(6, c.beqz, a2)

  TAKEN(7, c.bnez, s1)
  TAKEN(8, c.bnez, a0)
  TAKEN(9, c.bnez, a1)
  TAKEN(10, c.bnez, a2)
  NOT_TAKEN(11, c.bnez, s0)

  /* backward: a count-down loop */
  li a3, 10
  li a4, 0
1:
  addi a4, a4, 2
  c.addi a3, -1
  c.bnez a3, 1b
  CHECK_D(12, a4, 20)

  /* the extreme offsets: +254 forward, -256 backward (the assembler would
     quietly widen an out-of-range c.beqz/c.bnez into beq/bne, so the
     .skip sizes are exact) */
  li TESTNUM, 13
  c.beqz s0, 2f               /* at X; 2f at X + 2 + 4 + 248 */
  beq x0, x0, fail
  .skip 248
2:
  li TESTNUM, 14
  c.j 4f                      /* at Y */
3:                            /* Y + 2 */
  c.j 5f
  .skip 254
4:                            /* Y + 4 + 254 = 3b + 256 */
  c.bnez s1, 3b
  beq x0, x0, fail
5:
  beq x0, x0, pass
ISA_END
