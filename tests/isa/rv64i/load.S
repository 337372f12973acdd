/* RV64I loads lb, lh, lw, ld, lbu, lhu, lwu: sign or zero extension of
 * each width, little-endian byte order, positive/negative and extreme
 * 12-bit offsets, rd = rs1, rd = x0. All accesses are naturally aligned
 * (misaligned access behaviour is implementation-defined).
 * Mutant: lh. */
#include "macros.h"

  .data
  .balign 8
  .skip 2048                  /* room for the -2048 offset test below */
ldata:                        /* bytes 81 7f 00 80 ff ff ff 7f | ef cd ab 89 67 45 23 01 */
  .dword 0x7fffffff80007f81
  .dword 0x0123456789abcdef
  .skip 2048

ISA_BEGIN
  la a0, ldata

  lb a1, 0(a0)
  CHECK_D(2, a1, 0xffffffffffffff81)
  lb a1, 1(a0)
  CHECK_D(3, a1, 0x7f)
  lb a1, 2(a0)
  CHECK_D(4, a1, 0)
  lbu a1, 0(a0)
  CHECK_D(5, a1, 0x81)
  lbu a1, 4(a0)
  CHECK_D(6, a1, 0xff)
  lbu a1, 15(a0)
  CHECK_D(7, a1, 0x01)

  lh a1, 0(a0)
  CHECK_D(8, a1, 0x7f81)
  lh a1, 2(a0)
  CHECK_D(9, a1, 0xffffffffffff8000)
  lh a1, 4(a0)
  CHECK_D(10, a1, 0xffffffffffffffff)
  lh a1, 6(a0)
  CHECK_D(11, a1, 0x7fff)
  lhu a1, 2(a0)
  CHECK_D(12, a1, 0x8000)
  lhu a1, 4(a0)
  CHECK_D(13, a1, 0xffff)
  lhu a1, 8(a0)
  CHECK_D(14, a1, 0xcdef)

  lw a1, 0(a0)
  CHECK_D(15, a1, 0xffffffff80007f81)
  lw a1, 4(a0)
  CHECK_D(16, a1, 0x7fffffff)
  lw a1, 8(a0)
  CHECK_D(17, a1, 0xffffffff89abcdef)
  lw a1, 12(a0)
  CHECK_D(18, a1, 0x01234567)
  lwu a1, 0(a0)
  CHECK_D(19, a1, 0x80007f81)
  lwu a1, 8(a0)
  CHECK_D(20, a1, 0x89abcdef)
  lwu a1, 4(a0)
  CHECK_D(21, a1, 0x7fffffff)

  ld a1, 0(a0)
  CHECK_D(22, a1, 0x7fffffff80007f81)
  ld a1, 8(a0)
  CHECK_D(23, a1, 0x0123456789abcdef)

  /* negative offsets */
  addi a2, a0, 16
  ld a1, -8(a2)
  CHECK_D(24, a1, 0x0123456789abcdef)
  lb a1, -16(a2)
  CHECK_D(25, a1, 0xffffffffffffff81)
  lhu a1, -14(a2)
  CHECK_D(26, a1, 0x8000)
  lw a1, -4(a2)
  CHECK_D(27, a1, 0x01234567)

  /* the extreme offsets -2048 and 2047 */
  addi a3, a0, 2047
  addi a3, a3, 1              /* a3 = ldata + 2048 */
  lh a1, -2048(a3)
  CHECK_D(28, a1, 0x7f81)
  ld a1, -2040(a3)
  CHECK_D(29, a1, 0x0123456789abcdef)
  addi a4, a0, -2046          /* a4 + 2047 = ldata + 1 */
  lbu a1, 2047(a4)
  CHECK_D(30, a1, 0x7f)
  lb a1, 2047(a4)
  CHECK_D(31, a1, 0x7f)
  addi a4, a0, -2045          /* a4 + 2047 = ldata + 2 */
  lh a1, 2047(a4)
  CHECK_D(32, a1, 0xffffffffffff8000)

  /* rd = rs1, rd = x0 */
  mv a5, a0
  ld a5, 8(a5)
  CHECK_D(33, a5, 0x0123456789abcdef)
  mv a5, a0
  lh a5, 2(a5)
  CHECK_D(34, a5, 0xffffffffffff8000)
  lw x0, 0(a0)
  CHECK_D(35, x0, 0)
  beq x0, x0, pass
ISA_END
