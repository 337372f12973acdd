/* Differential test: F or D arithmetic, built twice (FP_BITS=32 and 64).
 *
 * For every pair of special operands, and for random finite pairs:
 * fadd/fsub/fmul/fdiv in the five static rounding modes (one line per pair
 * and op with all five results and fflags), fmin/fmax, the sign-injection
 * ops, the comparisons; fsqrt and fclass per operand; the dynamic rounding
 * mode under each frm value. The single-precision build also feeds
 * improperly NaN-boxed operands, which must read as the canonical NaN.
 */
#include "tests/diff/fp.h"

#if FP_BITS == 64
#define SFX ".d"
#define PROGRAM "fp_d"
#define SPECIALS fp_specials_d
#define N_SPECIALS fp_n_specials_d
#define RANDOM fp_random_d
#elif FP_BITS == 32
#define SFX ".s"
#define PROGRAM "fp_s"
#define SPECIALS fp_specials_s
#define N_SPECIALS fp_n_specials_s
#define RANDOM fp_random_s
#else
#error "build with -DFP_BITS=32 or -DFP_BITS=64"
#endif

FP_DEFINE_ALL_RM(all_fadd, FRES, "fadd" SFX " ft3, ft0, ft1")
FP_DEFINE_ALL_RM(all_fsub, FRES, "fsub" SFX " ft3, ft0, ft1")
FP_DEFINE_ALL_RM(all_fmul, FRES, "fmul" SFX " ft3, ft0, ft1")
FP_DEFINE_ALL_RM(all_fdiv, FRES, "fdiv" SFX " ft3, ft0, ft1")
FP_DEFINE_ALL_RM(all_fsqrt, FRES, "fsqrt" SFX " ft3, ft0")

FP_DEFINE_ONE(dyn_fadd, FRES, "fadd" SFX " ft3, ft0, ft1, dyn")
FP_DEFINE_ONE(dyn_fmul, FRES, "fmul" SFX " ft3, ft0, ft1, dyn")
FP_DEFINE_ONE(dyn_fdiv, FRES, "fdiv" SFX " ft3, ft0, ft1, dyn")
FP_DEFINE_ONE(dyn_fsqrt, FRES, "fsqrt" SFX " ft3, ft0, dyn")

FP_DEFINE_ONE(one_fmin, FRES, "fmin" SFX " ft3, ft0, ft1")
FP_DEFINE_ONE(one_fmax, FRES, "fmax" SFX " ft3, ft0, ft1")
FP_DEFINE_ONE(one_fsgnj, FRES, "fsgnj" SFX " ft3, ft0, ft1")
FP_DEFINE_ONE(one_fsgnjn, FRES, "fsgnjn" SFX " ft3, ft0, ft1")
FP_DEFINE_ONE(one_fsgnjx, FRES, "fsgnjx" SFX " ft3, ft0, ft1")
FP_DEFINE_ONE(one_feq, XRES, "feq" SFX " %0, ft0, ft1")
FP_DEFINE_ONE(one_flt, XRES, "flt" SFX " %0, ft0, ft1")
FP_DEFINE_ONE(one_fle, XRES, "fle" SFX " %0, ft0, ft1")
FP_DEFINE_ONE(one_fclass, XRES, "fclass" SFX " %0, ft0")

static const struct {
  const char* name;
  FpAllRm fn;
} rm_ops[] = {
    {"fadd" SFX, all_fadd}, {"fsub" SFX, all_fsub},
    {"fmul" SFX, all_fmul}, {"fdiv" SFX, all_fdiv},
};

/* Ops without a rounding mode, printed in groups: one line per group and
   operand pair, "name r f" for each member. */
typedef struct {
  const char* name;
  FpOne fn;
} OneOp;
static const OneOp minmax_ops[] = {{"min", one_fmin}, {"max", one_fmax}};
static const OneOp sgnj_ops[] = {
    {"sgnj", one_fsgnj}, {"sgnjn", one_fsgnjn}, {"sgnjx", one_fsgnjx}};
static const OneOp cmp_ops[] = {{"eq", one_feq}, {"lt", one_flt}, {"le", one_fle}};

static void print_operands(const char* name, uint64_t a, uint64_t b) {
  sig_word(name);
  sig_x64(a);
  sig_x64(b);
}

static void rm_ops_pair(uint64_t a, uint64_t b) {
  for (unsigned o = 0; o < sizeof rm_ops / sizeof rm_ops[0]; ++o) {
    uint64_t r[5];
    uint32_t f[5];
    rm_ops[o].fn(a, b, 0, r, f);
    print_operands(rm_ops[o].name, a, b);
    fp_print_rm_results(r, f);
    sig_eol();
  }
}

static void group_pair(const char* name, const OneOp* ops, unsigned n, uint64_t a,
                       uint64_t b) {
  print_operands(name, a, b);
  sig_sep();
  for (unsigned o = 0; o < n; ++o) {
    uint32_t f;
    uint64_t r = ops[o].fn(a, b, 0, &f);
    sig_word(ops[o].name);
    sig_x64(r);
    sig_x8(f);
  }
  sig_eol();
}

static void unary(uint64_t a) {
  uint64_t r[5];
  uint32_t f[5], fc;
  all_fsqrt(a, 0, 0, r, f);
  sig_word("fsqrt" SFX);
  sig_x64(a);
  fp_print_rm_results(r, f);
  sig_eol();
  uint64_t cls = one_fclass(a, 0, 0, &fc);
  sig_word("fclass" SFX);
  sig_x64(a);
  sig_sep();
  sig_x64(cls);
  sig_x8(fc);
  sig_eol();
}

/* Every op over every pair (and every single operand) of `vals`. */
static void suite(const uint64_t* vals, unsigned n) {
  for (unsigned i = 0; i < n; ++i) {
    unary(vals[i]);
    for (unsigned j = 0; j < n; ++j) {
      rm_ops_pair(vals[i], vals[j]);
      group_pair("fminmax" SFX, minmax_ops, 2, vals[i], vals[j]);
      group_pair("fsgnj" SFX, sgnj_ops, 3, vals[i], vals[j]);
      group_pair("fcmp" SFX, cmp_ops, 3, vals[i], vals[j]);
    }
  }
}

static void random_pairs(void) {
  uint64_t seed = FP_BITS;
  for (int k = 0; k < 64; ++k) {
    uint64_t a = RANDOM(&seed), b = RANDOM(&seed);
    rm_ops_pair(a, b);
    unary(a);
  }
}

/* The dynamic rounding mode under each frm value. */
static void dynamic_rm(void) {
  static const struct {
    const char* name;
    FpOne fn;
  } ops[] = {{"fadd" SFX, dyn_fadd}, {"fmul" SFX, dyn_fmul},
             {"fdiv" SFX, dyn_fdiv}, {"fsqrt" SFX, dyn_fsqrt}};
  uint64_t seed = 100 + FP_BITS;
  for (uint32_t rm = 0; rm < 5; ++rm) {
    fp_set_frm(rm);
    for (int k = 0; k < 8; ++k) {
      uint64_t a = RANDOM(&seed), b = RANDOM(&seed);
      for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; ++o) {
        uint32_t f;
        uint64_t r = ops[o].fn(a, b, 0, &f);
        print_operands(ops[o].name, a, b);
        sig_word("dyn");
        sig_word(fp_rm_names[rm]);
        sig_sep();
        sig_x64(r);
        sig_x8(f);
        sig_eol();
      }
    }
  }
  fp_set_frm(0);
}

int main(void) {
  sig_begin(PROGRAM);
  suite(SPECIALS, N_SPECIALS);
  random_pairs();
  dynamic_rm();
#if FP_BITS == 32
  /* Not NaN-boxed (upper half not all ones): each reads as canonical NaN. */
  static const uint64_t unboxed[] = {
      0x000000003f800000ull, 0x7fffffff3f800000ull, 0xffffffff3f800000ull,
      0xfffffffe00000000ull};
  suite(unboxed, sizeof unboxed / sizeof unboxed[0]);
#endif
  return sig_end(PROGRAM);
}
