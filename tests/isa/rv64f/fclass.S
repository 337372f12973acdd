/* fclass.s: exactly one of the ten class bits, never any flag.
 * Mutant: fclass.s. */
#include "fp_macros.h"

FP_BEGIN
  TEST_CLASS_S(2, fclass.s, S_NINF, 0x001)          /* -inf */
  TEST_CLASS_S(3, fclass.s, 0xbf800000, 0x002)      /* negative normal */
  TEST_CLASS_S(4, fclass.s, 0xff7fffff, 0x002)
  TEST_CLASS_S(5, fclass.s, 0x807fffff, 0x004)      /* negative subnormal */
  TEST_CLASS_S(6, fclass.s, 0x80000001, 0x004)
  TEST_CLASS_S(7, fclass.s, 0x80000000, 0x008)      /* -0 */
  TEST_CLASS_S(8, fclass.s, 0x00000000, 0x010)      /* +0 */
  TEST_CLASS_S(9, fclass.s, 0x00000001, 0x020)      /* positive subnormal */
  TEST_CLASS_S(10, fclass.s, 0x007fffff, 0x020)
  TEST_CLASS_S(11, fclass.s, S_MINNORM, 0x040)      /* positive normal */
  TEST_CLASS_S(12, fclass.s, S_MAX, 0x040)
  TEST_CLASS_S(13, fclass.s, S_INF, 0x080)          /* +inf */
  TEST_CLASS_S(14, fclass.s, S_SNAN, 0x100)         /* signaling NaN */
  TEST_CLASS_S(15, fclass.s, 0xffbfffff, 0x100)
  TEST_CLASS_S(16, fclass.s, S_QNAN, 0x200)         /* quiet NaN */
  TEST_CLASS_S(17, fclass.s, 0xffffffff, 0x200)
  j pass

FP_END
