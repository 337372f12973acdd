/* Differential test: fused multiply-add (fmadd, fmsub, fnmadd, fnmsub) in
 * single and double precision, five static rounding modes each.
 *
 * Operands: every triple of a small special set (zeros, +-1, infinity, quiet
 * and signalling NaN: inf*0+NaN must still raise NV), random finite
 * triples, and cancellation triples where c = -(a*b rounded), so the exact
 * result is the product's rounding error; only a truly fused operation gets
 * that right. These c values are derived with fmul (rne), which fp_d/fp_s
 * check on their own.
 */
#include "tests/diff/fp.h"

#define FMA_SET(sfx, tag)                                                      \
  FP_DEFINE_ALL_RM(all_fmadd_##tag, FRES, "fmadd" sfx " ft3, ft0, ft1, ft2")   \
  FP_DEFINE_ALL_RM(all_fmsub_##tag, FRES, "fmsub" sfx " ft3, ft0, ft1, ft2")   \
  FP_DEFINE_ALL_RM(all_fnmadd_##tag, FRES, "fnmadd" sfx " ft3, ft0, ft1, ft2") \
  FP_DEFINE_ALL_RM(all_fnmsub_##tag, FRES, "fnmsub" sfx " ft3, ft0, ft1, ft2")

FMA_SET(".d", d)
FMA_SET(".s", s)

typedef struct {
  const char* name;
  FpAllRm fn;
} FmaOp;

static const FmaOp ops_d[] = {{"fmadd.d", all_fmadd_d}, {"fmsub.d", all_fmsub_d},
                              {"fnmadd.d", all_fnmadd_d}, {"fnmsub.d", all_fnmsub_d}};
static const FmaOp ops_s[] = {{"fmadd.s", all_fmadd_s}, {"fmsub.s", all_fmsub_s},
                              {"fnmadd.s", all_fnmadd_s}, {"fnmsub.s", all_fnmsub_s}};

static void triple(const FmaOp* ops, uint64_t a, uint64_t b, uint64_t c) {
  for (int o = 0; o < 4; ++o) {
    uint64_t r[5];
    uint32_t f[5];
    ops[o].fn(a, b, c, r, f);
    sig_word(ops[o].name);
    sig_x64(a);
    sig_x64(b);
    sig_x64(c);
    fp_print_rm_results(r, f);
    sig_eol();
  }
}

static uint64_t neg_product_d(uint64_t a, uint64_t b) {
  uint64_t r;
  __asm__("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmul.d ft2, ft0, ft1, rne\n\t"
          "fneg.d ft2, ft2\n\tfmv.x.d %0, ft2"
          : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");
  return r;
}

static uint64_t neg_product_s(uint64_t a, uint64_t b) {
  uint64_t r;
  __asm__("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmul.s ft2, ft0, ft1, rne\n\t"
          "fneg.s ft2, ft2\n\tfmv.x.d %0, ft2"
          : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");
  return r;
}

static const uint64_t small_d[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x7ff0000000000000ull, 0x7ff8000000000000ull,
    0x7ff0000000000001ull};
static const uint64_t small_s[] = {
    FP_BOX | 0x00000000u, FP_BOX | 0x80000000u, FP_BOX | 0x3f800000u, FP_BOX | 0xbf800000u,
    FP_BOX | 0x7f800000u, FP_BOX | 0x7fc00000u, FP_BOX | 0x7f800001u};
#define N_SMALL 7

static void precision(const FmaOp* ops, const uint64_t* small,
                      uint64_t (*rnd)(uint64_t*),
                      uint64_t (*neg_product)(uint64_t, uint64_t), uint64_t seed) {
  for (int i = 0; i < N_SMALL; ++i)
    for (int j = 0; j < N_SMALL; ++j)
      for (int k = 0; k < N_SMALL; ++k) triple(ops, small[i], small[j], small[k]);
  for (int n = 0; n < 96; ++n) {
    uint64_t a = rnd(&seed), b = rnd(&seed), c = rnd(&seed);
    triple(ops, a, b, c);
  }
  for (int n = 0; n < 32; ++n) {
    uint64_t a = rnd(&seed), b = rnd(&seed);
    triple(ops, a, b, neg_product(a, b));
  }
}

int main(void) {
  sig_begin("fp_fma");
  precision(ops_d, small_d, fp_random_d, neg_product_d, 7);
  precision(ops_s, small_s, fp_random_s, neg_product_s, 8);
  return sig_end("fp_fma");
}
