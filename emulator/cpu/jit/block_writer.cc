// BlockWriter (block_writer.h): slow paths and the helpers they call.
#include "emulator/cpu/jit/block_writer.h"

namespace tapvm::jit::codegen {

// Slow paths, called from translated code with pc and icount synced. On an
// exception they take it, so the code only has to return kExitTrap.
uint64_t LoadSlowHelper(JitContext* c, uint64_t va, uint64_t size) {
  uint64_t v = 0;
  int r = c->hart.LoadSlow(va, static_cast<unsigned>(size), &v);
  if (r == 0) c->hart.TakePendingException();
  c->slow_value = v;
  return static_cast<uint64_t>(r);
}

uint64_t StoreSlowHelper(JitContext* c, uint64_t va, uint64_t value, uint64_t size) {
  if (size < 8) value &= (1ull << (8 * size)) - 1;
  int r = c->hart.StoreSlow(va, static_cast<unsigned>(size), value);
  if (r == 0) c->hart.TakePendingException();
  return static_cast<uint64_t>(r);
}

// One instruction the translator does not translate (RunsInBlock), by the
// interpreter, with pc and icount synced.
uint64_t InterpretHelper(JitContext* c) {
  ++c->interp_insns;
  switch (c->interp->RunSlice(1)) {
    case SliceEnd::kBudget: return kExitNext;
    case SliceEnd::kEvent: return kExitEvent;
    case SliceEnd::kTrap: return kExitTrap;
  }
  return kExitTrap;
}

bool MemAccess(Op op, MemInfo* m) {
  switch (op) {
    case Op::LB: *m = {1, true, false}; return true;
    case Op::LH: *m = {2, true, false}; return true;
    case Op::LW: *m = {4, true, false}; return true;
    case Op::LD: *m = {8, false, false}; return true;
    case Op::LBU: *m = {1, false, false}; return true;
    case Op::LHU: *m = {2, false, false}; return true;
    case Op::LWU: *m = {4, false, false}; return true;
    case Op::SB: *m = {1, false, true}; return true;
    case Op::SH: *m = {2, false, true}; return true;
    case Op::SW: *m = {4, false, true}; return true;
    case Op::SD: *m = {8, false, true}; return true;
    case Op::FLW: *m = {4, false, false, true}; return true;
    case Op::FLD: *m = {8, false, false, true}; return true;
    case Op::FSW: *m = {4, false, true, true}; return true;
    case Op::FSD: *m = {8, false, true, true}; return true;
    default: return false;
  }
}

void BlockWriter::FpCsrRead(const DecodedInsn& d, unsigned csr, uint32_t index, uint64_t pc) {
  Slow s{e_.NewLabel(), e_.NewLabel(), d, MemInfo{}, index, pc, /*interpret=*/true};
  JumpIfFsOff(s.entry);
  if (csr == 1) {
    e_.Load(Width::k64, kA, kFflags);
  } else if (csr == 2) {
    e_.Load(Width::k64, kA, kFrm);
  } else {  // fcsr = frm << 5 | fflags
    e_.Load(Width::k64, kA, kFrm);
    e_.ShiftImm(Shift::kShl, Width::k64, kA, 5);
    e_.OpMem(Alu::kOr, Width::k64, kA, kFflags);
  }
  StoreX(d.rd, kA);
  e_.Bind(s.resume);
  slow_.push_back(s);
}

void BlockWriter::Memory(const DecodedInsn& d, const MemInfo& m, uint32_t index, uint64_t pc) {
  Slow s{e_.NewLabel(), e_.NewLabel(), d, m, index, pc};
  if (m.fp) {  // FS off: the interpreter raises the illegal instruction
    s.fs_off = e_.NewLabel();
    JumpIfFsOff(s.fs_off);
  }
  // rax = va; rcx = the TLB entry's offset in its table; rdx = va's tag
  // for this access size.
  LoadX(Width::k64, kA, d.rs1);
  if (d.imm != 0) e_.OpImm(Alu::kAdd, Width::k64, kA, d.imm);
  e_.Mov(Width::k64, kC, kA);
  e_.ShiftImm(Shift::kShr, Width::k64, kC, 8);
  e_.OpImm(Alu::kAnd, Width::k32, kC, 0x3ff0);
  e_.Mov(Width::k64, kD, kA);
  e_.OpImm(Alu::kAnd, Width::k64, kD, static_cast<int32_t>(~0xfffull | (m.size - 1)));
  const Reg table = m.store ? kWriteTlbBase : kReadTlbBase;
  e_.OpMem(Alu::kCmp, Width::k64, kD, Mem{table, 0, true, kC});
  e_.Jcc(Cond::kNe, s.entry);
  e_.OpMem(Alu::kAdd, Width::k64, kA, Mem{table, 8, true, kC});  // host address
  if (m.store) {
    e_.Load(Width::k64, kC, m.fp ? F(d.rs2) : X(d.rs2));
    e_.StoreSized(kA, m.size, kC);
  } else {
    e_.LoadExtend(kC, kA, m.size, m.sign);
    SetLoaded(d, m);
  }
  e_.Bind(s.resume);
  slow_.push_back(s);
}

// rd = the loaded value in rcx (zero- or sign-extended): an integer
// register, or an FP one (NaN-boxed when single) with FS made dirty.
// Preserves rax.
void BlockWriter::SetLoaded(const DecodedInsn& d, const MemInfo& m) {
  if (!m.fp) return StoreX(d.rd, kC);
  if (m.size == 4) {
    e_.MovImm(kD, 0xffffffff00000000ull);
    e_.Op(Alu::kOr, Width::k64, kC, kD);
  }
  e_.Store(Width::k64, F(d.rd), kC);
  e_.Load(Width::k64, kC, kMstatus);
  e_.MovImm(kD, mstatus::kFS | mstatus::kSD);
  e_.Op(Alu::kOr, Width::k64, kC, kD);
  e_.Store(Width::k64, kMstatus, kC);
}

// The TLB missed: rax = va. pc and icount exact, then the hart's slow path.
void BlockWriter::EmitSlow(const Slow& s) {
  if (s.m.fp) {
    e_.Bind(s.fs_off);
    Interpret(s.index, s.pc);
    e_.Jmp(s.resume);
  }
  e_.Bind(s.entry);
  if (s.interpret) {
    Interpret(s.index, s.pc);
    e_.Jmp(s.resume);
    return;
  }
  SetPc(s.pc);
  SetIcount(s.index);
  e_.Mov(Width::k64, Reg::kRsi, kA);
  e_.Mov(Width::k64, Reg::kRdi, kCtx);
  if (s.m.store) {
    e_.Load(Width::k64, kD, s.m.fp ? F(s.d.rs2) : X(s.d.rs2));
    e_.MovImm(kC, s.m.size);
    e_.CallAbs(reinterpret_cast<const void*>(&StoreSlowHelper));
  } else {
    e_.MovImm(kD, s.m.size);
    e_.CallAbs(reinterpret_cast<const void*>(&LoadSlowHelper));
  }
  ReloadTlbBases();
  e_.Test(Width::k32, kA, kA);
  e_.Jcc(Cond::kEq, trap_exit_);
  if (!s.m.store) {
    e_.Load(Width::k64, kC, kSlowValue);
    e_.Extend(kC, kC, s.m.size, s.m.sign);
    SetLoaded(s.d, s.m);
  }
  e_.OpImm(Alu::kCmp, Width::k32, kA, 2);
  e_.Jcc(Cond::kNe, s.resume);
  Exit(s.pc + s.d.len, s.index + 1, kExitEvent);  // a device access ends the slice
}

}  // namespace tapvm::jit::codegen
