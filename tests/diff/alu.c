/* Differential test: RV64I and RV64M integer instructions.
 *
 * Every register-register op over all pairs of an edge-value set (printed
 * one line per pair), plus a hash over 1000 random pairs per op; immediate
 * forms over edge values and a set of immediates; LUI/AUIPC; loads of every
 * width and signedness and stores read back; branches and JALR's low-bit
 * clearing. See sig.h for the line format.
 */
#include "tests/diff/sig.h"

typedef uint64_t (*RegOp)(uint64_t a, uint64_t b);

#define REG_OP(insn, fname)                                              \
  static uint64_t fname(uint64_t a, uint64_t b) {                        \
    uint64_t r;                                                          \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));     \
    return r;                                                            \
  }

REG_OP("add", op_add) REG_OP("sub", op_sub) REG_OP("sll", op_sll)
REG_OP("slt", op_slt) REG_OP("sltu", op_sltu) REG_OP("xor", op_xor)
REG_OP("srl", op_srl) REG_OP("sra", op_sra) REG_OP("or", op_or)
REG_OP("and", op_and) REG_OP("addw", op_addw) REG_OP("subw", op_subw)
REG_OP("sllw", op_sllw) REG_OP("srlw", op_srlw) REG_OP("sraw", op_sraw)
REG_OP("mul", op_mul) REG_OP("mulh", op_mulh) REG_OP("mulhsu", op_mulhsu)
REG_OP("mulhu", op_mulhu) REG_OP("div", op_div) REG_OP("divu", op_divu)
REG_OP("rem", op_rem) REG_OP("remu", op_remu) REG_OP("mulw", op_mulw)
REG_OP("divw", op_divw) REG_OP("divuw", op_divuw) REG_OP("remw", op_remw)
REG_OP("remuw", op_remuw)

/* Branches as ops: 1 when taken. */
#define BRANCH_OP(insn, fname)                                           \
  static uint64_t fname(uint64_t a, uint64_t b) {                        \
    uint64_t r;                                                          \
    __asm__ volatile(insn " %1, %2, 1f\n\tli %0, 0\n\tj 2f\n"            \
                     "1:\tli %0, 1\n2:"                                  \
                     : "=&r"(r) : "r"(a), "r"(b));                       \
    return r;                                                            \
  }

BRANCH_OP("beq", op_beq) BRANCH_OP("bne", op_bne) BRANCH_OP("blt", op_blt)
BRANCH_OP("bge", op_bge) BRANCH_OP("bltu", op_bltu) BRANCH_OP("bgeu", op_bgeu)

static const struct {
  const char* name;
  RegOp fn;
} reg_ops[] = {
    {"add", op_add},       {"sub", op_sub},       {"sll", op_sll},
    {"slt", op_slt},       {"sltu", op_sltu},     {"xor", op_xor},
    {"srl", op_srl},       {"sra", op_sra},       {"or", op_or},
    {"and", op_and},       {"addw", op_addw},     {"subw", op_subw},
    {"sllw", op_sllw},     {"srlw", op_srlw},     {"sraw", op_sraw},
    {"mul", op_mul},       {"mulh", op_mulh},     {"mulhsu", op_mulhsu},
    {"mulhu", op_mulhu},   {"div", op_div},       {"divu", op_divu},
    {"rem", op_rem},       {"remu", op_remu},     {"mulw", op_mulw},
    {"divw", op_divw},     {"divuw", op_divuw},   {"remw", op_remw},
    {"remuw", op_remuw},   {"beq", op_beq},       {"bne", op_bne},
    {"blt", op_blt},       {"bge", op_bge},       {"bltu", op_bltu},
    {"bgeu", op_bgeu},
};

static const uint64_t edges[] = {
    0, 1, 2, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0x7fffffffull, 0x80000000ull,
    0xffffffffull, 0xffffffff80000000ull, 0x100000000ull, 0x5555555555555555ull,
    0xaaaaaaaaaaaaaaaaull, 31, 63, 0x123456789abcdef0ull, 0xfedcba9876543217ull,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

static void reg_ops_all(void) {
  for (unsigned o = 0; o < sizeof reg_ops / sizeof reg_ops[0]; ++o) {
    for (unsigned i = 0; i < N_EDGES; ++i)
      for (unsigned j = 0; j < N_EDGES; ++j) {
        sig_word(reg_ops[o].name);
        sig_x64(edges[i]);
        sig_x64(edges[j]);
        sig_sep();
        sig_x64(reg_ops[o].fn(edges[i], edges[j]));
        sig_eol();
      }
    /* Random pairs, folded into one line; small divisors and shift
       amounts come up often enough through the masks. */
    uint64_t seed = o + 1, h = 0;
    for (int k = 0; k < 1000; ++k) {
      uint64_t a = sig_rand(&seed), b = sig_rand(&seed);
      if (k & 1) b &= 0xff;
      if (k & 2) a = (uint64_t)(int64_t)(int32_t)a;
      h = (h ^ reg_ops[o].fn(a, b)) * 0x100000001b3ull;
    }
    sig_word(reg_ops[o].name);
    sig_word("random-hash");
    sig_sep();
    sig_x64(h);
    sig_eol();
  }
}

/* Immediate forms: one function per instruction computes all immediates. */
#define IMM_OP6(insn, fname, i0, i1, i2, i3, i4, i5)                      \
  static void fname(uint64_t a, uint64_t* r) {                           \
    __asm__ volatile(insn " %0, %1, " #i0 : "=r"(r[0]) : "r"(a));        \
    __asm__ volatile(insn " %0, %1, " #i1 : "=r"(r[1]) : "r"(a));        \
    __asm__ volatile(insn " %0, %1, " #i2 : "=r"(r[2]) : "r"(a));        \
    __asm__ volatile(insn " %0, %1, " #i3 : "=r"(r[3]) : "r"(a));        \
    __asm__ volatile(insn " %0, %1, " #i4 : "=r"(r[4]) : "r"(a));        \
    __asm__ volatile(insn " %0, %1, " #i5 : "=r"(r[5]) : "r"(a));        \
  }

IMM_OP6("addi", imm_addi, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("slti", imm_slti, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("sltiu", imm_sltiu, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("xori", imm_xori, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("ori", imm_ori, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("andi", imm_andi, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("addiw", imm_addiw, 0, 1, -1, 2047, -2048, 0x555)
IMM_OP6("slli", imm_slli, 0, 1, 31, 32, 33, 63)
IMM_OP6("srli", imm_srli, 0, 1, 31, 32, 33, 63)
IMM_OP6("srai", imm_srai, 0, 1, 31, 32, 33, 63)
IMM_OP6("slliw", imm_slliw, 0, 1, 15, 16, 30, 31)
IMM_OP6("srliw", imm_srliw, 0, 1, 15, 16, 30, 31)
IMM_OP6("sraiw", imm_sraiw, 0, 1, 15, 16, 30, 31)

static const struct {
  const char* name;
  void (*fn)(uint64_t a, uint64_t* r);
} imm_ops[] = {
    {"addi", imm_addi},   {"slti", imm_slti},   {"sltiu", imm_sltiu},
    {"xori", imm_xori},   {"ori", imm_ori},     {"andi", imm_andi},
    {"addiw", imm_addiw}, {"slli", imm_slli},   {"srli", imm_srli},
    {"srai", imm_srai},   {"slliw", imm_slliw}, {"srliw", imm_srliw},
    {"sraiw", imm_sraiw},
};

static void imm_ops_all(void) {
  for (unsigned o = 0; o < sizeof imm_ops / sizeof imm_ops[0]; ++o)
    for (unsigned i = 0; i < N_EDGES; ++i) {
      uint64_t r[6];
      imm_ops[o].fn(edges[i], r);
      sig_word(imm_ops[o].name);
      sig_x64(edges[i]);
      sig_sep();
      for (int k = 0; k < 6; ++k) sig_x64(r[k]);
      sig_eol();
    }
}

static void upper_imm(void) {
  uint64_t r[4], off[2];
  __asm__ volatile("lui %0, 0" : "=r"(r[0]));
  __asm__ volatile("lui %0, 0x7ffff" : "=r"(r[1]));
  __asm__ volatile("lui %0, 0x80000" : "=r"(r[2]));  /* sign-extends */
  __asm__ volatile("lui %0, 0xfffff" : "=r"(r[3]));
  sig_word("lui");
  sig_sep();
  for (int k = 0; k < 4; ++k) sig_x64(r[k]);
  sig_eol();
  /* AUIPC relative to its own address, which both emulators share. */
  __asm__ volatile("1: auipc %0, 0x80000\n\tlla %1, 1b\n\tsub %0, %0, %1"
                   : "=&r"(off[0]), "=&r"(off[1]));
  uint64_t back = off[0];
  __asm__ volatile("1: auipc %0, 0x7ffff\n\tlla %1, 1b\n\tsub %0, %0, %1"
                   : "=&r"(off[0]), "=&r"(off[1]));
  sig_word("auipc");
  sig_sep();
  sig_x64(back);
  sig_x64(off[0]);
  sig_eol();
}

static uint64_t mem_buf[4] __attribute__((aligned(16)));

static void loads_stores(void) {
  mem_buf[0] = 0x8899aabbccddeeffull;
  mem_buf[1] = 0x0123456789abcdefull;
  mem_buf[2] = 0xf0e1d2c3b4a59687ull;
  for (int off = 0; off < 16; ++off) {
    const uint8_t* p = (const uint8_t*)mem_buf + off;
    uint64_t r[7] = {0};
    __asm__ volatile("lb %0, 0(%1)" : "=r"(r[0]) : "r"(p));
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(r[1]) : "r"(p));
    if ((off & 1) == 0) {
      __asm__ volatile("lh %0, 0(%1)" : "=r"(r[2]) : "r"(p));
      __asm__ volatile("lhu %0, 0(%1)" : "=r"(r[3]) : "r"(p));
    }
    if ((off & 3) == 0) {
      __asm__ volatile("lw %0, 0(%1)" : "=r"(r[4]) : "r"(p));
      __asm__ volatile("lwu %0, 0(%1)" : "=r"(r[5]) : "r"(p));
    }
    if ((off & 7) == 0) __asm__ volatile("ld %0, 0(%1)" : "=r"(r[6]) : "r"(p));
    sig_word("load");
    sig_x32((uint32_t)off);
    sig_sep();
    for (int k = 0; k < 7; ++k) sig_x64(r[k]);
    sig_eol();
  }
  /* Stores of each width at each aligned offset into a known pattern. */
  static const uint64_t val = 0x1122334455667788ull;
  for (int width = 1; width <= 8; width *= 2)
    for (int off = 0; off < 8; off += width) {
      mem_buf[3] = 0xa5a5a5a5a5a5a5a5ull;
      uint8_t* p = (uint8_t*)&mem_buf[3] + off;
      switch (width) {
        case 1: __asm__ volatile("sb %0, 0(%1)" ::"r"(val), "r"(p) : "memory"); break;
        case 2: __asm__ volatile("sh %0, 0(%1)" ::"r"(val), "r"(p) : "memory"); break;
        case 4: __asm__ volatile("sw %0, 0(%1)" ::"r"(val), "r"(p) : "memory"); break;
        default: __asm__ volatile("sd %0, 0(%1)" ::"r"(val), "r"(p) : "memory"); break;
      }
      sig_word("store");
      sig_x32((uint32_t)width);
      sig_x32((uint32_t)off);
      sig_sep();
      sig_x64(*(volatile uint64_t*)&mem_buf[3]);
      sig_eol();
    }
}

static void jumps(void) {
  uint64_t link, landed;
  /* JALR clears bit 0 of the target; the link is pc + 4. */
  __asm__ volatile(
      "lla t0, 1f\n\t"
      "addi t0, t0, 1\n\t"
      "li %1, 0\n\t"
      "2: jalr %0, 0(t0)\n\t"
      "li %1, 2\n\t"
      "j 3f\n"
      "1:\tli %1, 1\n\t"
      "lla t1, 2b\n\t"
      "sub %0, %0, t1\n"
      "3:"
      : "=&r"(link), "=&r"(landed)
      :
      : "t0", "t1");
  sig_word("jalr");
  sig_sep();
  sig_x64(link);
  sig_x64(landed);
  sig_eol();
}

int main(void) {
  sig_begin("alu");
  reg_ops_all();
  imm_ops_all();
  upper_imm();
  loads_stores();
  jumps();
  return sig_end("alu");
}
