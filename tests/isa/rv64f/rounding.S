/* Dynamic rounding (rm = dyn uses frm) against the static modes: the
 * same ties as fadd.S / fcvt, with frm set to each of the five modes;
 * a static rm overrides frm; instructions do not change frm.
 * Mutants: fadd.s, fdiv.s, fcvt.w.s, fcvt.s.w, fmadd.s, fsqrt.s. */
#include "fp_macros.h"

/* Checks with frm = mode: 1 + 2^-24 (tie, even below), -1 - 2^-24,
   1/3, sqrt 2, fcvt.w.s 2.5, fcvt.s.w 2^24 + 1 and 1*1 + 2^-24. */
#define DYN_CHECKS(n, mode, tie, ntie, third, sqrt2, cvt, cvts, fma) \
  fsrmi mode;                                                           \
  TEST_RR_S(n, fadd.s, dyn, S_ONE, 0x33800000, tie, NX);                \
  TEST_RR_S(n + 1, fadd.s, dyn, 0xbf800000, 0xb3800000, ntie, NX);      \
  TEST_RR_S(n + 2, fdiv.s, dyn, S_ONE, 0x40400000, third, NX);          \
  TEST_R_S(n + 3, fsqrt.s, dyn, S_TWO, sqrt2, NX);                      \
  TEST_TOX_S(n + 4, fcvt.w.s, dyn, 0x40200000, cvt, NX);                \
  TEST_FROMX_S(n + 5, fcvt.s.w, dyn, 16777217, cvts, NX);               \
  TEST_RRR_S(n + 6, fmadd.s, dyn, S_ONE, S_ONE, 0x33800000, fma, NX);   \
  frrm a0;                                                              \
  CHECK_XONLY(n + 7, a0, mode)

FP_BEGIN
  /* frm = 0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM */
  DYN_CHECKS(10, 0, 0x3f800000, 0xbf800000, 0x3eaaaaab, 0x3fb504f3, 2, 0x4b800000, 0x3f800000)
  DYN_CHECKS(20, 1, 0x3f800000, 0xbf800000, 0x3eaaaaaa, 0x3fb504f3, 2, 0x4b800000, 0x3f800000)
  DYN_CHECKS(30, 2, 0x3f800000, 0xbf800001, 0x3eaaaaaa, 0x3fb504f3, 2, 0x4b800000, 0x3f800000)
  DYN_CHECKS(40, 3, 0x3f800001, 0xbf800000, 0x3eaaaaab, 0x3fb504f4, 3, 0x4b800001, 0x3f800001)
  DYN_CHECKS(50, 4, 0x3f800001, 0xbf800001, 0x3eaaaaab, 0x3fb504f3, 3, 0x4b800001, 0x3f800001)
  /* A static mode overrides frm (here RUP). */
  fsrmi 3
  TEST_RR_S(60, fadd.s, rtz, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_RR_S(61, fadd.s, rne, S_ONE, 0x33800000, 0x3f800000, NX)
  TEST_TOX_S(62, fcvt.w.s, rdn, 0x40200000, 2, NX)
  fsrmi 1
  TEST_RR_S(63, fadd.s, rup, S_ONE, 0x33800000, 0x3f800001, NX)
  TEST_RR_S(64, fadd.s, rmm, S_ONE, 0x33800000, 0x3f800001, NX)
  /* The assembler's default rounding mode for these is dyn. */
  LOAD_S(fa0, S_ONE)
  LOAD_S(fa1, 0x33800000)
  fsrmi 3
  fadd.s fa2, fa0, fa1
  CHECK_FS(65, fa2, 0x3f800001, NX)
  fsrmi 0
  fadd.s fa2, fa0, fa1
  CHECK_FS(66, fa2, 0x3f800000, NX)
  j pass

FP_END
