/* Differential test: conversions, moves and fcsr of the F and D extensions.
 *
 * fcvt.{w,wu,l,lu}.{s,d} at and around every integer limit, halfway cases,
 * negative values to unsigned, NaN and infinity, in the five rounding modes;
 * fcvt.{s,d}.{w,wu,l,lu} from integer limits and inexact values (the W forms
 * must ignore the upper 32 bits); fcvt.s.d around overflow, the subnormal
 * range and tininess-after-rounding, fcvt.d.s; fmv/flw/fsw bit transfers
 * (NaN payloads kept, NaN-boxing of FMV.W.X and FLW); fcsr/frm/fflags.
 */
#include "tests/diff/fp.h"

#define SIGN_D 0x8000000000000000ull

FP_DEFINE_ALL_RM(all_cvt_w_d, XRES, "fcvt.w.d %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_wu_d, XRES, "fcvt.wu.d %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_l_d, XRES, "fcvt.l.d %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_lu_d, XRES, "fcvt.lu.d %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_w_s, XRES, "fcvt.w.s %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_wu_s, XRES, "fcvt.wu.s %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_l_s, XRES, "fcvt.l.s %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_lu_s, XRES, "fcvt.lu.s %0, ft0")
FP_DEFINE_ALL_RM(all_cvt_s_d, FRES, "fcvt.s.d ft3, ft0")
/* Exact conversions (fcvt.d.s, fcvt.d.w, fcvt.d.wu): the assembler takes
   no rounding mode for them, so they run once (rm field 0). */
FP_DEFINE_ONE(one_cvt_d_s, FRES, "fcvt.d.s ft3, ft0")

/* Integer sources: the operand is passed in an integer register. */
#define INT_TO_FP(name, insn)                                              \
  static void name(uint64_t a, uint64_t r[5], uint32_t f[5]) {            \
    uint64_t fl;                                                          \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2, rne\n\t"     \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[0]), "=r"(fl) : "r"(a) : "ft3");             \
    f[0] = (uint32_t)fl;                                                  \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2, rtz\n\t"     \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[1]), "=r"(fl) : "r"(a) : "ft3");             \
    f[1] = (uint32_t)fl;                                                  \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2, rdn\n\t"     \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[2]), "=r"(fl) : "r"(a) : "ft3");             \
    f[2] = (uint32_t)fl;                                                  \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2, rup\n\t"     \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[3]), "=r"(fl) : "r"(a) : "ft3");             \
    f[3] = (uint32_t)fl;                                                  \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2, rmm\n\t"     \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[4]), "=r"(fl) : "r"(a) : "ft3");             \
    f[4] = (uint32_t)fl;                                                  \
  }

#define INT_TO_FP_EXACT(name, insn)                                        \
  static void name(uint64_t a, uint64_t r[5], uint32_t f[5]) {            \
    uint64_t fl;                                                          \
    __asm__ volatile("csrw fflags, zero\n\t" insn " ft3, %2\n\t"          \
                     "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                  \
                     : "=r"(r[0]), "=r"(fl) : "r"(a) : "ft3");             \
    for (int k = 0; k < 5; ++k) {                                         \
      r[k] = r[0];                                                        \
      f[k] = (uint32_t)fl;                                                \
    }                                                                     \
  }

INT_TO_FP_EXACT(cvt_d_w, "fcvt.d.w")
INT_TO_FP_EXACT(cvt_d_wu, "fcvt.d.wu")
INT_TO_FP(cvt_d_l, "fcvt.d.l")
INT_TO_FP(cvt_d_lu, "fcvt.d.lu")
INT_TO_FP(cvt_s_w, "fcvt.s.w")
INT_TO_FP(cvt_s_wu, "fcvt.s.wu")
INT_TO_FP(cvt_s_l, "fcvt.s.l")
INT_TO_FP(cvt_s_lu, "fcvt.s.lu")

static const uint64_t cvt_src_d[] = {
    0, SIGN_D, 0x3fd999999999999aull /* 0.4 */, 0x3fe0000000000000ull /* 0.5 */,
    0x3ff8000000000000ull /* 1.5 */, 0x4004000000000000ull /* 2.5 */,
    SIGN_D | 0x3fd999999999999aull, SIGN_D | 0x3fe0000000000000ull,
    SIGN_D | 0x3ff0000000000000ull, SIGN_D | 0x3ff8000000000000ull,
    SIGN_D | 0x4004000000000000ull, 0x3ff0000000000000ull,
    0x41dfffffffc00000ull /* 2^31-1 */, 0x41dfffffffe00000ull /* 2^31-0.5 */,
    0x41e0000000000000ull /* 2^31 */, 0xc1e0000000000000ull /* -2^31 */,
    0xc1e0000000100000ull /* -2^31-0.5 */, 0xc1e0000000200000ull /* -2^31-1 */,
    0x41efffffffe00000ull /* 2^32-1 */, 0x41effffffff00000ull /* 2^32-0.5 */,
    0x41f0000000000000ull /* 2^32 */, 0x43dfffffffffffffull /* 2^63-1024 */,
    0x43e0000000000000ull /* 2^63 */, 0xc3e0000000000000ull /* -2^63 */,
    0xc3e0000000000001ull /* -2^63-2048 */, 0x43efffffffffffffull /* 2^64-2048 */,
    0x43f0000000000000ull /* 2^64 */, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff0000000000001ull, 0xfff8000000000123ull,
    0x0000000000000001ull, 0x8000000000000001ull, 0x7fefffffffffffffull,
    0xffefffffffffffffull,
};

static const uint64_t cvt_src_s[] = {
    FP_BOX | 0, FP_BOX | 0x80000000u, FP_BOX | 0x3ecccccdu /* 0.4 */, FP_BOX | 0x3f000000u,
    FP_BOX | 0x3fc00000u /* 1.5 */, FP_BOX | 0x40200000u /* 2.5 */, FP_BOX | 0xbecccccdu,
    FP_BOX | 0xbf000000u, FP_BOX | 0xbf800000u, FP_BOX | 0xbfc00000u, FP_BOX | 0xc0200000u,
    FP_BOX | 0x3f800000u, FP_BOX | 0x4effffffu /* 2^31-128 */, FP_BOX | 0x4f000000u /* 2^31 */,
    FP_BOX | 0xcf000000u /* -2^31 */, FP_BOX | 0xcf000001u /* -2^31-256 */,
    FP_BOX | 0x4f7fffffu /* 2^32-256 */, FP_BOX | 0x4f800000u /* 2^32 */,
    FP_BOX | 0x5effffffu /* 2^63-2^39 */, FP_BOX | 0x5f000000u /* 2^63 */,
    FP_BOX | 0xdf000000u /* -2^63 */, FP_BOX | 0xdf000001u, FP_BOX | 0x5f7fffffu /* 2^64-2^40 */,
    FP_BOX | 0x5f800000u /* 2^64 */, FP_BOX | 0x7f800000u, FP_BOX | 0xff800000u,
    FP_BOX | 0x7fc00000u, FP_BOX | 0x7f800001u, FP_BOX | 0xffc00123u, FP_BOX | 0x00000001u,
    FP_BOX | 0x80000001u, FP_BOX | 0x7f7fffffu, FP_BOX | 0xff7fffffu,
    0x000000003f800000ull /* not NaN-boxed: canonical NaN */,
};

static const uint64_t int_src[] = {
    0, 1, 0xffffffffffffffffull, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
    0x1000001ull /* 2^24+1 */, 0x20000003ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0x0020000000000001ull /* 2^53+1 */,
    0x0020000000000003ull, 0xfff0000000000001ull, 0x123456789abcdef0ull,
    0xdeadbeef00000005ull /* W forms see 5 */, 0x0000000180000001ull,
    0xffffffff7fffffc1ull, 0x00000000fffffe7full,
};

/* fcvt.s.d sources: overflow boundaries, the float subnormal range, and
   tininess detected after rounding. */
static const uint64_t narrow_src[] = {
    0x47efffffe0000000ull /* float max */, 0x47efffffe0000001ull,
    0x47effffff0000000ull /* halfway to 2^128 */, 0x47f0000000000000ull /* 2^128 */,
    SIGN_D | 0x47effffff0000000ull, 0x36a0000000000000ull /* 2^-149 */,
    0x3690000000000000ull /* 2^-150 */, 0x3690000000000001ull,
    SIGN_D | 0x3690000000000001ull, 0x3810000000000000ull /* 2^-126 */,
    0x380ffffff0000000ull /* 2^-126 (1 - 2^-25) */, 0x380fffffe0000000ull,
    0x3fd5555555555555ull, 0x7ff8000000000123ull, 0x7ff0000000000001ull,
    0xfff0000000000000ull, 0, SIGN_D, 0x0000000000000001ull,
};

typedef void (*IntToFp)(uint64_t, uint64_t*, uint32_t*);

static void line_rm(const char* name, uint64_t a, const uint64_t r[5], const uint32_t f[5]) {
  sig_word(name);
  sig_x64(a);
  fp_print_rm_results(r, f);
  sig_eol();
}

static void conversions(void) {
  static const struct {
    const char* name;
    FpAllRm fn;
  } to_int_d[] = {{"fcvt.w.d", all_cvt_w_d}, {"fcvt.wu.d", all_cvt_wu_d},
                  {"fcvt.l.d", all_cvt_l_d}, {"fcvt.lu.d", all_cvt_lu_d}},
    to_int_s[] = {{"fcvt.w.s", all_cvt_w_s}, {"fcvt.wu.s", all_cvt_wu_s},
                  {"fcvt.l.s", all_cvt_l_s}, {"fcvt.lu.s", all_cvt_lu_s}};
  static const struct {
    const char* name;
    IntToFp fn;
  } from_int[] = {{"fcvt.d.w", cvt_d_w}, {"fcvt.d.wu", cvt_d_wu}, {"fcvt.d.l", cvt_d_l},
                  {"fcvt.d.lu", cvt_d_lu}, {"fcvt.s.w", cvt_s_w}, {"fcvt.s.wu", cvt_s_wu},
                  {"fcvt.s.l", cvt_s_l}, {"fcvt.s.lu", cvt_s_lu}};
  uint64_t r[5];
  uint32_t f[5];
  for (unsigned o = 0; o < 4; ++o)
    for (unsigned i = 0; i < sizeof cvt_src_d / sizeof cvt_src_d[0]; ++i) {
      to_int_d[o].fn(cvt_src_d[i], 0, 0, r, f);
      line_rm(to_int_d[o].name, cvt_src_d[i], r, f);
    }
  for (unsigned o = 0; o < 4; ++o)
    for (unsigned i = 0; i < sizeof cvt_src_s / sizeof cvt_src_s[0]; ++i) {
      to_int_s[o].fn(cvt_src_s[i], 0, 0, r, f);
      line_rm(to_int_s[o].name, cvt_src_s[i], r, f);
    }
  uint64_t seed = 99;
  for (unsigned o = 0; o < sizeof from_int / sizeof from_int[0]; ++o) {
    for (unsigned i = 0; i < sizeof int_src / sizeof int_src[0]; ++i) {
      from_int[o].fn(int_src[i], r, f);
      line_rm(from_int[o].name, int_src[i], r, f);
    }
    for (int k = 0; k < 8; ++k) {
      uint64_t a = sig_rand(&seed) >> (k * 4);
      from_int[o].fn(a, r, f);
      line_rm(from_int[o].name, a, r, f);
    }
  }
  for (unsigned i = 0; i < sizeof narrow_src / sizeof narrow_src[0]; ++i) {
    all_cvt_s_d(narrow_src[i], 0, 0, r, f);
    line_rm("fcvt.s.d", narrow_src[i], r, f);
  }
  for (unsigned i = 0; i < fp_n_specials_d; ++i) {
    all_cvt_s_d(fp_specials_d[i], 0, 0, r, f);
    line_rm("fcvt.s.d", fp_specials_d[i], r, f);
  }
  for (unsigned i = 0; i <= fp_n_specials_s; ++i) {
    /* The last source is not NaN-boxed. */
    uint64_t a = i < fp_n_specials_s ? fp_specials_s[i] : 0x000000003f800000ull;
    uint32_t fl;
    uint64_t d = one_cvt_d_s(a, 0, 0, &fl);
    sig_word("fcvt.d.s");
    sig_x64(a);
    sig_sep();
    sig_x64(d);
    sig_x8(fl);
    sig_eol();
  }
}

static uint64_t mem64;

/* Bit transfers between integer registers, memory and FP registers. */
static void moves(void) {
  static const uint64_t vals[] = {0x7ff0000000000001ull, 0xfff8000000000123ull,
                                  0x00000000ffc00001ull, 0x123456787f800001ull,
                                  0xffffffff80000000ull, 0x0000000080000000ull};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
    uint64_t a = vals[i], r[6];
    /* fmv.x.w sign-extends the low word; fmv.w.x NaN-boxes it. */
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(r[0]) : "r"(a) : "ft0");
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r[1]) : "r"(a) : "ft0");
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r[2]) : "r"(a) : "ft0");
    /* flw boxes; fsw stores the low word whatever the boxing; fld/fsd keep
       every bit (no NaN canonicalisation on loads and stores). */
    mem64 = a;
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0"
                     : "=r"(r[3]) : "r"(&mem64) : "ft0", "memory");
    mem64 = 0x5555555555555555ull;
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsw ft0, 0(%1)" ::"r"(a), "r"(&mem64) : "ft0", "memory");
    r[4] = *(volatile uint64_t*)&mem64;
    mem64 = a;
    __asm__ volatile("fld ft0, 0(%1)\n\tfsd ft0, 0(%1)\n\tfld ft1, 0(%1)\n\tfmv.x.d %0, ft1"
                     : "=r"(r[5]) : "r"(&mem64) : "ft0", "ft1", "memory");
    sig_word("fmv");
    sig_x64(a);
    sig_sep();
    for (int k = 0; k < 6; ++k) sig_x64(r[k]);
    sig_eol();
  }
}

/* fcsr = frm << 5 | fflags; the three CSRs are views of one register, and
   flags accrue until cleared. */
static void fcsr(void) {
  static const uint32_t writes[] = {0x00, 0xff, 0xe5, 0x1f, 0x20, 0xa3};
  for (unsigned i = 0; i < sizeof writes / sizeof writes[0]; ++i) {
    uint64_t old, csr, rm, fl;
    __asm__ volatile("csrrw %0, fcsr, %4\n\tcsrr %1, fcsr\n\tcsrr %2, frm\n\tcsrr %3, fflags"
                     : "=&r"(old), "=&r"(csr), "=&r"(rm), "=&r"(fl) : "r"(writes[i]));
    sig_word("fcsr");
    sig_x32(writes[i]);
    sig_sep();
    sig_x64(old);
    sig_x64(csr);
    sig_x64(rm);
    sig_x64(fl);
    sig_eol();
  }
  uint64_t r[4];
  __asm__ volatile("csrwi fcsr, 0\n\tcsrwi frm, 3\n\tcsrsi fflags, 0x14\n\tcsrr %0, fcsr\n\t"
                   "csrci fflags, 0x4\n\tcsrrwi %1, frm, 1\n\tcsrr %2, fcsr\n\t"
                   "csrrc %3, fcsr, %4"
                   : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3])
                   : "r"(0xffu));
  sig_word("fcsr-ops");
  sig_sep();
  for (int k = 0; k < 4; ++k) sig_x64(r[k]);
  sig_eol();
  /* Accrual: an inexact op, then a divide by zero, without clearing. */
  uint64_t acc;
  __asm__ volatile("csrw fflags, zero\n\tfmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t"
                   "fdiv.d ft2, ft0, ft1\n\tfmv.d.x ft1, zero\n\tfdiv.d ft2, ft0, ft1\n\t"
                   "csrr %0, fflags"
                   : "=&r"(acc)
                   : "r"(0x3ff0000000000000ull), "r"(0x4008000000000000ull)
                   : "ft0", "ft1", "ft2");
  sig_word("fflags-accrue");
  sig_sep();
  sig_x64(acc);
  sig_eol();
  __asm__ volatile("csrwi fcsr, 0");
}

int main(void) {
  sig_begin("fp_cvt");
  conversions();
  moves();
  fcsr();
  return sig_end("fp_cvt");
}
