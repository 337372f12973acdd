/* RV64I stores sb, sh, sw, sd: only the low 8/16/32/64 bits of rs2 are
 * written, little-endian, neighbouring bytes untouched; positive, negative
 * and extreme offsets; rs2 = x0. Read back with ld.
 * Mutant: sb (bit 0 of the stored byte flipped). sw is never the mutant:
 * the pass/fail report uses it. */
#include "macros.h"

  .data
  .balign 8
sarea:
  .skip 64

ISA_BEGIN
  la a0, sarea
  li a1, 0x0123456789abcdef
  li a2, 0xffffffff89abcdef
  li a3, 0x12345678
  li a4, 0x1ff
  li a5, 0x80

  sd a1, 0(a0)
  ld t0, 0(a0)
  CHECK_D(2, t0, 0x0123456789abcdef)

  sw a2, 8(a0)                /* only the low word: upper word stays 0 */
  ld t0, 8(a0)
  CHECK_D(3, t0, 0x89abcdef)
  sw a3, 12(a0)
  ld t0, 8(a0)
  CHECK_D(4, t0, 0x1234567889abcdef)

  sh a3, 18(a0)               /* low half 0x5678 into bytes 18..19 */
  ld t0, 16(a0)
  CHECK_D(5, t0, 0x0000000056780000)

  sb a4, 25(a0)               /* 0x1ff -> byte 0xff */
  sb a5, 31(a0)
  ld t0, 24(a0)
  CHECK_D(6, t0, 0x800000000000ff00)

  /* partial overwrites of the first doubleword */
  sb x0, 3(a0)
  ld t0, 0(a0)
  CHECK_D(7, t0, 0x0123456700abcdef)
  addi a6, a0, 8
  sh a3, -2(a6)               /* bytes 6..7 */
  ld t0, 0(a0)
  CHECK_D(8, t0, 0x5678456700abcdef)
  sb a4, -8(a6)               /* byte 0 */
  ld t0, 0(a0)
  CHECK_D(9, t0, 0x5678456700abcdff)
  sw x0, -4(a6)               /* bytes 4..7 */
  ld t0, 0(a0)
  CHECK_D(10, t0, 0x0000000000abcdff)
  sh a5, 0(a0)
  ld t0, 0(a0)
  CHECK_D(11, t0, 0x0000000000ab0080)
  sd x0, 0(a0)
  ld t0, 0(a0)
  CHECK_D(12, t0, 0)

  /* the extreme offsets -2048 and 2047 */
  addi a7, a0, 2047
  addi a7, a7, 33             /* a7 = sarea + 2080 */
  sd a1, -2048(a7)            /* sarea + 32 */
  ld t0, 32(a0)
  CHECK_D(13, t0, 0x0123456789abcdef)
  addi a7, a0, -2007          /* a7 + 2047 = sarea + 40 */
  sb a5, 2047(a7)
  ld t0, 40(a0)
  CHECK_D(14, t0, 0x80)
  addi a7, a7, 2              /* a7 + 2047 = sarea + 42 */
  sh a3, 2047(a7)
  ld t0, 40(a0)
  CHECK_D(15, t0, 0x56780080)

  /* a byte at a time builds a doubleword */
  li t1, 8
  li t2, 0x11
  addi a6, a0, 48
1:
  sb t2, 0(a6)
  addi t2, t2, 0x11
  addi a6, a6, 1
  addi t1, t1, -1
  bne t1, x0, 1b
  ld t0, 48(a0)
  CHECK_D(16, t0, 0x8877665544332211)
  ld t0, 56(a0)               /* the next doubleword was not touched */
  CHECK_D(17, t0, 0)
  beq x0, x0, pass
ISA_END
