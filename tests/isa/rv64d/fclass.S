/* fclass.d: exactly one of the ten class bits, never any flag.
 * Mutant: fclass.d. */
#include "../rv64f/fp_macros.h"

FP_BEGIN
  TEST_CLASS_D(2, fclass.d, D_NINF, 0x001)
  TEST_CLASS_D(3, fclass.d, 0xbff0000000000000, 0x002)
  TEST_CLASS_D(4, fclass.d, 0xffefffffffffffff, 0x002)
  TEST_CLASS_D(5, fclass.d, 0x800fffffffffffff, 0x004)
  TEST_CLASS_D(6, fclass.d, 0x8000000000000001, 0x004)
  TEST_CLASS_D(7, fclass.d, D_NEG, 0x008)
  TEST_CLASS_D(8, fclass.d, 0, 0x010)
  TEST_CLASS_D(9, fclass.d, 1, 0x020)
  TEST_CLASS_D(10, fclass.d, 0x000fffffffffffff, 0x020)
  TEST_CLASS_D(11, fclass.d, D_MINNORM, 0x040)
  TEST_CLASS_D(12, fclass.d, D_MAX, 0x040)
  TEST_CLASS_D(13, fclass.d, D_INF, 0x080)
  TEST_CLASS_D(14, fclass.d, D_SNAN, 0x100)
  TEST_CLASS_D(15, fclass.d, 0xfff7ffffffffffff, 0x100)
  TEST_CLASS_D(16, fclass.d, D_QNAN, 0x200)
  TEST_CLASS_D(17, fclass.d, 0xffffffffffffffff, 0x200)
  /* A NaN-boxed single is a quiet NaN as a double. */
  TEST_CLASS_D(18, fclass.d, 0xffffffff3f800000, 0x200)
  j pass

FP_END
