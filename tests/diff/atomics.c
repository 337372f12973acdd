/* Differential test: the A extension on one hart.
 *
 * Every AMO (.w and .d, with and without aq/rl) over pairs of edge values:
 * the value returned in rd (sign-extended for .w) and the memory left
 * behind, including the untouched neighbouring word. LR/SC: success after
 * LR, failure without a reservation, after a completed SC, and to an
 * address outside the reservation set. The failure code of SC is only
 * required to be non-zero, so lines print it as 0/1.
 */
#include "tests/diff/sig.h"

static volatile uint64_t cell[2] __attribute__((aligned(64)));
static volatile uint64_t far_cell[512] __attribute__((aligned(4096)));

#define AMO_OP(insn, fname)                                                \
  static uint64_t fname(volatile uint64_t* p, uint64_t v) {                \
    uint64_t r;                                                            \
    __asm__ volatile(insn " %0, %2, (%1)" : "=r"(r) : "r"(p), "r"(v) : "memory"); \
    return r;                                                              \
  }

AMO_OP("amoswap.w", amoswap_w) AMO_OP("amoadd.w", amoadd_w)
AMO_OP("amoxor.w", amoxor_w) AMO_OP("amoand.w", amoand_w)
AMO_OP("amoor.w", amoor_w) AMO_OP("amomin.w", amomin_w)
AMO_OP("amomax.w", amomax_w) AMO_OP("amominu.w", amominu_w)
AMO_OP("amomaxu.w", amomaxu_w) AMO_OP("amoswap.d", amoswap_d)
AMO_OP("amoadd.d", amoadd_d) AMO_OP("amoxor.d", amoxor_d)
AMO_OP("amoand.d", amoand_d) AMO_OP("amoor.d", amoor_d)
AMO_OP("amomin.d", amomin_d) AMO_OP("amomax.d", amomax_d)
AMO_OP("amominu.d", amominu_d) AMO_OP("amomaxu.d", amomaxu_d)
AMO_OP("amoadd.w.aqrl", amoadd_w_aqrl) AMO_OP("amomaxu.d.aq", amomaxu_d_aq)
AMO_OP("amominu.w.rl", amominu_w_rl)

static const struct {
  const char* name;
  uint64_t (*fn)(volatile uint64_t*, uint64_t);
} amo_ops[] = {
    {"amoswap.w", amoswap_w}, {"amoadd.w", amoadd_w},   {"amoxor.w", amoxor_w},
    {"amoand.w", amoand_w},   {"amoor.w", amoor_w},     {"amomin.w", amomin_w},
    {"amomax.w", amomax_w},   {"amominu.w", amominu_w}, {"amomaxu.w", amomaxu_w},
    {"amoswap.d", amoswap_d}, {"amoadd.d", amoadd_d},   {"amoxor.d", amoxor_d},
    {"amoand.d", amoand_d},   {"amoor.d", amoor_d},     {"amomin.d", amomin_d},
    {"amomax.d", amomax_d},   {"amominu.d", amominu_d}, {"amomaxu.d", amomaxu_d},
    {"amoadd.w.aqrl", amoadd_w_aqrl}, {"amomaxu.d.aq", amomaxu_d_aq},
    {"amominu.w.rl", amominu_w_rl},
};

static const uint64_t edges[] = {
    0, 1, 0xffffffffffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0x7fffffffull, 0x80000000ull, 0xffffffffull, 0xffffffff80000000ull,
    0x123456789abcdef0ull, 0xfedcba9876543210ull, 0x00000001fffffffeull,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

static void amos(void) {
  for (unsigned o = 0; o < sizeof amo_ops / sizeof amo_ops[0]; ++o)
    for (unsigned i = 0; i < N_EDGES; ++i)
      for (unsigned j = 0; j < N_EDGES; ++j) {
        /* The .w forms act on the low word of cell[0] (little-endian); the
           high word must stay as it was. */
        cell[0] = edges[i];
        cell[1] = 0x5a5a5a5a5a5a5a5aull;
        uint64_t old = amo_ops[o].fn(&cell[0], edges[j]);
        sig_word(amo_ops[o].name);
        sig_x64(edges[i]);
        sig_x64(edges[j]);
        sig_sep();
        sig_x64(old);
        sig_x64(cell[0]);
        sig_x64(cell[1]);
        sig_eol();
      }
}

/* One LR/SC scenario: lines "lrsc <name> : loaded sc-failed memory". */
static void lrsc_line(const char* name, uint64_t loaded, uint64_t fail, uint64_t mem) {
  sig_word("lrsc");
  sig_word(name);
  sig_sep();
  sig_x64(loaded);
  sig_x64(fail != 0);
  sig_x64(mem);
  sig_eol();
}

static void lrsc(void) {
  uint64_t v, fail, fail2;
  cell[0] = 0x8000000000000011ull;
  __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)"
                   : "=&r"(v), "=&r"(fail) : "r"(&cell[0]), "r"(42ull) : "memory");
  lrsc_line("lr.d-sc.d", v, fail, cell[0]);

  cell[0] = 0x00000000fffffff0ull;  /* lr.w sign-extends */
  __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)"
                   : "=&r"(v), "=&r"(fail) : "r"(&cell[0]), "r"(0x1234567887654321ull)
                   : "memory");
  lrsc_line("lr.w-sc.w", v, fail, cell[0]);

  /* A successful SC ends the reservation: a second SC fails. */
  cell[0] = 7;
  __asm__ volatile("lr.d %0, (%3)\n\tsc.d %1, %4, (%3)\n\tsc.d %2, %5, (%3)"
                   : "=&r"(v), "=&r"(fail), "=&r"(fail2)
                   : "r"(&cell[0]), "r"(8ull), "r"(9ull) : "memory");
  lrsc_line("sc-after-sc-first", v, fail, cell[0]);
  lrsc_line("sc-after-sc-second", v, fail2, cell[0]);

  /* SC to an address 4 KiB away from the reserved one fails. */
  cell[0] = 1;
  far_cell[0] = 2;
  __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %4, (%3)"
                   : "=&r"(v), "=&r"(fail)
                   : "r"(&cell[0]), "r"(&far_cell[0]), "r"(3ull) : "memory");
  lrsc_line("sc-other-address", v, fail, far_cell[0]);
  /* The failed SC also ended the reservation on cell[0]. */
  __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(&cell[0]), "r"(4ull) : "memory");
  lrsc_line("sc-after-failed-sc", 0, fail, cell[0]);

  /* A retry loop as compilers emit it: an atomic increment. */
  cell[0] = 0xffffffffull;
  for (int k = 0; k < 3; ++k) {
    __asm__ volatile("1: lr.w.aq %0, (%1)\n\taddiw %0, %0, 1\n\tsc.w.rl %0, %0, (%1)\n\t"
                     "bnez %0, 1b"
                     : "=&r"(v) : "r"(&cell[0]) : "memory");
  }
  lrsc_line("increment-loop", 0, 0, cell[0]);
}

int main(void) {
  sig_begin("atomics");
  amos();
  lrsc();
  return sig_end("atomics");
}
