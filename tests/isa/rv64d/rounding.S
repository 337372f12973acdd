/* Dynamic rounding (rm = dyn uses frm) for double-precision instructions:
 * the ties of fadd.S, 1/3, sqrt 2, fcvt.w.d 2.5, fcvt.d.l 2^53 + 1,
 * fmadd.d and fcvt.s.d with frm set to each of the five modes; a static rm
 * overrides frm.
 * Mutants: fadd.d, fdiv.d, fsqrt.d, fcvt.w.d, fcvt.d.l, fmadd.d, fcvt.s.d. */
#include "../rv64f/fp_macros.h"

#define P1 0x3ff0000000000001

#define DYN_CHECKS(n, mode, tie, ntie, third, sqrt2, cvt, cvtd, fma, d2s) \
  fsrmi mode;                                                                \
  TEST_RR_D(n, fadd.d, dyn, D_ONE, 0x3ca0000000000000, tie, NX);             \
  TEST_RR_D(n + 1, fadd.d, dyn, 0xbff0000000000000, 0xbca0000000000000, ntie, NX); \
  TEST_RR_D(n + 2, fdiv.d, dyn, D_ONE, 0x4008000000000000, third, NX);       \
  TEST_R_D(n + 3, fsqrt.d, dyn, D_TWO, sqrt2, NX);                           \
  TEST_TOX_D(n + 4, fcvt.w.d, dyn, 0x4004000000000000, cvt, NX);             \
  TEST_FROMX_D(n + 5, fcvt.d.l, dyn, 0x0020000000000001, cvtd, NX);          \
  TEST_RRR_D(n + 6, fmadd.d, dyn, D_ONE, D_ONE, 0x3ca0000000000000, fma, NX); \
  LOAD_D(fa0, 0x3fd5555555555555);                                           \
  fcvt.s.d fa2, fa0, dyn;                                                    \
  CHECK_FS(n + 7, fa2, d2s, NX);                                             \
  frrm a0;                                                                   \
  CHECK_XONLY(n + 8, a0, mode)

FP_BEGIN
  /* frm = 0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM */
  DYN_CHECKS(10, 0, D_ONE, 0xbff0000000000000, 0x3fd5555555555555,
             0x3ff6a09e667f3bcd, 2, 0x4340000000000000, D_ONE, 0x3eaaaaab)
  DYN_CHECKS(20, 1, D_ONE, 0xbff0000000000000, 0x3fd5555555555555,
             0x3ff6a09e667f3bcc, 2, 0x4340000000000000, D_ONE, 0x3eaaaaaa)
  DYN_CHECKS(30, 2, D_ONE, 0xbff0000000000001, 0x3fd5555555555555,
             0x3ff6a09e667f3bcc, 2, 0x4340000000000000, D_ONE, 0x3eaaaaaa)
  DYN_CHECKS(40, 3, P1, 0xbff0000000000000, 0x3fd5555555555556,
             0x3ff6a09e667f3bcd, 3, 0x4340000000000001, P1, 0x3eaaaaab)
  DYN_CHECKS(50, 4, P1, 0xbff0000000000001, 0x3fd5555555555555,
             0x3ff6a09e667f3bcd, 3, 0x4340000000000001, P1, 0x3eaaaaab)
  fsrmi 3
  TEST_RR_D(60, fadd.d, rtz, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  TEST_RR_D(61, fadd.d, rne, D_ONE, 0x3ca0000000000000, D_ONE, NX)
  fsrmi 1
  TEST_RR_D(62, fadd.d, rup, D_ONE, 0x3ca0000000000000, P1, NX)
  TEST_RR_D(63, fadd.d, rmm, D_ONE, 0x3ca0000000000000, P1, NX)
  fsrmi 0
  j pass

FP_END
