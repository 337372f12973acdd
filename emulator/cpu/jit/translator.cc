// Translator: emits each instruction as the interpreter's handler would run
// it (interpreter.cc is the reference), guest registers in memory, through
// a BlockWriter (block_writer.h: the frame, exits, memory accesses).
#include "emulator/cpu/jit/translator.h"

#include "emulator/cpu/jit/block_writer.h"

namespace tapvm::jit {

namespace codegen {

// RISC-V division never traps: x / 0 = -1 (all ones), x % 0 = x, and the
// signed MIN / -1 = MIN, MIN % -1 = 0. x86 faults on both, so they are
// handled before the divide.
void BlockWriter::Divide(const DecodedInsn& d, Width w, bool sign, bool rem) {
  Label zero = e_.NewLabel(), done = e_.NewLabel();
  LoadX(w, kA, d.rs1);
  LoadX(w, kC, d.rs2);
  e_.Test(w, kC, kC);
  e_.Jcc(Cond::kEq, zero);
  if (sign) {
    Label normal = e_.NewLabel();
    e_.OpImm(Alu::kCmp, w, kC, -1);
    e_.Jcc(Cond::kNe, normal);
    if (rem) e_.MovImm(kA, 0); else e_.Neg(w, kA);  // -MIN wraps to MIN, as RISC-V wants
    e_.Jmp(done);
    e_.Bind(normal);
  }
  e_.Div(w, kC, sign);
  if (rem) e_.Mov(Width::k64, kA, kD);
  e_.Jmp(done);
  e_.Bind(zero);
  if (!rem) e_.MovImm(kA, w == Width::k64 ? ~0ull : 0xffffffffull);  // else rax = the dividend
  e_.Bind(done);
  if (w == Width::k32) e_.Extend(kA, kA, 4, true);
  StoreX(d.rd, kA);
}

void BlockWriter::Insn(const DecodedInsn& d, uint32_t index, uint64_t pc) {
  const Width k64 = Width::k64, k32 = Width::k32;
  auto reg_reg = [&](Alu op, Width w) {
    LoadX(w, kA, d.rs1);
    e_.OpMem(op, w, kA, X(d.rs2));
    if (w == k32) e_.Extend(kA, kA, 4, true);
    StoreX(d.rd, kA);
  };
  auto reg_imm = [&](Alu op, Width w) {
    LoadX(w, kA, d.rs1);
    e_.OpImm(op, w, kA, d.imm);
    if (w == k32) e_.Extend(kA, kA, 4, true);
    StoreX(d.rd, kA);
  };
  auto shift_reg = [&](Shift op, Width w) {
    LoadX(w, kA, d.rs1);
    LoadX(k64, kC, d.rs2);  // x86 masks the count as RISC-V does (63 or 31)
    e_.ShiftCl(op, w, kA);
    if (w == k32) e_.Extend(kA, kA, 4, true);
    StoreX(d.rd, kA);
  };
  auto shift_imm = [&](Shift op, Width w) {
    LoadX(w, kA, d.rs1);
    e_.ShiftImm(op, w, kA, static_cast<uint8_t>(d.imm));
    if (w == k32) e_.Extend(kA, kA, 4, true);
    StoreX(d.rd, kA);
  };
  auto set_less = [&](Cond c, bool imm) {
    LoadX(k64, kA, d.rs1);
    if (imm) e_.OpImm(Alu::kCmp, k64, kA, d.imm); else e_.OpMem(Alu::kCmp, k64, kA, X(d.rs2));
    e_.SetCc(c, kA);
    StoreX(d.rd, kA);
  };
  auto branch = [&](Cond c) {
    Label taken = e_.NewLabel();
    LoadX(k64, kA, d.rs1);
    e_.OpMem(Alu::kCmp, k64, kA, X(d.rs2));
    e_.Jcc(c, taken);
    Exit(pc + d.len, index + 1, kExitNext);
    e_.Bind(taken);
    Exit(pc + static_cast<int64_t>(d.imm), index + 1, kExitNext);
  };
  auto mul_high = [&](bool sign, bool store) {
    LoadX(k64, kA, d.rs1);
    LoadX(k64, kC, d.rs2);
    e_.MulWide(kC, sign);
    if (store) StoreX(d.rd, kD);
  };

  MemInfo m;
  if (MemAccess(d.op, &m)) return Memory(d, m, index, pc);
  if (FpHelper fp = FpHelperFor(d.op)) return FpCall(d, fp, index, pc);
  if (unsigned csr = FpCsrPureRead(d)) return FpCsrRead(d, csr, index, pc);
  if (RunsInBlock(d)) return Interpret(index, pc);
  switch (d.op) {
    case Op::LUI: e_.StoreImm(X(d.rd), d.imm); return;
    case Op::AUIPC:
      e_.MovImm(kA, pc + static_cast<int64_t>(d.imm));
      StoreX(d.rd, kA);
      return;
    case Op::JAL:
      e_.MovImm(kA, pc + d.len);
      StoreX(d.rd, kA);
      Exit(pc + static_cast<int64_t>(d.imm), index + 1, kExitNext);
      return;
    case Op::JALR:
      LoadX(k64, kA, d.rs1);  // before rd is written: rd may be rs1
      if (d.imm != 0) e_.OpImm(Alu::kAdd, k64, kA, d.imm);
      e_.OpImm(Alu::kAnd, k64, kA, -2);
      e_.Store(k64, kPc, kA);
      e_.MovImm(kC, pc + d.len);
      StoreX(d.rd, kC);
      IndirectExit(index + 1);
      return;
    case Op::BEQ: return branch(Cond::kEq);
    case Op::BNE: return branch(Cond::kNe);
    case Op::BLT: return branch(Cond::kLt);
    case Op::BGE: return branch(Cond::kGe);
    case Op::BLTU: return branch(Cond::kLtu);
    case Op::BGEU: return branch(Cond::kGeu);
    case Op::ADDI: return reg_imm(Alu::kAdd, k64);
    case Op::XORI: return reg_imm(Alu::kXor, k64);
    case Op::ORI: return reg_imm(Alu::kOr, k64);
    case Op::ANDI: return reg_imm(Alu::kAnd, k64);
    case Op::SLTI: return set_less(Cond::kLt, true);
    case Op::SLTIU: return set_less(Cond::kLtu, true);  // the immediate is sign-extended, then compared unsigned
    case Op::SLLI: return shift_imm(Shift::kShl, k64);
    case Op::SRLI: return shift_imm(Shift::kShr, k64);
    case Op::SRAI: return shift_imm(Shift::kSar, k64);
    case Op::ADD: return reg_reg(Alu::kAdd, k64);
    case Op::SUB: return reg_reg(Alu::kSub, k64);
    case Op::XOR: return reg_reg(Alu::kXor, k64);
    case Op::OR: return reg_reg(Alu::kOr, k64);
    case Op::AND: return reg_reg(Alu::kAnd, k64);
    case Op::SLT: return set_less(Cond::kLt, false);
    case Op::SLTU: return set_less(Cond::kLtu, false);
    case Op::SLL: return shift_reg(Shift::kShl, k64);
    case Op::SRL: return shift_reg(Shift::kShr, k64);
    case Op::SRA: return shift_reg(Shift::kSar, k64);
    case Op::ADDIW: return reg_imm(Alu::kAdd, k32);
    case Op::SLLIW: return shift_imm(Shift::kShl, k32);
    case Op::SRLIW: return shift_imm(Shift::kShr, k32);
    case Op::SRAIW: return shift_imm(Shift::kSar, k32);
    case Op::ADDW: return reg_reg(Alu::kAdd, k32);
    case Op::SUBW: return reg_reg(Alu::kSub, k32);
    case Op::SLLW: return shift_reg(Shift::kShl, k32);
    case Op::SRLW: return shift_reg(Shift::kShr, k32);
    case Op::SRAW: return shift_reg(Shift::kSar, k32);
    case Op::FENCE: return;  // one hart, no device reordering: nothing to order
    case Op::MUL:
    case Op::MULW: {
      Width w = d.op == Op::MUL ? k64 : k32;
      LoadX(w, kA, d.rs1);
      LoadX(w, kC, d.rs2);
      e_.Imul(w, kA, kC);
      if (w == k32) e_.Extend(kA, kA, 4, true);
      StoreX(d.rd, kA);
      return;
    }
    case Op::MULH: return mul_high(true, true);
    case Op::MULHU: return mul_high(false, true);
    case Op::MULHSU:
      // The unsigned high half, less rs2 when rs1 is negative (rd is
      // written last: it may be rs1 or rs2).
      mul_high(false, false);
      LoadX(k64, kA, d.rs1);
      e_.ShiftImm(Shift::kSar, k64, kA, 63);
      e_.OpMem(Alu::kAnd, k64, kA, X(d.rs2));
      e_.Op(Alu::kSub, k64, kD, kA);
      StoreX(d.rd, kD);
      return;
    case Op::DIV: return Divide(d, k64, true, false);
    case Op::DIVU: return Divide(d, k64, false, false);
    case Op::REM: return Divide(d, k64, true, true);
    case Op::REMU: return Divide(d, k64, false, true);
    case Op::DIVW: return Divide(d, k32, true, false);
    case Op::DIVUW: return Divide(d, k32, false, false);
    case Op::REMW: return Divide(d, k32, true, true);
    case Op::REMUW: return Divide(d, k32, false, true);
    default: break;
  }
}

}  // namespace codegen

using codegen::MemAccess;
using codegen::MemInfo;

Op CanonicalOp(Op op) {
  switch (op) {
    case Op::BEQ_L: return Op::BEQ;
    case Op::BNE_L: return Op::BNE;
    case Op::BLT_L: return Op::BLT;
    case Op::BGE_L: return Op::BGE;
    case Op::BLTU_L: return Op::BLTU;
    case Op::BGEU_L: return Op::BGEU;
    case Op::JAL_L: return Op::JAL;
    default: return op;
  }
}

bool IsTranslated(Op op) {
  MemInfo m;
  if (MemAccess(op, &m)) return true;
  switch (op) {
    case Op::LUI: case Op::AUIPC: case Op::JAL: case Op::JALR:
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
    case Op::ADDI: case Op::SLTI: case Op::SLTIU: case Op::XORI: case Op::ORI: case Op::ANDI:
    case Op::SLLI: case Op::SRLI: case Op::SRAI: case Op::ADD: case Op::SUB: case Op::SLL:
    case Op::SLT: case Op::SLTU: case Op::XOR: case Op::SRL: case Op::SRA: case Op::OR: case Op::AND:
    case Op::ADDIW: case Op::SLLIW: case Op::SRLIW: case Op::SRAIW: case Op::ADDW: case Op::SUBW:
    case Op::SLLW: case Op::SRLW: case Op::SRAW: case Op::FENCE:
    case Op::MUL: case Op::MULH: case Op::MULHSU: case Op::MULHU: case Op::DIV: case Op::DIVU:
    case Op::REM: case Op::REMU: case Op::MULW: case Op::DIVW: case Op::DIVUW: case Op::REMW: case Op::REMUW:
      return true;
    default: return false;
  }
}

unsigned FpCsrPureRead(const DecodedInsn& d) {
  const unsigned csr = static_cast<unsigned>(d.imm);
  const bool pure_read = (d.op == Op::CSRRS || d.op == Op::CSRRC || d.op == Op::CSRRSI || d.op == Op::CSRRCI) &&
                         d.rs1 == 0;
  return pure_read && csr >= 1 && csr <= 3 ? csr : 0;
}

bool RunsInBlock(const DecodedInsn& d) {
  const Op op = d.op;
  if (op >= Op::CSRRW && op <= Op::CSRRCI) return !HartEngineAccess::CsrInsnEndsSlice(d);
  return (op >= Op::LR_W && op <= Op::AMOMAXU_D) || (op >= Op::FLW && op <= Op::FMV_D_X);
}

bool TouchesMemory(Op op) {
  MemInfo m;
  return MemAccess(op, &m) || (op >= Op::LR_W && op <= Op::AMOMAXU_D);
}

bool EndsBlock(Op op) {
  switch (op) {
    case Op::JAL: case Op::JALR: case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU:
    case Op::BGEU:
      return true;
    default: return false;
  }
}

using codegen::BlockWriter;

TranslatedCode Translator::Translate(const DecodedInsn* insns, size_t n, uint64_t pc, uint8_t* dst, size_t cap) {
  e_.Reset();
  BlockWriter w(e_, pc, static_cast<uint32_t>(n));
  w.Prologue();
  uint64_t at = pc;
  bool ended = false;
  for (size_t i = 0; i < n; ++i) {
    w.Insn(insns[i], static_cast<uint32_t>(i), at);
    at += insns[i].len;
    ended = EndsBlock(insns[i].op);
  }
  if (!ended) w.FallThrough(static_cast<uint32_t>(n), at);
  w.OutOfLine();
  TranslatedCode out;
  out.size = e_.CopyTo(dst, cap < kMaxBlockBytes ? cap : kMaxBlockBytes);
  if (out.size) out.chain_offset = e_.OffsetOf(w.chain_entry());
  return out;
}

}  // namespace tapvm::jit
