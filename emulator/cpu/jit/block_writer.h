// BlockWriter: emits one translated block (translator.h has the contract):
// the frame, the exits (plain, chained, through the jump cache), memory
// accesses with their inline TLB lookup and out-of-line slow paths, and
// calls out to helpers. Internal to cpu/jit: translator.cc emits the
// instructions' own work through it (BlockWriter::Insn), block_writer.cc
// the rest.
//
// Host registers: rbx = HartState*, r12 = JitContext*, r13 = icount at block
// entry, r14 = the budget left at block entry (all callee-saved, so they
// survive slow path calls); rax, rcx, rdx, rsi, rdi are scratch. Every block
// has the same frame, so a chained block returns through its own epilogue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emulator/cpu/decode.h"
#include "emulator/cpu/jit/emitter.h"
#include "emulator/cpu/jit/fp_helpers.h"
#include "emulator/cpu/jit/translator.h"

namespace tapvm::jit::codegen {

inline constexpr Reg kState = Reg::kRbx, kCtx = Reg::kR12, kIcount = Reg::kR13, kBudget = Reg::kR14;
// The current data-TLB tables (what JitContext::read_tlb / write_tlb point
// at), loaded on entry and after every call that could switch them: a
// memory access then starts from a register, not from two dependent loads.
// Chained blocks inherit them; nothing in translated code switches tables
// (that takes a CSR write, xRET or a trap, which leave the block).
inline constexpr Reg kReadTlbBase = Reg::kR15, kWriteTlbBase = Reg::kRbp;
inline constexpr Reg kA = Reg::kRax, kC = Reg::kRcx, kD = Reg::kRdx;

inline Mem X(unsigned r) { return Mem{kState, static_cast<int32_t>(offsetof(HartState, x) + 8 * r)}; }
inline Mem F(unsigned r) { return Mem{kState, static_cast<int32_t>(offsetof(HartState, f) + 8 * r)}; }
inline constexpr Mem kMstatus{kState, static_cast<int32_t>(offsetof(HartState, mstatus))};
inline constexpr Mem kFflags{kState, static_cast<int32_t>(offsetof(HartState, fflags))};
inline constexpr Mem kFrm{kState, static_cast<int32_t>(offsetof(HartState, frm))};
inline constexpr Mem kPc{kState, static_cast<int32_t>(offsetof(HartState, pc))};
inline constexpr Mem kIcountMem{kState, static_cast<int32_t>(offsetof(HartState, icount))};
inline constexpr Mem kSlowValue{kCtx, static_cast<int32_t>(offsetof(JitContext, slow_value))};
inline constexpr Mem kLinkSite{kCtx, static_cast<int32_t>(offsetof(JitContext, link_site))};
inline constexpr Mem kFetchTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, fetch_tlb))};
inline constexpr Mem kJumpCache{kCtx, static_cast<int32_t>(offsetof(JitContext, jump_cache))};
inline constexpr int32_t kPagePa = static_cast<int32_t>(offsetof(HartEngineAccess::DecodedPage, pa));
inline constexpr Mem kReadTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, read_tlb))};
inline constexpr Mem kWriteTlb{kCtx, static_cast<int32_t>(offsetof(JitContext, write_tlb))};

static_assert(sizeof(HartEngineAccess::TlbEntry) == 16 && HartEngineAccess::kTlbSize == 1024,
              "the inline TLB lookup below indexes 16-byte entries with (va >> 8) & 0x3ff0");
static_assert(sizeof(HartEngineAccess::FetchEntry) == 16 && sizeof(JumpCacheEntry) == 64,
              "IndirectExit indexes the fetch TLB and the jump cache by shifts");

// Out-of-line work translated code calls (block_writer.cc).
uint64_t LoadSlowHelper(JitContext* c, uint64_t va, uint64_t size);
uint64_t StoreSlowHelper(JitContext* c, uint64_t va, uint64_t value, uint64_t size);
uint64_t InterpretHelper(JitContext* c);

struct MemInfo {
  unsigned size;
  bool sign;
  bool store;
  bool fp = false;  // an FP register's load or store: FS must be on
};

// The access `op` makes, if it is a load or store the writer inlines.
bool MemAccess(Op op, MemInfo* m);

// Emission of one block.
class BlockWriter {
 public:
  BlockWriter(Emitter& e, uint64_t pc, uint32_t ninsns) : e_(e), pc_(pc), ninsns_(ninsns) {}

  void Prologue() {
    e_.Push(Reg::kRbx);
    e_.Push(Reg::kR12);
    e_.Push(Reg::kR13);
    e_.Push(Reg::kR14);
    e_.Push(kReadTlbBase);
    e_.Push(kWriteTlbBase);
    e_.OpImm(Alu::kSub, Width::k64, Reg::kRsp, 8);  // 16-byte aligned for calls
    e_.Mov(Width::k64, kState, Reg::kRdi);
    e_.Mov(Width::k64, kCtx, Reg::kRsi);
    e_.Mov(Width::k64, kBudget, Reg::kRdx);
    e_.Load(Width::k64, kIcount, kIcountMem);
    ReloadTlbBases();
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
    e_.Pop(kWriteTlbBase);
    e_.Pop(kReadTlbBase);
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

  // To `target` when mstatus.FS is off (rcx is clobbered).
  void JumpIfFsOff(Label target) {
    e_.Load(Width::k64, kC, kMstatus);
    e_.OpImm(Alu::kAnd, Width::k32, kC, static_cast<int32_t>(mstatus::kFS));
    e_.Jcc(Cond::kEq, target);
  }
  void ReloadTlbBases() {
    e_.Load(Width::k64, kReadTlbBase, kReadTlb);
    e_.Load(Width::k64, kReadTlbBase, Mem{kReadTlbBase, 0});
    e_.Load(Width::k64, kWriteTlbBase, kWriteTlb);
    e_.Load(Width::k64, kWriteTlbBase, Mem{kWriteTlbBase, 0});
  }
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
  // A pure read of fflags, frm or fcsr (`csr`), translated: libm asks for
  // the rounding mode all the time. With FS off the interpreter runs it
  // out of line and raises the illegal instruction.
  void FpCsrRead(const DecodedInsn& d, unsigned csr, uint32_t index, uint64_t pc);
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
    ReloadTlbBases();
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

}  // namespace tapvm::jit::codegen
