// The JIT against its oracle, the interpreter: random RV64IM programs (every
// instruction the JIT translates, with edge-case operands, misaligned and
// device accesses, traps in the middle of a block) run on both engines must
// leave the same machine, whatever the slice budgets. Plus the JIT's own
// machinery: code cache flushes, fence.i, and an instruction it does not
// translate.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "emulator/cpu/engine.h"
#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using namespace tapvm::test;

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kData = kRam + 0x40000;     // loads and stores go around here (x5)
constexpr uint64_t kHandler = kRam + 0x30000;  // skips the faulting instruction
// Reserved registers the random instructions never write: the data base,
// the CLINT bases (msip, mtime) and the handler's scratch.
constexpr uint32_t kDataReg = 5, kMsipReg = 6, kJumpReg = 7, kMtimeReg = 28, kTrapReg = 29;

uint32_t Sw(uint32_t rs2, uint32_t rs1, int32_t imm) { return SType(imm, rs2, rs1, 2, 0x23); }

bool Reserved(uint32_t r) {
  return r == kDataReg || r == kMsipReg || r == kJumpReg || r == kMtimeReg || r == kTrapReg;
}

class ProgramGen {
 public:
  explicit ProgramGen(uint64_t seed) : rng_(seed) {}

  std::vector<uint32_t> Make(size_t n) {
    std::vector<uint32_t> p;
    while (p.size() < n) Emit(&p);
    p.push_back(Jal(0, -4 * static_cast<int32_t>(p.size())));  // round again, with new values
    return p;
  }

 private:
  uint32_t Rd() {
    uint32_t r;
    do r = rng_() % 32; while (Reserved(r));
    return r;
  }
  uint32_t Rs() { return rng_() % 32; }
  int32_t Imm12() { return static_cast<int32_t>(rng_() % 4096) - 2048; }

  void Emit(std::vector<uint32_t>* p) {
    static constexpr uint32_t kOpF[][2] = {{0, 0}, {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0x20, 5},
                                           {0, 6}, {0, 7}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5},
                                           {1, 6}, {1, 7}};
    static constexpr uint32_t kOp32F[][2] = {{0, 0}, {0x20, 0}, {0, 1}, {0, 5}, {0x20, 5},
                                             {1, 0}, {1, 4}, {1, 5}, {1, 6}, {1, 7}};
    static constexpr uint32_t kImmF3[] = {0, 2, 3, 4, 6, 7};
    static constexpr uint32_t kBranchF3[] = {0, 1, 4, 5, 6, 7};
    switch (rng_() % 16) {
      case 0: case 1: case 2: {
        const auto& f = kOpF[rng_() % std::size(kOpF)];
        p->push_back(RType(f[0], Rs(), Rs(), f[1], Rd(), 0x33));
        break;
      }
      case 3: {
        const auto& f = kOp32F[rng_() % std::size(kOp32F)];
        p->push_back(RType(f[0], Rs(), Rs(), f[1], Rd(), 0x3b));
        break;
      }
      case 4: case 5:
        p->push_back(IType(Imm12(), Rs(), kImmF3[rng_() % std::size(kImmF3)], Rd(), 0x13));
        break;
      case 6: {  // shifts by an immediate, 64 and 32 bits
        bool w = rng_() % 2;
        uint32_t f3 = rng_() % 2 ? 1 : 5;
        int32_t sh = static_cast<int32_t>(rng_() % (w ? 32 : 64)) | (f3 == 5 && rng_() % 2 ? 0x400 : 0);
        p->push_back(IType(sh, Rs(), f3, Rd(), w ? 0x1b : 0x13));
        if (!w) break;
        p->push_back(IType(Imm12(), Rs(), 0, Rd(), 0x1b));  // addiw
        break;
      }
      case 7:
        p->push_back(rng_() % 2 ? Lui(Rd(), rng_() & 0xfffff) : Auipc(Rd(), rng_() & 0xfffff));
        break;
      case 8: case 9: {  // RAM, often misaligned
        int32_t off = static_cast<int32_t>(rng_() % 512) - 256;
        if (rng_() % 2) {
          p->push_back(IType(off, kDataReg, rng_() % 7, Rd(), 0x03));
        } else {
          p->push_back(SType(off, Rs(), kDataReg, rng_() % 4, 0x23));
        }
        break;
      }
      case 10:  // devices: msip (store), mtime (load, reads the icount)
        if (rng_() % 2) p->push_back(SType(0, Rs(), kMsipReg, 2, 0x23));
        else p->push_back(IType(-8, kMtimeReg, 3, Rd(), 0x03));
        break;
      case 11:  // a load fault (nothing at low addresses): trap, skipped by the handler
        if (rng_() % 8 == 0) p->push_back(IType(static_cast<int32_t>(rng_() % 2048), 0, rng_() % 7, Rd(), 0x03));
        break;
      case 12: {  // a forward branch over 1 to 3 instructions, or jal
        int32_t skip = 4 * static_cast<int32_t>(2 + rng_() % 3);
        if (rng_() % 4 == 0) p->push_back(Jal(Rd(), skip));
        else p->push_back(Branch(kBranchF3[rng_() % std::size(kBranchF3)], Rs(), Rs(), skip));
        for (int i = 0; i < skip / 4 - 1; ++i) p->push_back(Addi(Rd(), Rs(), Imm12()));
        break;
      }
      case 14: {  // run by the interpreter inside a block: AMOs, FP (FS is off for odd seeds: traps)
        static constexpr uint32_t kAmoF5[] = {0x00, 0x01, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c};
        int32_t off = 8 * static_cast<int32_t>(rng_() % 16);
        switch (rng_() % 4) {
          case 0: p->push_back(RType(kAmoF5[rng_() % std::size(kAmoF5)] << 2, Rs(), kDataReg, 2 + rng_() % 2, Rd(), 0x2f)); break;
          case 1: p->push_back(IType(off, kDataReg, 3, rng_() % 32, 0x07)); break;          // fld
          case 2: p->push_back(SType(off, rng_() % 32, kDataReg, 3, 0x27)); break;          // fsd
          case 3: p->push_back(RType(0x01, rng_() % 32, rng_() % 32, 0, rng_() % 32, 0x53)); break;  // fadd.d rne
        }
        break;
      }
      case 15: {  // CSR reads (no slice end), plain writes (none either), and a mie write (one)
        static constexpr uint32_t kRead[] = {0x300, 0x304, 0x344, 0x340, 0x341, 0x342, 0x343,
                                             0xb00, 0xb02, 0xc01, 0x001, 0x002, 0x003};
        static constexpr uint32_t kPlain[] = {0x340, 0x341, 0x342, 0x343, 0x001, 0x002, 0x003};
        switch (rng_() % 4) {
          case 0: p->push_back(IType(static_cast<int32_t>(kRead[rng_() % std::size(kRead)]), 0, 2 + rng_() % 2, Rd(), 0x73)); break;
          case 1: p->push_back(IType(static_cast<int32_t>(kRead[rng_() % std::size(kRead)]), 0, 6 + rng_() % 2, Rd(), 0x73)); break;
          case 2: p->push_back(IType(static_cast<int32_t>(kPlain[rng_() % std::size(kPlain)]), Rs(), 1 + rng_() % 3, Rd(), 0x73)); break;
          case 3: p->push_back(IType(0x304, 0, 5, Rd(), 0x73)); break;  // csrrwi rd, mie, 0
        }
        break;
      }
      case 13:  // jalr over one instruction
        p->push_back(Auipc(kJumpReg, 0));
        p->push_back(IType(12, kJumpReg, 0, Rd(), 0x67));
        p->push_back(Addi(Rd(), Rs(), Imm12()));
        break;
    }
  }

  std::mt19937_64 rng_;
};

std::unique_ptr<Board> MakeBoard(MinimalTap* tap, EngineKind engine, const std::vector<uint32_t>& program,
                                 uint64_t seed, unsigned cache_mb = 64) {
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  cfg.hart.engine = engine;
  cfg.hart.jit_cache_mb = cache_mb;
  cfg.hart.jit_hot_after = seed % 3 == 0 ? 8 : 1;  // mostly: translate at once
  std::unique_ptr<Board> b;
  EXPECT_TRUE(Board::Create(cfg, tap, &b).ok());
  std::memcpy(b->bus().HostPtrForWrite(kRam, program.size() * 4), program.data(), program.size() * 4);
  const uint32_t handler[] = {Csrrs(kTrapReg, 0x341, 0), Addi(kTrapReg, kTrapReg, 4), Csrrw(0, 0x341, kTrapReg),
                              kMret};
  std::memcpy(b->bus().HostPtrForWrite(kHandler, sizeof handler), handler, sizeof handler);
  b->hart().FlushCaches();
  HartState& s = b->hart().state();
  std::mt19937_64 rng(seed);
  static constexpr uint64_t kEdges[] = {0, 1, ~0ull, 1ull << 63, 0xffffffff80000000ull, 0x7fffffff, 0x80000000,
                                        0x7fffffffffffffffull, 2, 0xffffffffull};
  for (int r = 1; r < 32; ++r) s.x[r] = rng() % 3 ? kEdges[rng() % std::size(kEdges)] : rng();
  s.x[kDataReg] = kData;
  s.x[kMsipReg] = 0x2000000;
  s.x[kMtimeReg] = 0x200c000;
  s.mtvec = kHandler;
  if (seed % 2 == 0) s.mstatus |= mstatus::kFS;
  return b;
}

void ExpectSameMachine(Board& want, Board& got, const std::string& where) {
  const HartState &w = want.hart().state(), &g = got.hart().state();
  for (int r = 0; r < 32; ++r) ASSERT_EQ(g.x[r], w.x[r]) << "x" << r << " " << where;
  ASSERT_EQ(g.pc, w.pc) << where;
  ASSERT_EQ(g.icount, w.icount) << where;
  ASSERT_EQ(got.hart().StateDigest(), want.hart().StateDigest()) << where;
  ASSERT_EQ(got.ComputeDigest().value, want.ComputeDigest().value) << where;
}

TEST(JitTest, RandomProgramsMatchTheInterpreter) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    std::vector<uint32_t> program = ProgramGen(seed).Make(600);
    MinimalTap want_tap, got_tap;
    auto want = MakeBoard(&want_tap, EngineKind::kInterpreter, program, seed);
    auto got = MakeBoard(&got_tap, EngineKind::kJit, program, seed);
    ASSERT_EQ(got->hart().engine().name(), "jit");
    want->hart().Run(1'000'000);
    got->hart().Run(1'000'000);
    ExpectSameMachine(*want, *got, "seed " + std::to_string(seed));
    EXPECT_GT(want->hart().state().traps, 0u) << "seed " << seed;
    const EngineStats st = got->hart().engine().stats();
    EXPECT_GT(st.blocks_translated, 50u);
    EXPECT_GT(st.links, 20u) << "blocks chained";
    // The CSR and A instructions (and trap handlers, two CSR accesses in
    // four instructions) are run by the interpreter, from inside their
    // block, and count as interpreted.
    EXPECT_LT(st.insns_interpreted, 1'000'000u / 3) << "most instructions run translated";
  }
}

// Short, random run limits: budget tails in the interpreter, blocks cut by
// the limit; every stop must land on the same instruction.
TEST(JitTest, RandomBudgetsStopWhereTheInterpreterDoes) {
  for (uint64_t seed = 21; seed <= 24; ++seed) {
    std::vector<uint32_t> program = ProgramGen(seed).Make(300);
    MinimalTap want_tap, got_tap;
    auto want = MakeBoard(&want_tap, EngineKind::kInterpreter, program, seed);
    auto got = MakeBoard(&got_tap, EngineKind::kJit, program, seed);
    std::mt19937_64 rng(seed);
    uint64_t limit = 0;
    for (int i = 0; i < 2000; ++i) {
      limit += 1 + rng() % (i % 2 ? 5 : 200);
      want->hart().Run(limit);
      got->hart().Run(limit);
      ExpectSameMachine(*want, *got, "seed " + std::to_string(seed) + " limit " + std::to_string(limit));
    }
  }
}

// A code cache far too small for the program: flushed whole, again and
// again, between blocks, with the same results.
TEST(JitTest, FullCodeCacheIsFlushed) {
  std::vector<uint32_t> program = ProgramGen(99).Make(12000);
  MinimalTap want_tap, got_tap;
  auto want = MakeBoard(&want_tap, EngineKind::kInterpreter, program, 99);
  auto got = MakeBoard(&got_tap, EngineKind::kJit, program, 99, /*cache_mb=*/1);
  want->hart().Run(1'000'000);
  got->hart().Run(1'000'000);
  ExpectSameMachine(*want, *got, "small cache");
  EXPECT_GT(got->hart().engine().stats().cache_flushes, 0u);
}

// Code rewritten by a store becomes visible after fence.i, as in the
// interpreter: the translation of the old code is dropped.
TEST(JitTest, FenceIDropsTranslations) {
  const uint32_t new_insn = Addi(10, 10, 100);
  std::vector<uint32_t> program = {
      Auipc(11, 0),           // a1 = the program's start
      Lui(12, ((new_insn + 0x800) >> 12) & 0xfffff),
      Addi(12, 12, static_cast<int32_t>(new_insn & 0xfff) - ((new_insn & 0x800) ? 0x1000 : 0)),
      Jal(0, 12),             // to `patched` via the call below
      0, 0,
      Addi(10, 10, 1),        // patched: 6*4 = 24; a0 += 1, later a0 += 100
      Addi(13, 13, 1),
      Addi(14, 0, 2),
      Bge(13, 14, 8),         // twice round, then patch
      Jal(0, -16),
      Sw(12, 11, 24),         // the store that rewrites `patched`
      kFenceI,
      Addi(13, 0, -100),      // go round many more times
      Jal(0, -32),
  };
  // Jal(0, 12) at index 3 lands at index 6.
  MinimalTap want_tap, got_tap;
  auto want = MakeBoard(&want_tap, EngineKind::kInterpreter, program, 5);
  auto got = MakeBoard(&got_tap, EngineKind::kJit, program, 5);
  want->hart().state().x[10] = got->hart().state().x[10] = 0;
  want->hart().state().x[13] = got->hart().state().x[13] = 0;
  want->hart().Run(2000);
  got->hart().Run(2000);
  ExpectSameMachine(*want, *got, "after fence.i");
  EXPECT_GT(got->hart().state().x[10], 1000u) << "the new instruction ran";
}

// Code that rewrites the instruction ahead of it without fence.i (the ISA
// leaves the effect open) must still run as in the interpreter, which
// decodes an instruction when it first runs it: here it sees the new one.
TEST(JitTest, StoreIntoCodeAheadWithoutFenceIMatchesTheInterpreter) {
  const uint32_t new_insn = Addi(10, 10, 100);
  std::vector<uint32_t> program = {
      Auipc(11, 0),  // a1 = the program's start
      Lui(12, ((new_insn + 0x800) >> 12) & 0xfffff),
      Addi(12, 12, static_cast<int32_t>(new_insn & 0xfff) - ((new_insn & 0x800) ? 0x1000 : 0)),
      Sw(12, 11, 20),  // rewrites the instruction at 20, not run (so not decoded) yet
      Addi(13, 13, 1),
      Addi(10, 10, 1),  // at 20: becomes a0 += 100
      Jal(0, -24),
  };
  for (uint64_t seed : {1, 3}) {  // translated at once; after 8 visits
    MinimalTap want_tap, got_tap;
    auto want = MakeBoard(&want_tap, EngineKind::kInterpreter, program, seed);
    auto got = MakeBoard(&got_tap, EngineKind::kJit, program, seed);
    for (Board* b : {want.get(), got.get()}) b->hart().state().x[10] = b->hart().state().x[13] = 0;
    want->hart().Run(700);
    got->hart().Run(700);
    ExpectSameMachine(*want, *got, "seed " + std::to_string(seed));
    EXPECT_EQ(want->hart().state().x[10], 100 * want->hart().state().x[13]) << "the interpreter ran the new code";
  }
}

}  // namespace
}  // namespace tapvm
