/* fld and fsd: 64-bit loads and stores of raw bits (signaling NaNs and
 * NaN-boxed singles included), no flags, positive and negative offsets,
 * neighbours untouched.
 * Mutants: fld, fsd. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  la a1, dwords
  fld fa0, 0(a1)
  CHECK_F(2, fa0, D_ONE, 0)
  fld fa0, 8(a1)
  CHECK_F(3, fa0, D_SNAN, 0)
  fld fa0, 16(a1)
  CHECK_F(4, fa0, 0xfff8000000012345, 0)
  addi a2, a1, 24
  fld fa0, -8(a2)
  CHECK_F(5, fa0, 0xfff8000000012345, 0)
  fld fa0, -24(a2)
  CHECK_F(6, fa0, D_ONE, 0)

  la a3, buffer
  LOAD_D(fa1, D_SNAN)
  fsd fa1, 8(a3)
  ld a0, 0(a3)
  CHECK_X(7, a0, 0xaaaaaaaaaaaaaaaa, 0)
  ld a0, 8(a3)
  CHECK_X(8, a0, D_SNAN, 0)
  ld a0, 16(a3)
  CHECK_X(9, a0, 0xaaaaaaaaaaaaaaaa, 0)
  /* A NaN-boxed single is stored with its upper bits. */
  LOAD_S(fa2, 0x40490fdb)
  addi a4, a3, 16
  fsd fa2, -16(a4)
  ld a0, 0(a3)
  CHECK_X(10, a0, 0xffffffff40490fdb, 0)
  /* fld -> fsd round trip. */
  fld fa3, 16(a1)
  fsd fa3, 16(a3)
  ld a0, 16(a3)
  CHECK_X(11, a0, 0xfff8000000012345, 0)
  j pass

FP_END

.data
.balign 8
dwords:
  .dword D_ONE, D_SNAN, 0xfff8000000012345
buffer:
  .dword 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa
