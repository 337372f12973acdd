#include "emulator/cpu/decode.h"

namespace tapvm {

namespace {

struct OpInfo {
  std::string_view mnemonic;
  BreakKind kind;
};

constexpr OpInfo kOpInfo[] = {
#define TAPVM_OP_INFO(name, mnem, kind) {mnem, BreakKind::kind},
    TAPVM_OPS(TAPVM_OP_INFO)
#undef TAPVM_OP_INFO
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == static_cast<size_t>(Op::kCount));

constexpr uint32_t Bits(uint32_t v, int hi, int lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr int32_t SignExtend(uint32_t v, int bits) {
  return static_cast<int32_t>(v << (32 - bits)) >> (32 - bits);
}

bool WritesIntRd(Op op) {
  if (op == Op::JAL || op == Op::JALR) return true;
  return kOpInfo[static_cast<size_t>(op)].kind == BreakKind::I;
}

DecodedInsn Make(Op op, uint32_t rd, uint32_t rs1, uint32_t rs2, int32_t imm) {
  DecodedInsn d;
  d.op = op;
  d.rd = static_cast<uint8_t>(rd);
  d.rs1 = static_cast<uint8_t>(rs1);
  d.rs2 = static_cast<uint8_t>(rs2);
  d.imm = imm;
  return d;
}

DecodedInsn Illegal() { return Make(Op::ILLEGAL, 0, 0, 0, 0); }

// ---- 32-bit encodings ----

DecodedInsn DecodeOpImm(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t f3) {
  int32_t imm = static_cast<int32_t>(raw) >> 20;
  uint32_t shamt = Bits(raw, 25, 20), f6 = raw >> 26;
  switch (f3) {
    case 0: return Make(Op::ADDI, rd, rs1, 0, imm);
    case 2: return Make(Op::SLTI, rd, rs1, 0, imm);
    case 3: return Make(Op::SLTIU, rd, rs1, 0, imm);
    case 4: return Make(Op::XORI, rd, rs1, 0, imm);
    case 6: return Make(Op::ORI, rd, rs1, 0, imm);
    case 7: return Make(Op::ANDI, rd, rs1, 0, imm);
    case 1: return f6 == 0 ? Make(Op::SLLI, rd, rs1, 0, shamt) : Illegal();
    case 5:
      if (f6 == 0) return Make(Op::SRLI, rd, rs1, 0, shamt);
      if (f6 == 0x10) return Make(Op::SRAI, rd, rs1, 0, shamt);
      return Illegal();
  }
  return Illegal();
}

DecodedInsn DecodeOp(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t rs2, uint32_t f3) {
  uint32_t f7 = raw >> 25;
  static constexpr Op kBase[8] = {Op::ADD, Op::SLL, Op::SLT, Op::SLTU, Op::XOR, Op::SRL, Op::OR, Op::AND};
  static constexpr Op kMul[8] = {Op::MUL, Op::MULH, Op::MULHSU, Op::MULHU, Op::DIV, Op::DIVU, Op::REM, Op::REMU};
  if (f7 == 0) return Make(kBase[f3], rd, rs1, rs2, 0);
  if (f7 == 1) return Make(kMul[f3], rd, rs1, rs2, 0);
  if (f7 == 0x20 && f3 == 0) return Make(Op::SUB, rd, rs1, rs2, 0);
  if (f7 == 0x20 && f3 == 5) return Make(Op::SRA, rd, rs1, rs2, 0);
  return Illegal();
}

DecodedInsn DecodeOp32(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t rs2, uint32_t f3) {
  uint32_t f7 = raw >> 25;
  if (f7 == 0) {
    if (f3 == 0) return Make(Op::ADDW, rd, rs1, rs2, 0);
    if (f3 == 1) return Make(Op::SLLW, rd, rs1, rs2, 0);
    if (f3 == 5) return Make(Op::SRLW, rd, rs1, rs2, 0);
  } else if (f7 == 0x20) {
    if (f3 == 0) return Make(Op::SUBW, rd, rs1, rs2, 0);
    if (f3 == 5) return Make(Op::SRAW, rd, rs1, rs2, 0);
  } else if (f7 == 1) {
    switch (f3) {
      case 0: return Make(Op::MULW, rd, rs1, rs2, 0);
      case 4: return Make(Op::DIVW, rd, rs1, rs2, 0);
      case 5: return Make(Op::DIVUW, rd, rs1, rs2, 0);
      case 6: return Make(Op::REMW, rd, rs1, rs2, 0);
      case 7: return Make(Op::REMUW, rd, rs1, rs2, 0);
    }
  }
  return Illegal();
}

DecodedInsn DecodeSystem(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t f3) {
  uint32_t csr = raw >> 20;
  switch (f3) {
    case 0:
      if (raw == 0x00000073) return Make(Op::ECALL, 0, 0, 0, 0);
      if (raw == 0x00100073) return Make(Op::EBREAK, 0, 0, 0, 0);
      if (raw == 0x30200073) return Make(Op::MRET, 0, 0, 0, 0);
      if (raw == 0x10200073) return Make(Op::SRET, 0, 0, 0, 0);
      if (raw == 0x10500073) return Make(Op::WFI, 0, 0, 0, 0);
      if ((raw >> 25) == 0x09 && rd == 0) return Make(Op::SFENCE_VMA, 0, rs1, Bits(raw, 24, 20), 0);
      return Illegal();
    case 1: return Make(Op::CSRRW, rd, rs1, 0, static_cast<int32_t>(csr));
    case 2: return Make(Op::CSRRS, rd, rs1, 0, static_cast<int32_t>(csr));
    case 3: return Make(Op::CSRRC, rd, rs1, 0, static_cast<int32_t>(csr));
    case 5: return Make(Op::CSRRWI, rd, rs1, 0, static_cast<int32_t>(csr));
    case 6: return Make(Op::CSRRSI, rd, rs1, 0, static_cast<int32_t>(csr));
    case 7: return Make(Op::CSRRCI, rd, rs1, 0, static_cast<int32_t>(csr));
  }
  return Illegal();
}

DecodedInsn DecodeAmo(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t rs2, uint32_t f3) {
  if (f3 != 2 && f3 != 3) return Illegal();
  bool d = f3 == 3;
  Op op;
  switch (raw >> 27) {
    case 0x02:
      if (rs2 != 0) return Illegal();
      op = d ? Op::LR_D : Op::LR_W;
      break;
    case 0x03: op = d ? Op::SC_D : Op::SC_W; break;
    case 0x01: op = d ? Op::AMOSWAP_D : Op::AMOSWAP_W; break;
    case 0x00: op = d ? Op::AMOADD_D : Op::AMOADD_W; break;
    case 0x04: op = d ? Op::AMOXOR_D : Op::AMOXOR_W; break;
    case 0x0c: op = d ? Op::AMOAND_D : Op::AMOAND_W; break;
    case 0x08: op = d ? Op::AMOOR_D : Op::AMOOR_W; break;
    case 0x10: op = d ? Op::AMOMIN_D : Op::AMOMIN_W; break;
    case 0x14: op = d ? Op::AMOMAX_D : Op::AMOMAX_W; break;
    case 0x18: op = d ? Op::AMOMINU_D : Op::AMOMINU_W; break;
    case 0x1c: op = d ? Op::AMOMAXU_D : Op::AMOMAXU_W; break;
    default: return Illegal();
  }
  return Make(op, rd, rs1, rs2, 0);
}

// OP-FP (opcode 0x53). `rm` is the funct3 field.
DecodedInsn DecodeOpFp(uint32_t raw, uint32_t rd, uint32_t rs1, uint32_t rs2, uint32_t rm) {
  uint32_t f7 = raw >> 25;
  bool dbl = f7 & 1;
  auto arith = [&](Op s, Op d_op) {
    if (rm == 5 || rm == 6) return Illegal();
    DecodedInsn d = Make(dbl ? d_op : s, rd, rs1, rs2, 0);
    d.rm = static_cast<uint8_t>(rm);
    return d;
  };
  switch (f7) {
    case 0x00: case 0x01: return arith(Op::FADD_S, Op::FADD_D);
    case 0x04: case 0x05: return arith(Op::FSUB_S, Op::FSUB_D);
    case 0x08: case 0x09: return arith(Op::FMUL_S, Op::FMUL_D);
    case 0x0c: case 0x0d: return arith(Op::FDIV_S, Op::FDIV_D);
    case 0x2c: case 0x2d: return rs2 == 0 ? arith(Op::FSQRT_S, Op::FSQRT_D) : Illegal();
    case 0x10: case 0x11: {
      static constexpr Op kS[3] = {Op::FSGNJ_S, Op::FSGNJN_S, Op::FSGNJX_S};
      static constexpr Op kD[3] = {Op::FSGNJ_D, Op::FSGNJN_D, Op::FSGNJX_D};
      return rm < 3 ? Make(dbl ? kD[rm] : kS[rm], rd, rs1, rs2, 0) : Illegal();
    }
    case 0x14: case 0x15:
      if (rm == 0) return Make(dbl ? Op::FMIN_D : Op::FMIN_S, rd, rs1, rs2, 0);
      if (rm == 1) return Make(dbl ? Op::FMAX_D : Op::FMAX_S, rd, rs1, rs2, 0);
      return Illegal();
    case 0x20: return rs2 == 1 ? arith(Op::FCVT_S_D, Op::FCVT_S_D) : Illegal();
    case 0x21: return rs2 == 0 ? arith(Op::FCVT_D_S, Op::FCVT_D_S) : Illegal();
    case 0x60: case 0x61: {
      static constexpr Op kS[4] = {Op::FCVT_W_S, Op::FCVT_WU_S, Op::FCVT_L_S, Op::FCVT_LU_S};
      static constexpr Op kD[4] = {Op::FCVT_W_D, Op::FCVT_WU_D, Op::FCVT_L_D, Op::FCVT_LU_D};
      return rs2 < 4 ? arith(kS[rs2], kD[rs2]) : Illegal();
    }
    case 0x68: case 0x69: {
      static constexpr Op kS[4] = {Op::FCVT_S_W, Op::FCVT_S_WU, Op::FCVT_S_L, Op::FCVT_S_LU};
      static constexpr Op kD[4] = {Op::FCVT_D_W, Op::FCVT_D_WU, Op::FCVT_D_L, Op::FCVT_D_LU};
      return rs2 < 4 ? arith(kS[rs2], kD[rs2]) : Illegal();
    }
    case 0x70: case 0x71:
      if (rs2 != 0) return Illegal();
      if (rm == 0) return Make(dbl ? Op::FMV_X_D : Op::FMV_X_W, rd, rs1, 0, 0);
      if (rm == 1) return Make(dbl ? Op::FCLASS_D : Op::FCLASS_S, rd, rs1, 0, 0);
      return Illegal();
    case 0x50: case 0x51:
      if (rm == 2) return Make(dbl ? Op::FEQ_D : Op::FEQ_S, rd, rs1, rs2, 0);
      if (rm == 1) return Make(dbl ? Op::FLT_D : Op::FLT_S, rd, rs1, rs2, 0);
      if (rm == 0) return Make(dbl ? Op::FLE_D : Op::FLE_S, rd, rs1, rs2, 0);
      return Illegal();
    case 0x78: case 0x79:
      if (rs2 != 0 || rm != 0) return Illegal();
      return Make(dbl ? Op::FMV_D_X : Op::FMV_W_X, rd, rs1, 0, 0);
  }
  return Illegal();
}

DecodedInsn Decode32(uint32_t raw) {
  uint32_t rd = Bits(raw, 11, 7), rs1 = Bits(raw, 19, 15), rs2 = Bits(raw, 24, 20), f3 = Bits(raw, 14, 12);
  int32_t i_imm = static_cast<int32_t>(raw) >> 20;
  int32_t s_imm = ((static_cast<int32_t>(raw) >> 25) << 5) | static_cast<int32_t>(Bits(raw, 11, 7));
  int32_t b_imm = SignExtend((Bits(raw, 31, 31) << 12) | (Bits(raw, 7, 7) << 11) | (Bits(raw, 30, 25) << 5) |
                                 (Bits(raw, 11, 8) << 1),
                             13);
  int32_t j_imm = SignExtend((Bits(raw, 31, 31) << 20) | (Bits(raw, 19, 12) << 12) | (Bits(raw, 20, 20) << 11) |
                                 (Bits(raw, 30, 21) << 1),
                             21);
  int32_t u_imm = static_cast<int32_t>(raw & 0xfffff000u);
  switch (raw & 0x7f) {
    case 0x37: return Make(Op::LUI, rd, 0, 0, u_imm);
    case 0x17: return Make(Op::AUIPC, rd, 0, 0, u_imm);
    case 0x6f: return Make(Op::JAL, rd, 0, 0, j_imm);
    case 0x67: return f3 == 0 ? Make(Op::JALR, rd, rs1, 0, i_imm) : Illegal();
    case 0x63: {
      static constexpr Op kBr[8] = {Op::BEQ, Op::BNE, Op::ILLEGAL, Op::ILLEGAL, Op::BLT, Op::BGE, Op::BLTU, Op::BGEU};
      return Make(kBr[f3], 0, rs1, rs2, b_imm);
    }
    case 0x03: {
      static constexpr Op kLd[8] = {Op::LB, Op::LH, Op::LW, Op::LD, Op::LBU, Op::LHU, Op::LWU, Op::ILLEGAL};
      return Make(kLd[f3], rd, rs1, 0, i_imm);
    }
    case 0x23: {
      static constexpr Op kSt[8] = {Op::SB, Op::SH, Op::SW, Op::SD, Op::ILLEGAL, Op::ILLEGAL, Op::ILLEGAL, Op::ILLEGAL};
      return Make(kSt[f3], 0, rs1, rs2, s_imm);
    }
    case 0x13: return DecodeOpImm(raw, rd, rs1, f3);
    case 0x33: return DecodeOp(raw, rd, rs1, rs2, f3);
    case 0x1b:
      if (f3 == 0) return Make(Op::ADDIW, rd, rs1, 0, i_imm);
      if (f3 == 1 && (raw >> 25) == 0) return Make(Op::SLLIW, rd, rs1, 0, rs2);
      if (f3 == 5 && (raw >> 25) == 0) return Make(Op::SRLIW, rd, rs1, 0, rs2);
      if (f3 == 5 && (raw >> 25) == 0x20) return Make(Op::SRAIW, rd, rs1, 0, rs2);
      return Illegal();
    case 0x3b: return DecodeOp32(raw, rd, rs1, rs2, f3);
    case 0x0f:
      if (f3 == 0) return Make(Op::FENCE, 0, 0, 0, 0);
      if (f3 == 1) return Make(Op::FENCE_I, 0, 0, 0, 0);
      return Illegal();
    case 0x73: return DecodeSystem(raw, rd, rs1, f3);
    case 0x2f: return DecodeAmo(raw, rd, rs1, rs2, f3);
    case 0x07:
      if (f3 == 2) return Make(Op::FLW, rd, rs1, 0, i_imm);
      if (f3 == 3) return Make(Op::FLD, rd, rs1, 0, i_imm);
      return Illegal();
    case 0x27:
      if (f3 == 2) return Make(Op::FSW, 0, rs1, rs2, s_imm);
      if (f3 == 3) return Make(Op::FSD, 0, rs1, rs2, s_imm);
      return Illegal();
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
      uint32_t fmt = Bits(raw, 26, 25);
      if (fmt > 1 || f3 == 5 || f3 == 6) return Illegal();
      static constexpr Op kS[4] = {Op::FMADD_S, Op::FMSUB_S, Op::FNMSUB_S, Op::FNMADD_S};
      static constexpr Op kD[4] = {Op::FMADD_D, Op::FMSUB_D, Op::FNMSUB_D, Op::FNMADD_D};
      uint32_t which = Bits(raw, 3, 2);
      DecodedInsn d = Make(fmt ? kD[which] : kS[which], rd, rs1, rs2, 0);
      d.rs3 = static_cast<uint8_t>(raw >> 27);
      d.rm = static_cast<uint8_t>(f3);
      return d;
    }
    case 0x53: return DecodeOpFp(raw, rd, rs1, rs2, f3);
  }
  return Illegal();
}

// ---- compressed encodings (RV64C) ----
// Each returns the expanded instruction and sets *name to its c. mnemonic.

DecodedInsn DecodeC0(uint32_t r, std::string_view* name) {
  uint32_t rdp = 8 + Bits(r, 4, 2), rs1p = 8 + Bits(r, 9, 7);
  uint32_t off_w = (Bits(r, 12, 10) << 3) | (Bits(r, 6, 6) << 2) | (Bits(r, 5, 5) << 6);
  uint32_t off_d = (Bits(r, 12, 10) << 3) | (Bits(r, 6, 5) << 6);
  switch (Bits(r, 15, 13)) {
    case 0: {
      uint32_t imm = (Bits(r, 12, 11) << 4) | (Bits(r, 10, 7) << 6) | (Bits(r, 6, 6) << 2) | (Bits(r, 5, 5) << 3);
      *name = "c.addi4spn";
      return imm ? Make(Op::ADDI, rdp, 2, 0, static_cast<int32_t>(imm)) : Illegal();
    }
    case 1: *name = "c.fld"; return Make(Op::FLD, rdp, rs1p, 0, static_cast<int32_t>(off_d));
    case 2: *name = "c.lw"; return Make(Op::LW, rdp, rs1p, 0, static_cast<int32_t>(off_w));
    case 3: *name = "c.ld"; return Make(Op::LD, rdp, rs1p, 0, static_cast<int32_t>(off_d));
    case 5: *name = "c.fsd"; return Make(Op::FSD, 0, rs1p, rdp, static_cast<int32_t>(off_d));
    case 6: *name = "c.sw"; return Make(Op::SW, 0, rs1p, rdp, static_cast<int32_t>(off_w));
    case 7: *name = "c.sd"; return Make(Op::SD, 0, rs1p, rdp, static_cast<int32_t>(off_d));
  }
  return Illegal();
}

DecodedInsn DecodeC1(uint32_t r, std::string_view* name) {
  uint32_t rd = Bits(r, 11, 7), rdp = 8 + Bits(r, 9, 7), rs2p = 8 + Bits(r, 4, 2);
  int32_t imm6 = SignExtend((Bits(r, 12, 12) << 5) | Bits(r, 6, 2), 6);
  switch (Bits(r, 15, 13)) {
    case 0: *name = rd ? "c.addi" : "c.nop"; return Make(Op::ADDI, rd, rd, 0, imm6);
    case 1: *name = "c.addiw"; return rd ? Make(Op::ADDIW, rd, rd, 0, imm6) : Illegal();
    case 2: *name = "c.li"; return Make(Op::ADDI, rd, 0, 0, imm6);
    case 3:
      if (rd == 2) {
        int32_t imm = SignExtend((Bits(r, 12, 12) << 9) | (Bits(r, 6, 6) << 4) | (Bits(r, 5, 5) << 6) |
                                     (Bits(r, 4, 3) << 7) | (Bits(r, 2, 2) << 5),
                                 10);
        *name = "c.addi16sp";
        return imm ? Make(Op::ADDI, 2, 2, 0, imm) : Illegal();
      } else {
        int32_t imm = SignExtend((Bits(r, 12, 12) << 17) | (Bits(r, 6, 2) << 12), 18);
        *name = "c.lui";
        return imm ? Make(Op::LUI, rd, 0, 0, imm) : Illegal();
      }
    case 4: {
      uint32_t shamt = (Bits(r, 12, 12) << 5) | Bits(r, 6, 2);
      switch (Bits(r, 11, 10)) {
        case 0: *name = "c.srli"; return Make(Op::SRLI, rdp, rdp, 0, static_cast<int32_t>(shamt));
        case 1: *name = "c.srai"; return Make(Op::SRAI, rdp, rdp, 0, static_cast<int32_t>(shamt));
        case 2: *name = "c.andi"; return Make(Op::ANDI, rdp, rdp, 0, imm6);
        case 3: {
          static constexpr Op kOps[8] = {Op::SUB, Op::XOR, Op::OR, Op::AND, Op::SUBW, Op::ADDW, Op::ILLEGAL, Op::ILLEGAL};
          static constexpr std::string_view kNames[8] = {"c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw", "", ""};
          uint32_t i = (Bits(r, 12, 12) << 2) | Bits(r, 6, 5);
          *name = kNames[i];
          return kOps[i] == Op::ILLEGAL ? Illegal() : Make(kOps[i], rdp, rdp, rs2p, 0);
        }
      }
      return Illegal();
    }
    case 5: {
      int32_t imm = SignExtend((Bits(r, 12, 12) << 11) | (Bits(r, 11, 11) << 4) | (Bits(r, 10, 9) << 8) |
                                   (Bits(r, 8, 8) << 10) | (Bits(r, 7, 7) << 6) | (Bits(r, 6, 6) << 7) |
                                   (Bits(r, 5, 3) << 1) | (Bits(r, 2, 2) << 5),
                               12);
      *name = "c.j";
      return Make(Op::JAL, 0, 0, 0, imm);
    }
    case 6: case 7: {
      int32_t imm = SignExtend((Bits(r, 12, 12) << 8) | (Bits(r, 11, 10) << 3) | (Bits(r, 6, 5) << 6) |
                                   (Bits(r, 4, 3) << 1) | (Bits(r, 2, 2) << 5),
                               9);
      bool eq = Bits(r, 15, 13) == 6;
      *name = eq ? "c.beqz" : "c.bnez";
      return Make(eq ? Op::BEQ : Op::BNE, 0, rdp, 0, imm);
    }
  }
  return Illegal();
}

DecodedInsn DecodeC2(uint32_t r, std::string_view* name) {
  uint32_t rd = Bits(r, 11, 7), rs2 = Bits(r, 6, 2);
  switch (Bits(r, 15, 13)) {
    case 0: {
      uint32_t shamt = (Bits(r, 12, 12) << 5) | Bits(r, 6, 2);
      *name = "c.slli";
      return Make(Op::SLLI, rd, rd, 0, static_cast<int32_t>(shamt));
    }
    case 1: case 3: {
      uint32_t off = (Bits(r, 12, 12) << 5) | (Bits(r, 6, 5) << 3) | (Bits(r, 4, 2) << 6);
      if (Bits(r, 15, 13) == 1) {
        *name = "c.fldsp";
        return Make(Op::FLD, rd, 2, 0, static_cast<int32_t>(off));
      }
      *name = "c.ldsp";
      return rd ? Make(Op::LD, rd, 2, 0, static_cast<int32_t>(off)) : Illegal();
    }
    case 2: {
      uint32_t off = (Bits(r, 12, 12) << 5) | (Bits(r, 6, 4) << 2) | (Bits(r, 3, 2) << 6);
      *name = "c.lwsp";
      return rd ? Make(Op::LW, rd, 2, 0, static_cast<int32_t>(off)) : Illegal();
    }
    case 4:
      if (Bits(r, 12, 12) == 0) {
        if (rs2 == 0) {
          *name = "c.jr";
          return rd ? Make(Op::JALR, 0, rd, 0, 0) : Illegal();
        }
        *name = "c.mv";
        return Make(Op::ADD, rd, 0, rs2, 0);
      }
      if (rd == 0 && rs2 == 0) {
        *name = "c.ebreak";
        return Make(Op::EBREAK, 0, 0, 0, 0);
      }
      if (rs2 == 0) {
        *name = "c.jalr";
        return Make(Op::JALR, 1, rd, 0, 0);
      }
      *name = "c.add";
      return Make(Op::ADD, rd, rd, rs2, 0);
    case 5: case 7: {
      uint32_t off = (Bits(r, 12, 10) << 3) | (Bits(r, 9, 7) << 6);
      bool fp = Bits(r, 15, 13) == 5;
      *name = fp ? "c.fsdsp" : "c.sdsp";
      return Make(fp ? Op::FSD : Op::SD, 0, 2, rs2, static_cast<int32_t>(off));
    }
    case 6: {
      uint32_t off = (Bits(r, 12, 9) << 2) | (Bits(r, 8, 7) << 6);
      *name = "c.swsp";
      return Make(Op::SW, 0, 2, rs2, static_cast<int32_t>(off));
    }
  }
  return Illegal();
}

DecodedInsn DecodeCompressed(uint32_t raw, std::string_view* name) {
  uint32_t r = raw & 0xffff;
  *name = "(illegal)";
  if (r == 0) return Illegal();
  switch (r & 3) {
    case 0: return DecodeC0(r, name);
    case 1: return DecodeC1(r, name);
    default: return DecodeC2(r, name);
  }
}

}  // namespace

Op LocalJumpVariant(Op op) {
  switch (op) {
    case Op::BEQ: return Op::BEQ_L;
    case Op::BNE: return Op::BNE_L;
    case Op::BLT: return Op::BLT_L;
    case Op::BGE: return Op::BGE_L;
    case Op::BLTU: return Op::BLTU_L;
    case Op::BGEU: return Op::BGEU_L;
    case Op::JAL: return Op::JAL_L;
    default: return op;
  }
}

std::string_view OpMnemonic(Op op) { return kOpInfo[static_cast<size_t>(op)].mnemonic; }
BreakKind OpBreakKind(Op op) { return kOpInfo[static_cast<size_t>(op)].kind; }

DecodedInsn Decode(uint32_t raw) {
  DecodedInsn d;
  if ((raw & 3) == 3) {
    d = Decode32(raw);
    d.len = 4;
    d.raw = raw;
  } else {
    std::string_view name;
    d = DecodeCompressed(raw, &name);
    d.len = 2;
    d.raw = raw & 0xffff;
  }
  if (d.op == Op::ILLEGAL) {
    d.rd = d.rs1 = d.rs2 = 0;
  } else if (d.rd == 0 && WritesIntRd(d.op)) {
    d.rd = 32;  // the write sink: x0 stays zero without a test in the hot loop
  }
  return d;
}

std::string_view Mnemonic(uint32_t raw) {
  if ((raw & 3) == 3) return OpMnemonic(Decode32(raw).op);
  std::string_view name;
  DecodedInsn d = DecodeCompressed(raw, &name);
  return d.op == Op::ILLEGAL ? OpMnemonic(Op::ILLEGAL) : name;
}

}  // namespace tapvm
