/* Helpers shared by the floating-point differential tests.
 *
 * Operations run through inline assembly with explicit (static) rounding
 * modes, so the compiler's own floating point plays no part. Operands and
 * results are raw 64-bit register images: a single-precision operand is
 * written with fmv.d.x, so the program chooses its NaN-boxing, and results
 * are read back with fmv.x.d, so the result's boxing is checked too.
 * fflags is cleared before each operation and read right after it.
 */
#ifndef TAPVM_TESTS_DIFF_FP_H
#define TAPVM_TESTS_DIFF_FP_H

#include <stdint.h>

#include "tests/diff/sig.h"

/* The five static rounding modes, in encoding order; each "ALL" function
   below fills r[k], f[k] for rounding mode fp_rm_names[k]. */
extern const char* const fp_rm_names[5];

/* Prints " : rne r f rtz r f ..." for the five results of one case. */
void fp_print_rm_results(const uint64_t r[5], const uint32_t f[5]);

/* The upper half of a properly NaN-boxed single in a 64-bit FP register. */
#define FP_BOX 0xffffffff00000000ull

/* Sets frm, the rounding mode that "dyn" instructions use. */
static inline void fp_set_frm(uint32_t rm) {
  __asm__ volatile("csrw frm, %0" ::"r"(rm));
}

/* One instruction with rounding mode `rm` from register images a, b, c:
   sources ft0..ft2, destination ft3 (an FP result) or %0 (integer). */
#define FP_ASM_FRES(body, rm, r, f, a, b, c)                               \
  __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\t" \
                   "csrw fflags, zero\n\t" body rm "\n\t"                  \
                   "fmv.x.d %0, ft3\n\tcsrr %1, fflags"                    \
                   : "=r"(r), "=r"(f)                                      \
                   : "r"(a), "r"(b), "r"(c)                                \
                   : "ft0", "ft1", "ft2", "ft3")
#define FP_ASM_XRES(body, rm, r, f, a, b, c)                               \
  __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\t" \
                   "csrw fflags, zero\n\t" body rm "\n\t"                  \
                   "csrr %1, fflags"                                       \
                   : "=&r"(r), "=&r"(f)                                    \
                   : "r"(a), "r"(b), "r"(c)                                \
                   : "ft0", "ft1", "ft2", "ft3")

/* Defines `static void name(a, b, c, r[5], f[5])` running `body` (an
   instruction without its rounding-mode operand, e.g. "fadd.d ft3, ft0,
   ft1") in each static rounding mode. KIND is FRES or XRES. */
#define FP_DEFINE_ALL_RM(name, KIND, body)                                 \
  static void name(uint64_t a, uint64_t b, uint64_t c, uint64_t r[5],      \
                   uint32_t f[5]) {                                        \
    uint64_t fl;                                                           \
    FP_ASM_##KIND(body, ", rne", r[0], fl, a, b, c); f[0] = (uint32_t)fl;  \
    FP_ASM_##KIND(body, ", rtz", r[1], fl, a, b, c); f[1] = (uint32_t)fl;  \
    FP_ASM_##KIND(body, ", rdn", r[2], fl, a, b, c); f[2] = (uint32_t)fl;  \
    FP_ASM_##KIND(body, ", rup", r[3], fl, a, b, c); f[3] = (uint32_t)fl;  \
    FP_ASM_##KIND(body, ", rmm", r[4], fl, a, b, c); f[4] = (uint32_t)fl;  \
  }

/* Defines `static uint64_t name(a, b, c, uint32_t* f)` for an instruction
   without a rounding mode (or with the dynamic one, taken from frm). */
#define FP_DEFINE_ONE(name, KIND, body)                                    \
  static uint64_t name(uint64_t a, uint64_t b, uint64_t c, uint32_t* f) {  \
    uint64_t r, fl;                                                        \
    FP_ASM_##KIND(body, "", r, fl, a, b, c);                               \
    *f = (uint32_t)fl;                                                     \
    return r;                                                              \
  }

typedef void (*FpAllRm)(uint64_t, uint64_t, uint64_t, uint64_t*, uint32_t*);
typedef uint64_t (*FpOne)(uint64_t, uint64_t, uint64_t, uint32_t*);

/* Special operands (zeros, infinities, NaNs, subnormal and normal limits,
   values one ulp around 1, ...) as register images; singles are boxed. */
extern const uint64_t fp_specials_d[];
extern const unsigned fp_n_specials_d;
extern const uint64_t fp_specials_s[];
extern const unsigned fp_n_specials_s;

/* A random finite operand, mostly of moderate magnitude, sometimes near
   overflow or subnormal; integer arithmetic only. */
uint64_t fp_random_d(uint64_t* seed);
uint64_t fp_random_s(uint64_t* seed);  /* boxed */

#endif
