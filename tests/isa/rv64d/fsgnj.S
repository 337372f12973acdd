/* fsgnj.d, fsgnjn.d, fsgnjx.d: sign injection on all 64 bits; no flags;
 * NaN payloads untouched; fmv.d, fneg.d and fabs.d.
 * Mutants: fsgnj.d, fsgnjn.d, fsgnjx.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_RR_NORM_D(2, fsgnj.d, D_ONE, 0xc000000000000000, 0xbff0000000000000, 0)
  TEST_RR_NORM_D(3, fsgnj.d, 0xbff0000000000000, D_TWO, D_ONE, 0)
  TEST_RR_NORM_D(4, fsgnj.d, 0x123456789abcdef0, D_NEG, 0x923456789abcdef0, 0)
  TEST_RR_NORM_D(5, fsgnj.d, D_SNAN, 0xbff0000000000000, 0xfff0000000000001, 0)
  TEST_RR_NORM_D(6, fsgnj.d, 0xfff8000000012345, 0, 0x7ff8000000012345, 0)
  TEST_RR_NORM_D(7, fsgnjn.d, D_ONE, 0xc000000000000000, D_ONE, 0)
  TEST_RR_NORM_D(8, fsgnjn.d, D_ONE, D_TWO, 0xbff0000000000000, 0)
  TEST_RR_NORM_D(9, fsgnjn.d, 0x923456789abcdef0, D_NEG, 0x123456789abcdef0, 0)
  TEST_RR_NORM_D(10, fsgnjn.d, D_SNAN, D_SNAN, 0xfff0000000000001, 0)
  TEST_RR_NORM_D(11, fsgnjx.d, 0xbff0000000000000, 0xc000000000000000, D_ONE, 0)
  TEST_RR_NORM_D(12, fsgnjx.d, 0xbff0000000000000, D_TWO, 0xbff0000000000000, 0)
  TEST_RR_NORM_D(13, fsgnjx.d, D_ONE, D_NEG, 0xbff0000000000000, 0)
  TEST_RR_NORM_D(14, fsgnjx.d, D_ONE, D_TWO, D_ONE, 0)
  TEST_RR_NORM_D(15, fsgnjx.d, 0xfff0000000000001, 0xfff8000000000000, 0x7ff0000000000001, 0)
  /* A NaN-boxed single is an ordinary (NaN) bit pattern here. */
  TEST_RR_NORM_D(16, fsgnjx.d, 0xffffffff3f800000, D_NEG, 0x7fffffff3f800000, 0)
  LOAD_D(fa0, 0xc00921fb54442d18)
  fmv.d fa2, fa0
  CHECK_F(17, fa2, 0xc00921fb54442d18, 0)
  fneg.d fa2, fa0
  CHECK_F(18, fa2, 0x400921fb54442d18, 0)
  fabs.d fa2, fa0
  CHECK_F(19, fa2, 0x400921fb54442d18, 0)
  LOAD_D(fa0, 0x400921fb54442d18)
  LOAD_D(fa1, D_NEG)
  fsgnjn.d fa0, fa0, fa1
  CHECK_F(20, fa0, 0x400921fb54442d18, 0)
  fsgnjx.d fa0, fa0, fa1
  CHECK_F(21, fa0, 0xc00921fb54442d18, 0)
  fsgnj.d fa0, fa0, fa0
  CHECK_F(22, fa0, 0xc00921fb54442d18, 0)
  j pass

FP_END
