/* RV64I conditional branches beq, bne, blt, bge, bltu, bgeu: each one
 * taken and not taken, on full 64-bit operands (upper bits count), signed
 * against unsigned order, equal operands and the same register twice.
 * Mutant: blt (decision inverted). */
#include "macros.h"

/* Check n: `insn a, b` must branch. */
#define TAKEN(n, insn, a, b)        \
  li TESTNUM, n;                    \
  insn a, b, 93f;                   \
  beq x0, x0, fail;                 \
93:

/* Check n: `insn a, b` must fall through. */
#define NOT_TAKEN(n, insn, a, b)    \
  li TESTNUM, n;                    \
  insn a, b, fail

ISA_BEGIN
  li s0, 5
  li s1, 6
  li s2, -1
  li s3, 0x100000000          /* differs from 0 only in the upper half */
  li s4, 0x8000000000000000   /* INT64_MIN */
  li s5, 0x7fffffffffffffff   /* INT64_MAX */
  li s6, 5
  li s7, 0xffffffff           /* -1 in the low word only */

  TAKEN(2, beq, s0, s6)
  NOT_TAKEN(3, beq, s0, s1)
  NOT_TAKEN(4, beq, s3, x0)
  NOT_TAKEN(5, beq, s2, s7)
  TAKEN(6, beq, x0, x0)

  TAKEN(7, bne, s0, s1)
  NOT_TAKEN(8, bne, s0, s6)
  TAKEN(9, bne, s3, x0)
  TAKEN(10, bne, s2, s7)
  NOT_TAKEN(11, bne, s2, s2)

  TAKEN(12, blt, s2, x0)      /* -1 < 0 */
  NOT_TAKEN(13, blt, x0, s2)
  NOT_TAKEN(14, blt, s0, s6)  /* equal */
  TAKEN(15, blt, s4, s5)      /* INT64_MIN < INT64_MAX */
  NOT_TAKEN(16, blt, s5, s4)
  TAKEN(17, blt, s0, s1)
  NOT_TAKEN(18, blt, s2, s2)
  TAKEN(19, blt, s4, s2)

  TAKEN(20, bge, s0, s6)      /* equal */
  TAKEN(21, bge, x0, s2)      /* 0 >= -1 */
  NOT_TAKEN(22, bge, s2, x0)
  TAKEN(23, bge, s5, s4)
  NOT_TAKEN(24, bge, s4, s5)
  TAKEN(25, bge, s4, s4)

  TAKEN(26, bltu, x0, s2)     /* 0 < 2^64-1 */
  NOT_TAKEN(27, bltu, s2, x0)
  NOT_TAKEN(28, bltu, s0, s6)
  TAKEN(29, bltu, s5, s4)     /* 2^63-1 < 2^63 */
  NOT_TAKEN(30, bltu, s4, s5)
  TAKEN(31, bltu, s7, s3)     /* 0xffffffff < 0x100000000 */

  TAKEN(32, bgeu, s2, x0)
  TAKEN(33, bgeu, s0, s6)
  NOT_TAKEN(34, bgeu, x0, s2)
  TAKEN(35, bgeu, s4, s5)
  NOT_TAKEN(36, bgeu, s5, s4)
  NOT_TAKEN(37, bgeu, s7, s3)

  /* backward branches: a counted loop with each kind of loop test */
  li a0, 0
  li a1, 10
1:
  addi a0, a0, 1
  blt a0, a1, 1b
  CHECK_D(38, a0, 10)
  li a0, 10
2:
  addi a0, a0, -1
  bne a0, x0, 2b
  CHECK_D(39, a0, 0)
  li a0, 0
3:
  addi a0, a0, 3
  bgeu s1, a0, 3b             /* stops at the first a0 > 6 */
  CHECK_D(40, a0, 9)
  li a0, -5
4:
  addi a0, a0, 1
  bge x0, a0, 4b              /* loops while a0 <= 0 */
  CHECK_D(41, a0, 1)
  li a0, 0
5:
  addi a0, a0, 1
  beq a0, s1, 6f
  bltu a0, s1, 5b
6:
  CHECK_D(42, a0, 6)
  beq x0, x0, pass
ISA_END
