// Instruction decoding for RV64GC.
//
// The interpreter never decodes in its hot loop: each instruction is decoded
// once into a DecodedInsn (an operation number plus operand fields) which the
// decoded-instruction cache keeps per physical page. Compressed instructions
// are expanded to the operation of their 32-bit equivalent (len = 2).
//
// The operation list is the one table of the instruction set: its name, its
// mnemonic and how a deliberate fault (--break-insn) corrupts it.
#pragma once

#include <cstdint>
#include <string_view>

namespace tapvm {

// How --break-insn corrupts an instruction (tests/isa shows each test can
// fail): I = flip bit 0 of the integer rd, F = flip bit 0 of the FP rd,
// B = invert the branch decision, S = flip bit 0 of the lowest stored byte,
// O = skip the instruction.
#define TAPVM_OPS(X)                                                                     \
  /* interpreter-internal operations */                                                  \
  X(DECODE, "(decode)", O) X(PAGE_END, "(page-end)", O) X(CROSS_PAGE, "(cross-page)", O) \
  X(ILLEGAL, "(illegal)", O)                                                             \
  /* RV64I */                                                                            \
  X(LUI, "lui", I) X(AUIPC, "auipc", I) X(JAL, "jal", O) X(JALR, "jalr", O)              \
  X(BEQ, "beq", B) X(BNE, "bne", B) X(BLT, "blt", B) X(BGE, "bge", B)                    \
  X(BLTU, "bltu", B) X(BGEU, "bgeu", B)                                                  \
  X(LB, "lb", I) X(LH, "lh", I) X(LW, "lw", I) X(LD, "ld", I) X(LBU, "lbu", I)           \
  X(LHU, "lhu", I) X(LWU, "lwu", I)                                                      \
  X(SB, "sb", S) X(SH, "sh", S) X(SW, "sw", S) X(SD, "sd", S)                            \
  X(ADDI, "addi", I) X(SLTI, "slti", I) X(SLTIU, "sltiu", I) X(XORI, "xori", I)          \
  X(ORI, "ori", I) X(ANDI, "andi", I) X(SLLI, "slli", I) X(SRLI, "srli", I)              \
  X(SRAI, "srai", I) X(ADD, "add", I) X(SUB, "sub", I) X(SLL, "sll", I) X(SLT, "slt", I) \
  X(SLTU, "sltu", I) X(XOR, "xor", I) X(SRL, "srl", I) X(SRA, "sra", I) X(OR, "or", I)   \
  X(AND, "and", I) X(ADDIW, "addiw", I) X(SLLIW, "slliw", I) X(SRLIW, "srliw", I)        \
  X(SRAIW, "sraiw", I) X(ADDW, "addw", I) X(SUBW, "subw", I) X(SLLW, "sllw", I)          \
  X(SRLW, "srlw", I) X(SRAW, "sraw", I)                                                  \
  X(FENCE, "fence", O) X(FENCE_I, "fence.i", O) X(ECALL, "ecall", O)                     \
  X(EBREAK, "ebreak", O)                                                                 \
  /* M */                                                                                \
  X(MUL, "mul", I) X(MULH, "mulh", I) X(MULHSU, "mulhsu", I) X(MULHU, "mulhu", I)        \
  X(DIV, "div", I) X(DIVU, "divu", I) X(REM, "rem", I) X(REMU, "remu", I)                \
  X(MULW, "mulw", I) X(DIVW, "divw", I) X(DIVUW, "divuw", I) X(REMW, "remw", I)          \
  X(REMUW, "remuw", I)                                                                   \
  /* A */                                                                                \
  X(LR_W, "lr.w", I) X(SC_W, "sc.w", I) X(AMOSWAP_W, "amoswap.w", I)                     \
  X(AMOADD_W, "amoadd.w", I) X(AMOXOR_W, "amoxor.w", I) X(AMOAND_W, "amoand.w", I)       \
  X(AMOOR_W, "amoor.w", I) X(AMOMIN_W, "amomin.w", I) X(AMOMAX_W, "amomax.w", I)         \
  X(AMOMINU_W, "amominu.w", I) X(AMOMAXU_W, "amomaxu.w", I)                              \
  X(LR_D, "lr.d", I) X(SC_D, "sc.d", I) X(AMOSWAP_D, "amoswap.d", I)                     \
  X(AMOADD_D, "amoadd.d", I) X(AMOXOR_D, "amoxor.d", I) X(AMOAND_D, "amoand.d", I)       \
  X(AMOOR_D, "amoor.d", I) X(AMOMIN_D, "amomin.d", I) X(AMOMAX_D, "amomax.d", I)         \
  X(AMOMINU_D, "amominu.d", I) X(AMOMAXU_D, "amomaxu.d", I)                              \
  /* Zicsr and privileged */                                                             \
  X(CSRRW, "csrrw", I) X(CSRRS, "csrrs", I) X(CSRRC, "csrrc", I) X(CSRRWI, "csrrwi", I)  \
  X(CSRRSI, "csrrsi", I) X(CSRRCI, "csrrci", I)                                          \
  X(MRET, "mret", O) X(SRET, "sret", O) X(WFI, "wfi", O) X(SFENCE_VMA, "sfence.vma", O)  \
  /* F */                                                                                \
  X(FLW, "flw", F) X(FSW, "fsw", S) X(FMADD_S, "fmadd.s", F) X(FMSUB_S, "fmsub.s", F)    \
  X(FNMSUB_S, "fnmsub.s", F) X(FNMADD_S, "fnmadd.s", F) X(FADD_S, "fadd.s", F)           \
  X(FSUB_S, "fsub.s", F) X(FMUL_S, "fmul.s", F) X(FDIV_S, "fdiv.s", F)                   \
  X(FSQRT_S, "fsqrt.s", F) X(FSGNJ_S, "fsgnj.s", F) X(FSGNJN_S, "fsgnjn.s", F)           \
  X(FSGNJX_S, "fsgnjx.s", F) X(FMIN_S, "fmin.s", F) X(FMAX_S, "fmax.s", F)               \
  X(FCVT_W_S, "fcvt.w.s", I) X(FCVT_WU_S, "fcvt.wu.s", I) X(FCVT_L_S, "fcvt.l.s", I)     \
  X(FCVT_LU_S, "fcvt.lu.s", I) X(FMV_X_W, "fmv.x.w", I) X(FEQ_S, "feq.s", I)             \
  X(FLT_S, "flt.s", I) X(FLE_S, "fle.s", I) X(FCLASS_S, "fclass.s", I)                   \
  X(FCVT_S_W, "fcvt.s.w", F) X(FCVT_S_WU, "fcvt.s.wu", F) X(FCVT_S_L, "fcvt.s.l", F)     \
  X(FCVT_S_LU, "fcvt.s.lu", F) X(FMV_W_X, "fmv.w.x", F)                                  \
  /* D */                                                                                \
  X(FLD, "fld", F) X(FSD, "fsd", S) X(FMADD_D, "fmadd.d", F) X(FMSUB_D, "fmsub.d", F)    \
  X(FNMSUB_D, "fnmsub.d", F) X(FNMADD_D, "fnmadd.d", F) X(FADD_D, "fadd.d", F)           \
  X(FSUB_D, "fsub.d", F) X(FMUL_D, "fmul.d", F) X(FDIV_D, "fdiv.d", F)                   \
  X(FSQRT_D, "fsqrt.d", F) X(FSGNJ_D, "fsgnj.d", F) X(FSGNJN_D, "fsgnjn.d", F)           \
  X(FSGNJX_D, "fsgnjx.d", F) X(FMIN_D, "fmin.d", F) X(FMAX_D, "fmax.d", F)               \
  X(FCVT_S_D, "fcvt.s.d", F) X(FCVT_D_S, "fcvt.d.s", F)                                  \
  X(FCVT_W_D, "fcvt.w.d", I) X(FCVT_WU_D, "fcvt.wu.d", I) X(FCVT_L_D, "fcvt.l.d", I)     \
  X(FCVT_LU_D, "fcvt.lu.d", I) X(FMV_X_D, "fmv.x.d", I) X(FEQ_D, "feq.d", I)             \
  X(FLT_D, "flt.d", I) X(FLE_D, "fle.d", I) X(FCLASS_D, "fclass.d", I)                   \
  X(FCVT_D_W, "fcvt.d.w", F) X(FCVT_D_WU, "fcvt.d.wu", F) X(FCVT_D_L, "fcvt.d.l", F)     \
  X(FCVT_D_LU, "fcvt.d.lu", F) X(FMV_D_X, "fmv.d.x", F)                                  \
  /* branches and jal whose target lies in the same page (set by the     */ \
  /* interpreter when it decodes a slot: it knows the page offset)       */ \
  X(BEQ_L, "beq", B) X(BNE_L, "bne", B) X(BLT_L, "blt", B) X(BGE_L, "bge", B)            \
  X(BLTU_L, "bltu", B) X(BGEU_L, "bgeu", B) X(JAL_L, "jal", O)

enum class Op : uint16_t {
#define TAPVM_OP_ENUM(name, mnem, kind) name,
  TAPVM_OPS(TAPVM_OP_ENUM)
#undef TAPVM_OP_ENUM
  kCount
};

enum class BreakKind : uint8_t { I, F, B, S, O };

std::string_view OpMnemonic(Op op);
BreakKind OpBreakKind(Op op);

// One decoded instruction. rd is 32 (the write sink) when the instruction's
// rd is x0 and it writes an integer register. For FP operations rm holds the
// rounding mode field (7 = dynamic); for CSR operations imm holds the CSR
// number and rs1 the register or the 5-bit immediate.
struct DecodedInsn {
  Op op = Op::DECODE;
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
  uint8_t len = 4;  // 2 for compressed
  uint8_t rm = 0;
  int32_t imm = 0;
  uint32_t raw = 0;  // the instruction bits as fetched (16 bits if compressed)
};
static_assert(sizeof(DecodedInsn) == 16);

// The same-page variant of a pc-relative branch or jal (BEQ -> BEQ_L), or
// `op` itself when it has none.
Op LocalJumpVariant(Op op);

// Decodes one instruction. `raw` holds 32 bits if the low two bits are 11,
// otherwise only the low 16 bits matter. Unknown encodings decode to ILLEGAL.
DecodedInsn Decode(uint32_t raw);

// The standard mnemonic of the instruction as written, with the "c." prefix
// for compressed forms ("c.addi", "add", "fcvt.w.s"); "(illegal)" if none.
std::string_view Mnemonic(uint32_t raw);

}  // namespace tapvm
