/* flw and fsw: flw NaN-boxes the loaded word and never interprets it (a
 * signaling NaN loads unchanged, without flags); fsw stores the low 32 bits
 * of the register unchanged (whatever the upper bits are) and no other
 * byte; positive and negative offsets.
 * Mutants: flw, fsw. */
#include "fp_macros.h"

FP_BEGIN
  la a1, words
  flw fa0, 0(a1)
  CHECK_FS(2, fa0, 0x3f800000, 0)
  flw fa0, 4(a1)
  CHECK_FS(3, fa0, 0xbf800000, 0)
  flw fa0, 8(a1)
  CHECK_FS(4, fa0, 0x7f800001, 0)
  flw fa0, 12(a1)
  CHECK_FS(5, fa0, 0xffc12345, 0)
  addi a2, a1, 16
  flw fa0, -4(a2)
  CHECK_FS(6, fa0, 0xffc12345, 0)
  flw fa0, -16(a2)
  CHECK_FS(7, fa0, 0x3f800000, 0)

  /* Stores into the middle of a filled buffer: neighbours stay. */
  la a3, buffer
  LOAD_S(fa1, 0x7f800001)
  fsw fa1, 4(a3)
  ld a0, 0(a3)
  CHECK_X(8, a0, 0x7f800001aaaaaaaa, 0)
  ld a0, 8(a3)
  CHECK_X(9, a0, 0xaaaaaaaaaaaaaaaa, 0)
  LOAD_S(fa1, 0x80000000)
  addi a4, a3, 16
  fsw fa1, -16(a4)
  ld a0, 0(a3)
  CHECK_X(10, a0, 0x7f80000180000000, 0)
  /* The low 32 bits of an improperly boxed value are stored as they are. */
  li t0, 0x1122334455667788
  fmv.d.x fa2, t0
  fsw fa2, 8(a3)
  ld a0, 8(a3)
  CHECK_X(11, a0, 0xaaaaaaaa55667788, 0)
  /* flw -> fsw round trip of a NaN payload. */
  flw fa3, 12(a1)
  fsw fa3, 12(a3)
  ld a0, 8(a3)
  CHECK_X(12, a0, 0xffc1234555667788, 0)
  j pass

FP_END

.data
.balign 8
words:
  .word 0x3f800000, 0xbf800000, 0x7f800001, 0xffc12345
buffer:
  .dword 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa
