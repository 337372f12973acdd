/* Differential test: compressed instructions and instruction fetch.
 *
 * - rvc_ops (rvc_ops.S) runs every C-extension instruction kind on several
 *   inputs and prints what each produced;
 * - rvc_straddle executes a 32-bit instruction split across two pages;
 * - self-modifying code: a buffer of 16- and 32-bit instructions is
 *   rewritten and executed again after FENCE.I, many times, which an
 *   emulator that caches decoded instructions must notice.
 * (The whole program is compiled for rv64gc, so C code is mixed 16/32-bit.)
 */
#include "tests/diff/sig.h"

#define RVC_OUT 27

void rvc_ops(const uint64_t in[4], uint64_t out[RVC_OUT]);
uint64_t rvc_straddle(uint64_t x);

static void compressed_ops(void) {
  static const uint64_t inputs[][4] = {
      {0, 0, 0x7ff8000000000000ull, 0},
      {1, 0xffffffffffffffffull, 0xfff0000000000001ull, 0},
      {0x8000000000000000ull, 0x7fffffffffffffffull, 0x3ff0000000000000ull, 0},
      {0x123456789abcdef0ull, 0x0fedcba987654321ull, 0x7ff0000000000001ull, 0},
      {0xffffffff80000000ull, 0x80000000ull, 0x0000000000000001ull, 0},
  };
  uint64_t seed = 5;
  for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0] + 8; ++i) {
    uint64_t in[4];
    if (i < sizeof inputs / sizeof inputs[0]) {
      for (int k = 0; k < 4; ++k) in[k] = inputs[i][k];
    } else {
      for (int k = 0; k < 4; ++k) in[k] = sig_rand(&seed);
    }
    uint64_t out[RVC_OUT];
    for (int k = 0; k < RVC_OUT; ++k) out[k] = 0xa5a5a5a5a5a5a5a5ull;
    rvc_ops(in, out);
    for (int k = 0; k < RVC_OUT; ++k) {
      sig_word("rvc");
      sig_x64(in[0]);
      sig_x64(in[1]);
      sig_x64(in[2]);
      sig_x32((uint32_t)k);
      sig_sep();
      sig_x64(out[k]);
      sig_eol();
    }
  }
}

static void straddle(void) {
  sig_word("straddle");
  sig_x64((uint64_t)(uintptr_t)rvc_straddle & 0xfff);
  sig_sep();
  sig_x64(rvc_straddle(0x1000));
  sig_eol();
}

/* Instruction encodings (a0 is x10). */
static uint32_t enc_addi_a0(int32_t imm) {  /* addi a0, a0, imm */
  return ((uint32_t)imm << 20) | (10u << 15) | (10u << 7) | 0x13u;
}
static uint16_t enc_c_addi_a0(int32_t imm) {  /* c.addi a0, imm (imm != 0) */
  return (uint16_t)(0x1u | (10u << 7) | (((uint32_t)imm & 0x1fu) << 2) |
                    (((uint32_t)imm & 0x20u) << 7));
}
static uint16_t enc_c_slli_a0(uint32_t sh) {  /* c.slli a0, sh (1..31) */
  return (uint16_t)(0x2u | (10u << 7) | ((sh & 0x1fu) << 2));
}
#define ENC_RET 0x00008067u  /* jalr x0, 0(ra) */

/* Code buffer: halfwords so 16- and 32-bit instructions can be mixed. */
static uint16_t smc_buf[32] __attribute__((aligned(64)));

static void put32(int* at, uint32_t insn) {
  smc_buf[(*at)++] = (uint16_t)insn;
  smc_buf[(*at)++] = (uint16_t)(insn >> 16);
}

static void self_modifying(void) {
  typedef uint64_t (*Fn)(uint64_t);
  Fn fn = (Fn)(uintptr_t)smc_buf;
  for (int round = 0; round < 24; ++round) {
    /* a0 = ((a0 + c1) << sh) + i2, with a layout that changes each round:
       the 32-bit instruction moves between 4-aligned and 2-aligned. */
    int at = 0;
    int32_t c1 = (round % 31) - 15;
    if (c1 == 0) c1 = 16 - 32;
    if (round & 1) smc_buf[at++] = 0x0001;  /* c.nop */
    smc_buf[at++] = enc_c_addi_a0(c1);
    smc_buf[at++] = enc_c_slli_a0((uint32_t)(round % 7) + 1);
    put32(&at, enc_addi_a0(round * 77 - 900));
    put32(&at, ENC_RET);
    __asm__ volatile("fence.i" ::: "memory");
    uint64_t r = fn(0x1000 + (uint64_t)round);
    sig_word("smc");
    sig_x32((uint32_t)round);
    sig_sep();
    sig_x64(r);
    sig_eol();
  }
}

int main(void) {
  sig_begin("rvc");
  compressed_ops();
  straddle();
  self_modifying();
  return sig_end("rvc");
}
