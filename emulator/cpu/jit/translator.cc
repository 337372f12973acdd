// Translator: emits each instruction as the interpreter's handler would run
// it (interpreter.cc is the reference), guest registers in memory.
//
// Host registers: rbx = HartState*, r12 = JitContext*, r13 = icount at block
// entry, r14 = the budget left at block entry (all callee-saved, so they
// survive slow path calls); rax, rcx, rdx, rsi, rdi are scratch. Every block
// has the same frame, so a chained block returns through its own epilogue.
#include "emulator/cpu/jit/translator.h"

#include <cstddef>
#include <vector>

#include "emulator/cpu/jit/fp_helpers.h"

namespace tapvm::jit {

namespace {

constexpr Reg kState = Reg::kRbx, kCtx = Reg::kR12, kIcount = Reg::kR13, kBudget = Reg::kR14;
constexpr Reg kA = Reg::kRax, kC = Reg::kRcx, kD = Reg::kRdx;

Mem X(unsigned r) { return Mem{kState, static_cast<int32_t>(offsetof(HartState, x) + 8 * r)}; }
Mem F(unsigned r) { return Mem{kState, static_cast<int32_t>(offsetof(HartState, f) + 8 * r)}; }
constexpr Mem kMstatus{kState, static_cast<int32_t>(offsetof(HartState, mstatus))};
constexpr Mem kPc{kState, static_cast<int32_t>(offsetof(HartState, pc))};
constexpr Mem kIcountMem{kState, static_cast<int32_t>(offsetof(HartState, icount))};
constexpr Mem kSlowValue{kCtx, static_cast<int32_t>(offsetof(JitContext, slow_value))};
constexpr Mem kLinkSite{kCtx, static_cast<int32_t>(offsetof(JitContext, link_site))};
constexpr Mem kFetchTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, fetch_tlb))};
constexpr Mem kJumpCache{kCtx, static_cast<int32_t>(offsetof(JitContext, jump_cache))};
constexpr int32_t kPagePa = static_cast<int32_t>(offsetof(HartEngineAccess::DecodedPage, pa));
constexpr Mem kReadTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, read_tlb))};
constexpr Mem kWriteTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, write_tlb))};

static_assert(sizeof(HartEngineAccess::TlbEntry) == 16 && HartEngineAccess::kTlbSize == 1024,
              "the inline TLB lookup below indexes 16-byte entries with (va >> 8) & 0x3ff0");
static_assert(sizeof(HartEngineAccess::FetchEntry) == 16 && sizeof(JumpCacheEntry) == 64,
              "IndirectExit indexes the fetch TLB and the jump cache by shifts");

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

struct MemInfo {
  unsigned size;
  bool sign;
  bool store;
  bool fp = false;  // an FP register's load or store: FS must be on
};

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

// Emission of one block.
class BlockWriter {
 public:
  BlockWriter(Emitter& e, uint64_t pc, uint32_t ninsns) : e_(e), pc_(pc), ninsns_(ninsns) {}

  void Prologue() {
    e_.Push(Reg::kRbx);
    e_.Push(Reg::kR12);
    e_.Push(Reg::kR13);
    e_.Push(Reg::kR14);
    e_.OpImm(Alu::kSub, Width::k64, Reg::kRsp, 8);  // 16-byte aligned for calls
    e_.Mov(Width::k64, kState, Reg::kRdi);
    e_.Mov(Width::k64, kCtx, Reg::kRsi);
    e_.Mov(Width::k64, kBudget, Reg::kRdx);
    e_.Load(Width::k64, kIcount, kIcountMem);
    epilogue_ = e_.NewLabel();
    trap_exit_ = e_.NewLabel();
    bail_ = e_.NewLabel();
    // Entered here from a chained block: the budget must cover this block.
    chain_entry_ = e_.NewLabel();
    e_.Bind(chain_entry_);
    e_.OpImm(Alu::kCmp, Width::k64, kBudget, static_cast<int32_t>(ninsns_));
    e_.Jcc(Cond::kLtu, bail_);
    e_.OpImm(Alu::kSub, Width::k64, kBudget, static_cast<int32_t>(ninsns_));
  }

  Label chain_entry() const { return chain_entry_; }

  // Instruction `index` of the block, at guest `pc`.
  void Insn(const DecodedInsn& d, uint32_t index, uint64_t pc);

  // Falls off the end after `count` instructions at `next_pc`.
  void FallThrough(uint32_t count, uint64_t next_pc) { Exit(next_pc, count, kExitNext); }

  void OutOfLine() {
    for (const Slow& s : slow_) EmitSlow(s);
    e_.Bind(bail_);  // the budget is short: back to the dispatcher, nothing run
    SetPc(pc_);
    e_.Store(Width::k64, kIcountMem, kIcount);
    e_.MovImm(kA, kExitNext);
    e_.Jmp(epilogue_);
    e_.Bind(trap_exit_);
    e_.MovImm(kA, kExitTrap);
    e_.Bind(epilogue_);
    e_.OpImm(Alu::kAdd, Width::k64, Reg::kRsp, 8);
    e_.Pop(Reg::kR14);
    e_.Pop(Reg::kR13);
    e_.Pop(Reg::kR12);
    e_.Pop(Reg::kRbx);
    e_.Ret();
  }

 private:
  struct Slow {
    Label entry, resume;
    DecodedInsn d;
    MemInfo m;
    uint32_t index;
    uint64_t pc;
    bool interpret = false;  // the interpreter runs it (FpCall), not LoadSlow/StoreSlow
    Label fs_off{};          // FP loads and stores with FS off
  };

  void SetPc(uint64_t pc) {
    e_.MovImm(kC, pc);
    e_.Store(Width::k64, kPc, kC);
  }
  void SetIcount(uint32_t retired) {
    e_.Lea(kC, Mem{kIcount, static_cast<int32_t>(retired)});
    e_.Store(Width::k64, kIcountMem, kC);
  }
  // Leaves the block: pc = next_pc, `retired` instructions counted. An
  // exit to this page can be chained: r13 moves on to the next block's
  // entry icount, then a patchable jump (to the next block once linked, to
  // the return below until then).
  void Exit(uint64_t next_pc, uint32_t retired, BlockExit how) {
    if (how != kExitNext) {
      SetPc(next_pc);
      ExitKeepPc(retired, how);
      return;
    }
    if ((next_pc & ~0xfffull) != (pc_ & ~0xfffull)) {  // another page
      e_.MovImm(kA, next_pc);
      e_.Store(Width::k64, kPc, kA);
      IndirectExit(retired);
      return;
    }
    e_.Lea(kIcount, Mem{kIcount, static_cast<int32_t>(retired)});
    Label site = e_.PatchableJump();
    e_.LeaLabel(kC, site);
    e_.Store(Width::k64, kLinkSite, kC);
    SetPc(next_pc);
    e_.Store(Width::k64, kIcountMem, kIcount);
    e_.MovImm(kA, kExitNext);
    e_.Jmp(epilogue_);
  }
  // An exit to the pc in rax (already in HartState::pc) in another page or
  // known only at run time: the next block from the jump cache, checked
  // against the fetch TLB as the dispatcher checks it (so the current
  // mapping and privilege allow the fetch, and the block was translated
  // from the physical page they map to), entered at its chain entry; on a
  // miss, back to the dispatcher.
  void IndirectExit(uint32_t retired) {
    const Width k64 = Width::k64;
    Label miss = e_.NewLabel();
    e_.Lea(kIcount, Mem{kIcount, static_cast<int32_t>(retired)});
    e_.Mov(k64, kC, kA);  // rdx = the fetch TLB entry
    e_.ShiftImm(Shift::kShr, k64, kC, 12);
    e_.OpImm(Alu::kAnd, Width::k32, kC, HartEngineAccess::kTlbSize - 1);
    e_.ShiftImm(Shift::kShl, k64, kC, 4);
    e_.Load(k64, kD, kFetchTlb);
    e_.Load(k64, kD, Mem{kD, 0});
    e_.Op(Alu::kAdd, k64, kD, kC);
    e_.Mov(k64, kC, kA);
    e_.OpImm(Alu::kAnd, k64, kC, -4096);
    e_.OpMem(Alu::kCmp, k64, kC, Mem{kD, 0});
    e_.Jcc(Cond::kNe, miss);
    e_.Load(k64, kD, Mem{kD, 8});  // rdx = the physical address of pc
    e_.Load(k64, kD, Mem{kD, kPagePa});
    e_.Mov(k64, kC, kA);
    e_.OpImm(Alu::kAnd, Width::k32, kC, 0xfff);
    e_.Op(Alu::kOr, k64, kD, kC);
    e_.Mov(k64, kC, kA);  // rcx = the jump cache entry
    e_.ShiftImm(Shift::kShr, k64, kC, 1);
    e_.OpImm(Alu::kAnd, Width::k32, kC, kJumpCacheSize - 1);
    e_.ShiftImm(Shift::kShl, k64, kC, 6);
    e_.OpMem(Alu::kAdd, k64, kC, kJumpCache);
    e_.OpMem(Alu::kCmp, k64, kA, Mem{kC, static_cast<int32_t>(offsetof(JumpCacheEntry, va))});
    e_.Jcc(Cond::kNe, miss);
    e_.OpMem(Alu::kCmp, k64, kD, Mem{kC, static_cast<int32_t>(offsetof(JumpCacheEntry, pa))});
    e_.Jcc(Cond::kNe, miss);
    e_.Load(k64, kC, Mem{kC, static_cast<int32_t>(offsetof(JumpCacheEntry, chain))});
    e_.JmpReg(kC);
    e_.Bind(miss);
    e_.Store(k64, kIcountMem, kIcount);
    e_.MovImm(kA, kExitNext);
    e_.Jmp(epilogue_);
  }

  void ExitKeepPc(uint32_t retired, BlockExit how) {
    SetIcount(retired);
    e_.MovImm(kA, how);
    e_.Jmp(epilogue_);
  }
  void LoadX(Width w, Reg dst, unsigned r) { e_.Load(w, dst, X(r)); }
  void StoreX(unsigned r, Reg src) { e_.Store(Width::k64, X(r), src); }

  void Memory(const DecodedInsn& d, const MemInfo& m, uint32_t index, uint64_t pc);
  void SetLoaded(const DecodedInsn& d, const MemInfo& m);
  // An FP helper; when it declines (an illegal instruction), the
  // interpreter runs the instruction out of line and raises the exception.
  void FpCall(const DecodedInsn& d, FpHelper fn, uint32_t index, uint64_t pc) {
    Slow s{e_.NewLabel(), e_.NewLabel(), d, MemInfo{}, index, pc, /*interpret=*/true};
    e_.MovImm(Reg::kRsi, PackFpOperands(d));
    e_.Mov(Width::k64, Reg::kRdi, kCtx);
    e_.CallAbs(reinterpret_cast<const void*>(fn));
    e_.Test(Width::k32, kA, kA);
    e_.Jcc(Cond::kNe, s.entry);
    e_.Bind(s.resume);
    slow_.push_back(s);
  }
  void Interpret(uint32_t index, uint64_t pc) {
    SetPc(pc);
    SetIcount(index);
    e_.Mov(Width::k64, Reg::kRdi, kCtx);
    e_.CallAbs(reinterpret_cast<const void*>(&InterpretHelper));
    e_.OpImm(Alu::kCmp, Width::k32, kA, kExitTrap);
    e_.Jcc(Cond::kEq, trap_exit_);
    e_.OpImm(Alu::kCmp, Width::k32, kA, kExitEvent);
    e_.Jcc(Cond::kEq, epilogue_);  // a device access: pc and icount are the interpreter's
  }
  void EmitSlow(const Slow& s);
  void Divide(const DecodedInsn& d, Width w, bool sign, bool rem);

  Emitter& e_;
  uint64_t pc_;
  uint32_t ninsns_;
  Label epilogue_{}, trap_exit_{}, bail_{}, chain_entry_{};
  std::vector<Slow> slow_;
};

void BlockWriter::Memory(const DecodedInsn& d, const MemInfo& m, uint32_t index, uint64_t pc) {
  Slow s{e_.NewLabel(), e_.NewLabel(), d, m, index, pc};
  if (m.fp) {  // FS off: the interpreter raises the illegal instruction
    s.fs_off = e_.NewLabel();
    e_.Load(Width::k64, kC, kMstatus);
    e_.OpImm(Alu::kAnd, Width::k32, kC, static_cast<int32_t>(mstatus::kFS));
    e_.Jcc(Cond::kEq, s.fs_off);
  }
  // rax = va; rdx = the TLB entry; rcx = va's tag for this access size.
  LoadX(Width::k64, kA, d.rs1);
  if (d.imm != 0) e_.OpImm(Alu::kAdd, Width::k64, kA, d.imm);
  e_.Mov(Width::k64, kC, kA);
  e_.ShiftImm(Shift::kShr, Width::k64, kC, 8);
  e_.OpImm(Alu::kAnd, Width::k32, kC, 0x3ff0);
  e_.Load(Width::k64, kD, m.store ? kWriteTlb : kReadTlb);
  e_.Load(Width::k64, kD, Mem{kD, 0});
  e_.Op(Alu::kAdd, Width::k64, kD, kC);
  e_.Mov(Width::k64, kC, kA);
  e_.OpImm(Alu::kAnd, Width::k64, kC, static_cast<int32_t>(~0xfffull | (m.size - 1)));
  e_.OpMem(Alu::kCmp, Width::k64, kC, Mem{kD, 0});
  e_.Jcc(Cond::kNe, s.entry);
  e_.OpMem(Alu::kAdd, Width::k64, kA, Mem{kD, 8});  // host address
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
  if (RunsInBlock(d.op)) return Interpret(index, pc);
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

}  // namespace

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

bool RunsInBlock(Op op) {
  return (op >= Op::LR_W && op <= Op::AMOMAXU_D) || (op >= Op::FLW && op <= Op::FMV_D_X);
}

bool EndsBlock(Op op) {
  switch (op) {
    case Op::JAL: case Op::JALR: case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU:
    case Op::BGEU:
      return true;
    default: return false;
  }
}

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
