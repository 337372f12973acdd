// The Sdtrig trigger module (emulator/cpu/triggers.h): the WARL rules and
// matching on their own, then what only a C++ test sees of a hart with a
// trigger armed: a breakpoint retires nothing (icount stays), both engines
// and the debugger's stepping loop give the same state, the digest of a
// hart whose triggers are at reset is the one digest version 3 defined, and
// a hart saved before the trigger module loads. The guest's view is
// tests/isa/priv/trig_breakpoint.S.
#include "emulator/cpu/triggers.h"

#include <gtest/gtest.h>

#include <cstring>

#include "emulator/base/state_hasher.h"
#include "emulator/cpu/debug_hook.h"
#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using namespace tapvm::test;
using namespace tapvm::sdtrig;

constexpr uint32_t kT0 = 5, kT1 = 6, kS0 = 8, kS1 = 9;
constexpr uint32_t kMtvec = 0x305, kMepc = 0x341;

TEST(TriggerWarl, LegalValuesStayAndTheRestIsDisabled) {
  const uint64_t exec_m = kType2 | kM | kExecute;
  EXPECT_EQ(LegalizeTdata1(exec_m), exec_m);
  EXPECT_EQ(LegalizeTdata1(0), kTdata1Reset);
  EXPECT_EQ(LegalizeTdata1((6ull << 60) | kM | kExecute), kTdata1Reset);
  EXPECT_EQ(LegalizeTdata1(exec_m | kSelect), kType2 | kM);
  EXPECT_EQ(LegalizeTdata1(exec_m | (1ull << 12)), kType2 | kM);  // action 1
  EXPECT_EQ(LegalizeTdata1(exec_m | kChain), kType2 | kM);
  EXPECT_EQ(LegalizeTdata1(exec_m | (1ull << kMatchShift)), kType2 | kM);  // napot
  EXPECT_EQ(LegalizeTdata1(exec_m | kTiming | kSizeLo | kSizeHi | (1ull << 59)), exec_m);
  for (uint64_t match : {0, 2, 3, 4, 5, 8, 12, 13}) {
    const uint64_t v = exec_m | (match << kMatchShift) | kHit;
    EXPECT_EQ(LegalizeTdata1(v), v) << match;
  }
  EXPECT_EQ(WatchedModes(kType2 | kM | kS | kU), 0u);  // watches no access
  EXPECT_EQ(WatchedModes(kType2 | kS | kU | kLoad), 0b011u);
  EXPECT_EQ(WatchedModes(kType2 | kM | kStore), 0b1000u);
}

TEST(TriggerMatch, EveryByteOfTheAccessIsCompared) {
  const uint64_t eq = kType2 | kM | kLoad;
  uint64_t hit = 0;
  EXPECT_TRUE(Matches(eq, 0x1003, 0x1000, 4, &hit));
  EXPECT_EQ(hit, 0x1003u);
  EXPECT_FALSE(Matches(eq, 0x1004, 0x1000, 4, &hit));
  EXPECT_FALSE(Matches(eq, 0x0fff, 0x1000, 4, &hit));
  const uint64_t ge = eq | (2ull << kMatchShift), lt = eq | (3ull << kMatchShift);
  EXPECT_TRUE(Matches(ge, 0x1006, 0x1000, 8, &hit));
  EXPECT_EQ(hit, 0x1006u);
  EXPECT_FALSE(Matches(ge, 0x1008, 0x1000, 8, &hit));
  EXPECT_TRUE(Matches(lt, 0x1001, 0x1000, 2, &hit));
  EXPECT_EQ(hit, 0x1000u);
  EXPECT_FALSE(Matches(lt, 0x1000, 0x1000, 2, &hit));
  const uint64_t ne = eq | (8ull << kMatchShift);
  EXPECT_FALSE(Matches(ne, 0x1001, 0x1000, 2, &hit));
  EXPECT_TRUE(Matches(ne, 0x1002, 0x1000, 2, &hit));
  EXPECT_EQ(hit, 0x1000u);
  // mask low: tdata2[63:32] masks the low half, tdata2[31:0] is compared.
  const uint64_t ml = eq | (4ull << kMatchShift), mh = eq | (5ull << kMatchShift);
  EXPECT_TRUE(Matches(ml, (0xffffff00ull << 32) | 0x2300, 0x1'0000'2342ull, 1, &hit));  // the high half is ignored
  EXPECT_FALSE(Matches(ml, (0xffffff00ull << 32) | 0x2300, 0x2442, 1, &hit));
  EXPECT_TRUE(Matches(mh, (0xffffffffull << 32) | 0x1, 0x1'0000'0000ull, 1, &hit));
  EXPECT_TRUE(Matches(eq | (12ull << kMatchShift), (0xffffff00ull << 32) | 0x2300, 0x2400, 1, &hit));
  EXPECT_FALSE(Matches(eq | (13ull << kMatchShift), (0xffffffffull << 32) | 0x1, 0x1'0000'0000ull, 1, &hit));
}

std::unique_ptr<Board> MakeBoard(const std::vector<uint32_t>& program, MinimalTap* tap, EngineKind engine) {
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  cfg.hart.engine = engine;
  cfg.hart.jit_hot_after = 1;
  EXPECT_TRUE(Board::Create(cfg, tap, &b).ok());
  std::memcpy(b->bus().HostPtrForWrite(0x80000000, program.size() * 4), program.data(), program.size() * 4);
  b->hart().FlushCaches();
  return b;
}

// A loop that loads and counts; its trap handler counts in s1 and returns
// past the instruction that trapped.
std::vector<uint32_t> LoopProgram() {
  return {
      Auipc(kT0, 0),            // 0x00
      Addi(kT0, kT0, 0x40),     // 0x04 t0 = handler
      Csrrw(0, kMtvec, kT0),    // 0x08
      Auipc(kT1, 1),            // 0x0c t1 = 0x8000100c (data)
      Addi(kS0, kS0, 1),        // 0x10 loop: s0++
      Ld(kT0, kT1, -4),         // 0x14 load 0x80001008
      Sd(kS0, kT1, -12),        // 0x18 store 0x80001000
      Jal(0, -12),              // 0x1c j loop
      0, 0, 0, 0, 0, 0, 0, 0,   // 0x20..0x3c
      Addi(kS1, kS1, 1),        // 0x40 handler: s1++
      Csrrs(kT0, kMepc, 0),     // 0x44
      Addi(kT0, kT0, 4),        // 0x48
      Csrrw(0, kMepc, kT0),     // 0x4c
      kMret,                    // 0x50
  };
}

// M-mode triggers need tcontrol.mte; the program never traps otherwise.
void Arm(Hart& h, unsigned index, uint64_t tdata1, uint64_t tdata2) {
  HartState& s = h.state();
  s.tcontrol = kMte;
  s.tdata1[index] = tdata1;
  s.tdata2[index] = tdata2;
  h.FlushCaches();  // state set from outside: the hart derives what it watches again
}

TEST(TriggerRun, AnExecuteTriggerRetiresNothing) {
  MinimalTap tap;
  auto b = MakeBoard(LoopProgram(), &tap, EngineKind::kInterpreter);
  Hart& h = b->hart();
  h.Run(40);
  Arm(h, 0, kType2 | kM | kExecute, 0x80000014);  // the ld
  const HartState& s = h.state();
  // One instruction at a time up to the ld, where the trigger fires.
  uint64_t before;
  do {
    before = s.icount;
    h.Run(before + 1);
  } while (s.traps == 0);
  // That last Run retired one instruction, the handler's first: the ld
  // retired nothing.
  EXPECT_EQ(s.icount, before + 1);
  EXPECT_EQ(s.pc, 0x80000044u);
  EXPECT_EQ(s.x[kS1], 1u);
  EXPECT_EQ(s.mcause, static_cast<uint64_t>(Exc::kBreakpoint));
  EXPECT_EQ(s.mepc, 0x80000014u);
  EXPECT_EQ(s.mtval, 0x80000014u);
  EXPECT_EQ(s.tcontrol, kMpte);            // mte off in the handler
  EXPECT_TRUE(s.tdata1[0] & kHit);
  h.Run(s.icount + 4);                     // the rest of the handler: back after the ld, mte on again
  EXPECT_EQ(s.pc, 0x80000018u);
  EXPECT_EQ(s.tcontrol, kMte | kMpte);
  EXPECT_EQ(s.x[kS1], 1u);
}

// The same program, triggers armed mid-run, gives one state on the
// interpreter, the JIT and under a debugger's stepping loop.
class StopNever : public DebugHook {
 public:
  bool StopAt(const HartState&, bool) override { return false; }
};

HartState RunWithTriggers(EngineKind engine, bool debug_loop) {
  MinimalTap tap;
  auto b = MakeBoard(LoopProgram(), &tap, engine);
  Hart& h = b->hart();
  StopNever hook;
  if (debug_loop) h.set_debug_hook(&hook);
  h.Run(1000);
  Arm(h, 0, kType2 | kM | kLoad, 0x8000100c);                       // bytes 8..15 of the ld
  Arm(h, 1, kType2 | kM | kStore | (8ull << kMatchShift), 0x80001000);  // never: the sd is there
  h.Run(2000);
  Arm(h, 0, kTdata1Reset, 0);
  h.Run(3000);  // disarmed: the fast path again
  Arm(h, 2, kType2 | kM | kExecute | (3ull << kMatchShift), 0x80000018);  // pc < 0x80000018
  h.Run(4000);
  HartState s = h.state();
  if (debug_loop) h.set_debug_hook(nullptr);
  return s;
}

TEST(TriggerRun, EnginesAndTheDebugLoopAgree) {
  const HartState want = RunWithTriggers(EngineKind::kInterpreter, false);
  EXPECT_GT(want.traps, 100u);
  EXPECT_EQ(want.mcause, static_cast<uint64_t>(Exc::kBreakpoint));
  EXPECT_EQ(want.icount, 4000u);
  for (auto [engine, debug] : {std::pair{EngineKind::kJit, false}, std::pair{EngineKind::kInterpreter, true},
                               std::pair{EngineKind::kJit, true}}) {
    const HartState got = RunWithTriggers(engine, debug);
    size_t k = 0;
    std::vector<uint64_t> fields;
    VisitHartState(want, [&](const char*, auto v) { fields.push_back(static_cast<uint64_t>(v)); });
    VisitHartState(got, [&](const char* name, auto v) {
      EXPECT_EQ(static_cast<uint64_t>(v), fields[k]) << name << " (" << EngineKindName(engine) << ", debug " << debug << ")";
      ++k;
    });
  }
}

// Digest version 3 did not know the trigger module: while it is at reset
// the hart digests exactly the fields that version hashed.
TEST(TriggerState, DigestAtResetIsTheVersion3Digest) {
  MinimalTap tap;
  auto b = MakeBoard(LoopProgram(), &tap, EngineKind::kInterpreter);
  b->hart().Run(100);
  StateHasher h;
  VisitCoreHartState(b->hart().state(), [&h](const char*, auto v) { h.Add(v); });
  EXPECT_EQ(b->hart().StateDigest(), h.Digest());
  b->hart().state().tdata2[3] = 1;
  EXPECT_NE(b->hart().StateDigest(), h.Digest());
}

// A hart saved before the trigger module (its core fields) loads, with
// the triggers at reset; a saved trigger state comes back whole.
TEST(TriggerState, SaveAndLoad) {
  MinimalTap tap;
  auto a = MakeBoard(LoopProgram(), &tap, EngineKind::kInterpreter);
  a->hart().Run(100);
  Arm(a->hart(), 3, kType2 | kS | kU | kStore | (2ull << kMatchShift), 0x1234);
  a->hart().state().tselect = 3;
  StateWriter w;
  a->hart().SaveState(w);
  auto b = MakeBoard({}, &tap, EngineKind::kInterpreter);
  const std::vector<uint8_t> bytes = w.Take();
  StateReader r(bytes);
  ASSERT_TRUE(b->hart().LoadState(r).ok());
  EXPECT_EQ(b->hart().StateDigest(), a->hart().StateDigest());

  StateWriter old;
  uint32_t n = 0;
  VisitCoreHartState(a->hart().state(), [&n](const char*, auto) { ++n; });
  old.Put(n);
  VisitCoreHartState(a->hart().state(), [&old](const char*, auto v) { old.Put(static_cast<uint64_t>(v)); });
  const std::vector<uint8_t> old_bytes = old.Take();
  StateReader r2(old_bytes);
  ASSERT_TRUE(b->hart().LoadState(r2).ok());
  EXPECT_TRUE(TriggersAtReset(b->hart().state()));
  EXPECT_EQ(b->hart().state().icount, a->hart().state().icount);

  // A tdata1 no trigger can hold is refused.
  a->hart().state().tdata1[1] = kType2 | kSelect | kLoad;
  StateWriter bad;
  a->hart().SaveState(bad);
  const std::vector<uint8_t> bad_bytes = bad.Take();
  StateReader r3(bad_bytes);
  EXPECT_FALSE(b->hart().LoadState(r3).ok());
}

}  // namespace
}  // namespace tapvm
