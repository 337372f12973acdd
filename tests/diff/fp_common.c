/* See fp.h. */
#include "tests/diff/fp.h"

const char* const fp_rm_names[5] = {"rne", "rtz", "rdn", "rup", "rmm"};

void fp_print_rm_results(const uint64_t r[5], const uint32_t f[5]) {
  sig_sep();
  for (int k = 0; k < 5; ++k) {
    sig_word(fp_rm_names[k]);
    sig_x64(r[k]);
    sig_x8(f[k]);
  }
}

const uint64_t fp_specials_d[] = {
    0x0000000000000000ull,  /* +0 */
    0x8000000000000000ull,  /* -0 */
    0x3ff0000000000000ull,  /* 1 */
    0xbff0000000000000ull,  /* -1 */
    0x7ff0000000000000ull,  /* +inf */
    0xfff0000000000000ull,  /* -inf */
    0x7ff8000000000000ull,  /* canonical qNaN */
    0x7ff0000000000001ull,  /* sNaN */
    0xfff8000000000123ull,  /* negative qNaN with payload */
    0x0000000000000001ull,  /* min subnormal */
    0x800fffffffffffffull,  /* -max subnormal */
    0x0010000000000000ull,  /* min normal */
    0x7fefffffffffffffull,  /* max finite */
    0xffefffffffffffffull,  /* -max finite */
    0x3ff0000000000001ull,  /* 1 + ulp */
    0x3fefffffffffffffull,  /* 1 - ulp/2 */
    0x3fd5555555555555ull,  /* ~1/3 */
    0xc004000000000000ull,  /* -2.5 */
    0x4340000000000000ull,  /* 2^53 */
    0x4008000000000000ull,  /* 3 */
};
const unsigned fp_n_specials_d = sizeof fp_specials_d / sizeof fp_specials_d[0];

const uint64_t fp_specials_s[] = {
    FP_BOX | 0x00000000u, FP_BOX | 0x80000000u, FP_BOX | 0x3f800000u, FP_BOX | 0xbf800000u,
    FP_BOX | 0x7f800000u, FP_BOX | 0xff800000u, FP_BOX | 0x7fc00000u, FP_BOX | 0x7f800001u,
    FP_BOX | 0xffc00123u, FP_BOX | 0x00000001u, FP_BOX | 0x807fffffu, FP_BOX | 0x00800000u,
    FP_BOX | 0x7f7fffffu, FP_BOX | 0xff7fffffu, FP_BOX | 0x3f800001u, FP_BOX | 0x3f7fffffu,
    FP_BOX | 0x3eaaaaabu, FP_BOX | 0xc0200000u, FP_BOX | 0x4b800000u, FP_BOX | 0x40400000u,
};
const unsigned fp_n_specials_s = sizeof fp_specials_s / sizeof fp_specials_s[0];

/* Exponent choice shared by both formats: `bias`-relative, mostly within
   +-40 of 1.0, sometimes at the edges of the range (incl. subnormals). */
static uint64_t random_exponent(uint64_t* seed, uint64_t max_exp, uint64_t bias) {
  uint64_t x = sig_rand(seed);
  switch (x & 7) {
    case 0: return (x >> 8) % 4;                 /* subnormal / tiny */
    case 1: return max_exp - 1 - (x >> 8) % 4;   /* near overflow */
    default: return bias - 40 + (x >> 8) % 81;
  }
}

uint64_t fp_random_d(uint64_t* seed) {
  uint64_t sign = sig_rand(seed) & 0x8000000000000000ull;
  uint64_t exp = random_exponent(seed, 0x7ff, 1023);
  uint64_t mant = sig_rand(seed) & 0x000fffffffffffffull;
  return sign | exp << 52 | mant;
}

uint64_t fp_random_s(uint64_t* seed) {
  uint64_t sign = sig_rand(seed) & 0x80000000u;
  uint64_t exp = random_exponent(seed, 0xff, 127);
  uint64_t mant = sig_rand(seed) & 0x007fffffu;
  return FP_BOX | sign | exp << 23 | mant;
}
