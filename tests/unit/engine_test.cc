// The execution-engine seam: one contract suite (engine.h) run against every
// engine, each compared with the default interpreter on the same program.
//
// Besides the interpreter itself the suite runs two engines built here from
// the outside, as a JIT will be: a counting decorator around the interpreter,
// and a "mini" engine that executes loads, stores, AMOs, LR/SC, CSR
// instructions, ecall and mret itself through HartEngineAccess and hands
// every other instruction to the interpreter one at a time (as a JIT hands
// it what it does not translate). If the engine API lacked anything those
// need, or the hart kept anything about a slice outside the seam, their
// machines would drift from the interpreter's.
#include "emulator/cpu/engine.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "emulator/cpu/hart_engine_access.h"
#include "emulator/cpu/interpreter.h"
#include "emulator/cpu/jit/jit_engine.h"
#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/unit/program_board.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using namespace tapvm::test;

constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7, kS0 = 8, kS1 = 9, kS2 = 18, kS3 = 19, kS4 = 20, kS5 = 21;
constexpr uint32_t kS6 = 22, kS7 = 23;
constexpr uint32_t kT3 = 28, kT4 = 29, kT5 = 30, kT6 = 31;
constexpr uint32_t kMtvec = 0x305, kMie = 0x304, kMstatus = 0x300, kMepc = 0x341, kMcause = 0x342;
constexpr uint32_t kInstret = 0xc02;
constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kHandler = 0x100;  // offset of the trap handler in the program

// Every kind of instruction the contract names: RAM loads and stores, an
// AMO, LR/SC, CSR reads and writes (instret shows that icount is synced),
// device accesses (CLINT), exceptions (a load access fault, ecall), timer
// interrupts, mret, fence.i and sfence.vma.
std::vector<uint32_t> SeamProgram() {
  std::vector<uint32_t> p = {
      Lui(kT2, 0x2004),          // t2 = CLINT mtimecmp (0 at reset)
      Addi(kT3, 0, 50),
      Sd(kT3, kT2, 0),           // a device store
      Auipc(kT0, 0),             // at 0x0c
      Addi(kT0, kT0, kHandler - 0x0c),
      Csrrw(0, kMtvec, kT0),
      Addi(kT1, 0, 0x80),        // MTIE
      Csrrs(0, kMie, kT1),
      Addi(kT1, 0, 8),           // MIE
      Csrrs(0, kMstatus, kT1),
      Auipc(kS2, 1),             // s2 = data, a page above
      Addi(kS3, kS2, 8),
      Addi(kS5, kS2, 16),
      Ld(kT4, 0, 0),             // nothing at address 0: load access fault
      Sd(0, kT0, -8),            // a store into this code page (the padding before the handler)
      kFenceI,
      SfenceVma(0, 0),
      SfenceVma(kS2, 0),
  };
  const size_t loop = p.size();
  p.insert(p.end(), {
      Addi(kS0, kS0, 1),         // loop:
      Ld(kT4, kS2, 0),
      Add(kT4, kT4, kS0),
      Sd(kT4, kS2, 0),
      AmoaddD(kT5, kS0, kS3),
      LrD(kT4, kS5),
      Addi(kT4, kT4, 3),
      ScD(kT5, kT4, kS5),
      Andi(kT6, kS0, 7),
      Bne(kT6, 0, 8),            // every 8th time round:
      kEcall,
  });
  p.push_back(Jal(0, -4 * static_cast<int32_t>(p.size() - loop)));
  p.resize(kHandler / 4, 0);
  p.insert(p.end(), {
      Csrrs(kT6, kMcause, 0),    // handler:
      Bge(kT6, 0, 24),           // an exception?
      Addi(kS1, kS1, 1),         // timer: count, mtimecmp += 50
      Ld(kT3, kT2, 0),           // a device load
      Addi(kT3, kT3, 50),
      Sd(kT3, kT2, 0),
      kMret,
      Addi(kS4, kS4, 1),         // exception: count, sum instret, skip the instruction
      Csrrs(kS6, kInstret, 0),
      Add(kS7, kS7, kS6),
      Csrrs(kT6, kMepc, 0),
      Addi(kT6, kT6, 4),
      Csrrw(0, kMepc, kT6),
      kMret,
  });
  return p;
}

// A decorator: runs the interpreter and counts what reaches the engine.
class CountingEngine final : public ExecutionEngine {
 public:
  explicit CountingEngine(HartEngineAccess hart) : inner_(hart) {}
  std::string_view name() const override { return "counting"; }
  SliceEnd RunSlice(uint64_t budget) override {
    ++slices;
    return inner_.RunSlice(budget);
  }
  void OnCodeInvalidated() override { ++code_invalidations; }
  void OnCodePagesDropped(std::span<const uint64_t> pa_pages) override {
    dropped_code_pages.insert(dropped_code_pages.end(), pa_pages.begin(), pa_pages.end());
  }
  void OnTranslationFlushed(uint64_t va_page) override { flushed_pages.push_back(va_page); }

  uint64_t slices = 0, code_invalidations = 0;
  std::vector<uint64_t> flushed_pages;
  std::vector<uint64_t> dropped_code_pages;

 private:
  Interpreter inner_;
};

// Executes some instructions itself through the engine API and hands the
// rest to the interpreter one at a time; keeps pc and icount in the
// HartState after every instruction, so they are synced at every slow path.
class MiniEngine final : public ExecutionEngine {
 public:
  explicit MiniEngine(HartEngineAccess hart) : hart_(hart), inner_(hart) {}
  std::string_view name() const override { return "mini"; }

  SliceEnd RunSlice(uint64_t budget) override {
    HartState& s = hart_.state();
    for (uint64_t n = 0; n < budget; ++n) {
      hart_.DecodeCrossPage(s.pc);
      const DecodedInsn d = hart_.cross_page()[0];
      if (d.op == Op::PAGE_END) {  // fetch fault
        hart_.TakePendingException();
        return SliceEnd::kTrap;
      }
      Step step = Execute(d);
      if (step == Step::kNotMine) {
        ++delegated;
        SliceEnd end = inner_.RunSlice(1);
        if (end != SliceEnd::kBudget) return end;
        continue;
      }
      ++executed;
      if (step == Step::kTrap) return SliceEnd::kTrap;
      if (step == Step::kEvent) return SliceEnd::kEvent;
    }
    return SliceEnd::kBudget;
  }

  uint64_t executed = 0, delegated = 0;

 private:
  enum class Step { kNext, kEvent, kTrap, kNotMine };

  Step Retire(const DecodedInsn& d, bool ends_slice) {
    HartState& s = hart_.state();
    s.pc += d.len;
    ++s.icount;
    return ends_slice ? Step::kEvent : Step::kNext;
  }
  Step Trap() {
    hart_.TakePendingException();
    return Step::kTrap;
  }
  Step Illegal(const DecodedInsn& d) {
    hart_.RaiseException(Exc::kIllegal, d.raw);
    return Step::kTrap;
  }

  Step Execute(const DecodedInsn& d) {
    HartState& s = hart_.state();
    uint64_t* x = s.x;
    switch (d.op) {
      case Op::ADDI: x[d.rd] = x[d.rs1] + static_cast<int64_t>(d.imm); return Retire(d, false);
      case Op::ADD: x[d.rd] = x[d.rs1] + x[d.rs2]; return Retire(d, false);
      case Op::LD: {
        uint64_t v;
        int r = hart_.Load<uint64_t>(x[d.rs1] + static_cast<int64_t>(d.imm), &v);
        if (r == 0) return Trap();
        x[d.rd] = v;
        return Retire(d, r == 2);
      }
      case Op::SD: {
        int r = hart_.Store<uint64_t>(x[d.rs1] + static_cast<int64_t>(d.imm), x[d.rs2]);
        if (r == 0) return Trap();
        return Retire(d, r == 2);
      }
      case Op::AMOADD_D: {
        uint8_t* p = hart_.AmoPtr(x[d.rs1], 8, false);
        if (!p) return Trap();
        uint64_t old, sum;
        std::memcpy(&old, p, 8);
        sum = old + x[d.rs2];
        std::memcpy(p, &sum, 8);
        x[d.rd] = old;
        return Retire(d, false);
      }
      case Op::LR_D: {
        uint64_t pa, v;
        uint8_t* p = hart_.AmoPtr(x[d.rs1], 8, true, &pa);
        if (!p) return Trap();
        std::memcpy(&v, p, 8);
        s.reservation_pa = pa;
        s.reservation_valid = 1;
        x[d.rd] = v;
        return Retire(d, false);
      }
      case Op::SC_D: {
        uint64_t pa;
        uint8_t* p = hart_.AmoPtr(x[d.rs1], 8, false, &pa);
        if (!p) return Trap();
        bool ok = s.reservation_valid && s.reservation_pa == pa;
        if (ok) std::memcpy(p, &x[d.rs2], 8);
        s.reservation_valid = 0;
        s.reservation_pa = 0;
        x[d.rd] = ok ? 0 : 1;
        return Retire(d, false);
      }
      case Op::CSRRW:
      case Op::CSRRS: {
        unsigned csr = static_cast<unsigned>(d.imm);
        bool rw = d.op == Op::CSRRW;
        uint64_t src = x[d.rs1], read = 0;
        if ((!rw || d.rd != 32) && !hart_.CsrRead(csr, &read)) return Illegal(d);
        uint64_t value = rw ? src : hart_.RmwValue(csr, read) | src;
        if ((rw || d.rs1 != 0) && !hart_.CsrWrite(csr, value)) return Illegal(d);
        x[d.rd] = read;
        return Retire(d, HartEngineAccess::CsrInsnEndsSlice(d));
      }
      case Op::ECALL:
        hart_.RaiseException(static_cast<Exc>(static_cast<uint64_t>(Exc::kEcallU) + static_cast<uint64_t>(s.priv)),
                             0);
        return Step::kTrap;
      case Op::MRET:
        if (s.priv != Priv::kM) return Illegal(d);
        hart_.ExecMret();  // pc = mepc
        ++s.icount;
        return Step::kEvent;
      default: return Step::kNotMine;
    }
  }

  HartEngineAccess hart_;
  Interpreter inner_;
};

struct EngineUnderTest {
  std::string name;
  Hart::EngineFactory make;
};
void PrintTo(const EngineUnderTest& e, std::ostream* os) { *os << e.name; }

std::unique_ptr<Board> MakeBoard(MinimalTap* tap) {
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  EXPECT_TRUE(Board::Create(cfg, tap, &b).ok());
  std::vector<uint32_t> program = SeamProgram();
  std::memcpy(b->bus().HostPtrForWrite(kRam, program.size() * 4), program.data(), program.size() * 4);
  b->hart().FlushCaches();
  return b;
}

// The same HartState, field by field, then the whole machine's digest.
void ExpectSameMachine(Board& want, Board& got, const std::string& where) {
  std::vector<uint64_t> fields;
  VisitHartState(want.hart().state(), [&](const char*, auto v) { fields.push_back(static_cast<uint64_t>(v)); });
  size_t i = 0;
  VisitHartState(got.hart().state(), [&](const char* name, auto v) {
    EXPECT_EQ(static_cast<uint64_t>(v), fields[i]) << name << " (field " << i << ") " << where;
    ++i;
  });
  EXPECT_EQ(got.hart().StateDigest(), want.hart().StateDigest()) << where;
  EXPECT_EQ(got.ComputeDigest().value, want.ComputeDigest().value) << where;
}

class EngineContractTest : public ::testing::TestWithParam<EngineUnderTest> {
 protected:
  // A board whose hart runs the engine under test; *engine gets it.
  std::unique_ptr<Board> MakeBoardWithEngine(MinimalTap* tap, ExecutionEngine** engine) {
    auto b = MakeBoard(tap);
    b->hart().InstallEngine([&](HartEngineAccess access) {
      auto e = GetParam().make(access);
      *engine = e.get();
      return e;
    });
    return b;
  }
};

// The reference: a board as configured, with the default engine.
TEST(EngineTest, DefaultEngineIsTheInterpreter) {
  MinimalTap tap;
  auto b = MakeBoard(&tap);
  EXPECT_EQ(b->hart().engine().name(), "interpreter");
  EXPECT_EQ(EngineKindName(b->hart().config().engine), "interpreter");
}

TEST_P(EngineContractTest, RunsToTheInterpretersStateAndIcount) {
  constexpr uint64_t kTotal = 300'000;
  MinimalTap want_tap, got_tap;
  auto want = MakeBoard(&want_tap);
  ExecutionEngine* engine = nullptr;
  auto got = MakeBoardWithEngine(&got_tap, &engine);
  EXPECT_TRUE(GetParam().name.starts_with(engine->name())) << engine->name();  // "jit_hot_at_once" is a jit

  want->hart().Run(kTotal);
  got->hart().Run(kTotal);
  const HartState& s = got->hart().state();
  EXPECT_EQ(s.icount, kTotal);
  EXPECT_GT(s.x[kS1], 10u) << "timer interrupts taken";
  EXPECT_GT(s.x[kS4], 10u) << "exceptions taken";
  EXPECT_GT(s.x[kS7], 0u) << "instret read";
  ExpectSameMachine(*want, *got, "after one run");
  if (auto* mini = dynamic_cast<MiniEngine*>(engine)) {
    EXPECT_GT(mini->executed, kTotal / 3) << "the mini engine must run much of the program itself";
    EXPECT_GT(mini->delegated, kTotal / 10);
  }
}

// Stops where asked, and chunking the run changes nothing.
TEST_P(EngineContractTest, StopsExactlyAtEveryLimit) {
  MinimalTap want_tap, got_tap;
  auto want = MakeBoard(&want_tap);
  ExecutionEngine* engine = nullptr;
  auto got = MakeBoardWithEngine(&got_tap, &engine);
  std::mt19937_64 rng(7);
  uint64_t limit = 0;
  for (int i = 0; i < 300; ++i) {
    limit += 1 + rng() % 700;
    want->hart().Run(limit);
    got->hart().Run(limit);
    ASSERT_EQ(got->hart().state().icount, limit);
    ASSERT_EQ(got->hart().StateDigest(), want->hart().StateDigest()) << "at icount " << limit;
  }
  ExpectSameMachine(*want, *got, "after chunked runs");
}

// Slice by slice, called directly: each slice ends at the same instruction,
// the same way, as the interpreter's.
TEST_P(EngineContractTest, EndsEverySliceWhereTheInterpreterDoes) {
  MinimalTap want_tap, got_tap;
  ExecutionEngine *reference = nullptr, *engine = nullptr;
  auto want = MakeBoard(&want_tap);
  want->hart().InstallEngine([&](HartEngineAccess access) {
    auto e = MakeEngine(EngineKind::kInterpreter, access);
    reference = e.get();
    return e;
  });
  auto got = MakeBoardWithEngine(&got_tap, &engine);
  std::mt19937_64 rng(11);
  int events = 0, traps = 0, budgets = 0;
  for (int i = 0; i < 3000; ++i) {
    uint64_t budget = 1 + rng() % 64;
    SliceEnd want_end = reference->RunSlice(budget);
    SliceEnd got_end = engine->RunSlice(budget);
    ASSERT_EQ(got_end, want_end) << "slice " << i;
    ASSERT_EQ(got->hart().state().icount, want->hart().state().icount) << "slice " << i;
    ASSERT_EQ(got->hart().state().pc, want->hart().state().pc) << "slice " << i;
    events += want_end == SliceEnd::kEvent;
    traps += want_end == SliceEnd::kTrap;
    budgets += want_end == SliceEnd::kBudget;
  }
  EXPECT_GT(events, 100);
  EXPECT_GT(traps, 100);
  EXPECT_GT(budgets, 100);
  ExpectSameMachine(*want, *got, "after direct slices");
}

INSTANTIATE_TEST_SUITE_P(
    AllEngines, EngineContractTest,
    ::testing::Values(
        EngineUnderTest{"interpreter", [](HartEngineAccess h) { return MakeEngine(EngineKind::kInterpreter, h); }},
        EngineUnderTest{"jit", [](HartEngineAccess h) { return MakeEngine(EngineKind::kJit, h); }},
        EngineUnderTest{"jit_hot_at_once",
                        [](HartEngineAccess h) { return std::make_unique<jit::JitEngine>(h, 1 << 20, 1); }},
        EngineUnderTest{"counting", [](HartEngineAccess h) { return std::make_unique<CountingEngine>(h); }},
        EngineUnderTest{"mini", [](HartEngineAccess h) { return std::make_unique<MiniEngine>(h); }}),
    [](const ::testing::TestParamInfo<EngineUnderTest>& info) { return info.param.name; });

CountingEngine* InstallCounting(Board& b) {
  CountingEngine* counting = nullptr;
  b.hart().InstallEngine([&](HartEngineAccess access) {
    auto e = std::make_unique<CountingEngine>(access);
    counting = e.get();
    return e;
  });
  return counting;
}

// The hot loop stays inside the engine: a run that nothing interrupts is one
// engine call, not one per instruction.
TEST(EngineTest, OneEngineCallPerSlice) {
  MinimalTap tap;
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  ASSERT_TRUE(Board::Create(cfg, &tap, &b).ok());
  const uint32_t spin[] = {Addi(kS0, kS0, 1), Jal(0, -4)};
  std::memcpy(b->bus().HostPtrForWrite(kRam, sizeof spin), spin, sizeof spin);
  b->hart().FlushCaches();
  CountingEngine* counting = InstallCounting(*b);
  b->hart().Run(100'000);
  EXPECT_EQ(b->hart().state().icount, 100'000u);
  EXPECT_EQ(counting->slices, 1u);
}

// Which CSR instructions end a slice (engine.h): a pure read never does
// (csrrs/csrrc with x0, csrrsi/csrrci with 0), nor a write of a plain
// register (mscratch, mepc, mcause, fflags...); a write of one the machine
// or the translation depends on (mie, mstatus, satp...) does, even when
// the value written changes nothing. Both engines, run one slice at a time.
TEST(EngineTest, OnlyCsrWritesThatMatterEndTheSlice) {
  constexpr uint32_t kMscratch = 0x340, kFcsr = 0x003, kSatp = 0x180, kMip = 0x344;
  const uint32_t program[] = {
      Csrrs(kS0, kMstatus, 0),    // 0: reads
      Csrrs(kS1, kInstret, 0),
      IType(kMie, 0, 6, kS2, 0x73),   // csrrsi s2, mie, 0
      IType(kMip, 0, 7, kS3, 0x73),   // csrrci s3, mip, 0
      Csrrw(kS4, kMscratch, kS0),     // 4: plain writes
      Csrrw(0, kMepc, kS1),
      Csrrs(0, kMcause, kS1),
      IType(kFcsr, 3, 5, 0, 0x73),    // csrrwi x0, fcsr, 3 (FS is on)
      Csrrs(0, kMie, 0),              // 8: a read of mie again
      Csrrs(kS5, kMstatus, kS6),      // 9: s6 = 0: sets no bit, still a write of mstatus
      Csrrw(kS7, kSatp, 0),           // 10: satp = bare, as it was
      IType(kMie, 0, 5, 0, 0x73),     // 11: csrrwi x0, mie, 0
      Addi(kS0, kS0, 1),
      Jal(0, 0),
  };
  for (EngineKind kind : {EngineKind::kInterpreter, EngineKind::kJit}) {
    SCOPED_TRACE(EngineKindName(kind));
    MinimalTap tap;
    auto b = MakeProgramBoard(&tap, kind, program);
    ASSERT_NE(b, nullptr);
    HartState& s = b->hart().state();
    s.mstatus |= mstatus::kFS;
    s.x[kS6] = 0;
    ExecutionEngine& engine = b->hart().engine();
    // The reads and plain writes run to the budget; then each write that
    // matters ends its slice right after itself.
    ASSERT_EQ(engine.RunSlice(9), SliceEnd::kBudget);
    EXPECT_EQ(s.icount, 9u);
    EXPECT_EQ(s.mscratch, s.x[kS0]);
    EXPECT_EQ(s.mcause, 1u);  // s1: instret read as 1, one instruction before it
    EXPECT_EQ(s.fflags, 3u);
    for (uint64_t end : {10u, 11u, 12u}) {
      ASSERT_EQ(engine.RunSlice(100), SliceEnd::kEvent) << "after instruction " << end - 1;
      EXPECT_EQ(s.icount, end);
    }
    ASSERT_EQ(engine.RunSlice(50), SliceEnd::kBudget);
    EXPECT_EQ(s.icount, 62u);
  }
}

// fence.i (the one code page written), sfence.vma (all, one page) and
// FlushCaches reach the engine.
TEST(EngineTest, CacheDropsReachTheEngine) {
  MinimalTap tap;
  auto b = MakeBoard(&tap);
  CountingEngine* counting = InstallCounting(*b);
  b->hart().Run(1000);  // into the loop: past fence.i and both sfence.vma
  EXPECT_EQ(counting->code_invalidations, 0u);
  EXPECT_EQ(counting->dropped_code_pages, std::vector<uint64_t>{kRam});
  const uint64_t data_page = (kRam + 10 * 4 + 0x1000) & ~0xfffull;  // auipc s2, 1 at instruction 10
  ASSERT_EQ(counting->flushed_pages.size(), 2u);
  EXPECT_EQ(counting->flushed_pages[0], ExecutionEngine::kAllPages);
  EXPECT_EQ(counting->flushed_pages[1], data_page);

  b->hart().FlushCaches();
  EXPECT_EQ(counting->code_invalidations, 1u);
  ASSERT_EQ(counting->flushed_pages.size(), 3u);
  EXPECT_EQ(counting->flushed_pages[2], ExecutionEngine::kAllPages);
}

}  // namespace
}  // namespace tapvm
