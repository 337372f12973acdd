// MachineTarget on a real machine: steps and reverse steps that retrace
// every instruction boundary (exceptions, interrupts, WFI included),
// breakpoints before their instruction, watchpoints before the access,
// reverse continue, and a debugged run that ends in the same state as an
// undebugged one. The "replay" here is a deterministic bare program with no
// inputs, so restarting it is a replay; the journal side is covered end to
// end (gdb_e2e.py). Each test runs on the RestartSeeker and on a
// CheckpointSeeker that keeps a checkpoint in memory every 200 instructions
// of a seek (its journal has none), so reverse steps restore those.
#include "tools/gdb/machine_target.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include <unistd.h>

#include "emulator/tap/minimal_tap.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "tools/gdb/checkpoint_seeker.h"
#include "tests/unit/rv_asm.h"
#include "tools/gdb/gdb_session.h"
#include "tools/gdb/rsp_packet.h"

namespace tapvm::gdb {
namespace {

using namespace tapvm::test;

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kHandler = kRam + 0x80, kStore = kRam + 0x34, kData = kRam + 0x800;
constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7, kT3 = 28, kT4 = 29, kT5 = 30, kT6 = 31, kS0 = 8, kS1 = 9, kS3 = 19;

// A loop counting in s0 and storing it to kData; an ecall every 16
// iterations and a wfi every 64; a timer interrupt every 50 ticks. The
// handler tells interrupts (count in s1, timer re-armed) from the ecall
// (count in s3, mepc moved past it).
std::vector<uint32_t> Program() {
  std::vector<uint32_t> p = {
      Lui(kT2, 0x2004),         // 0x00 mtimecmp
      Addi(kT3, 0, 50),         // 0x04
      Sd(kT3, kT2, 0),          // 0x08
      Auipc(kT0, 0),            // 0x0c
      Addi(kT0, kT0, 0x74),     // 0x10 handler
      Csrrw(0, 0x305, kT0),     // 0x14 mtvec
      Addi(kT1, 0, 0x80),       // 0x18 MTIE
      Csrrs(0, 0x304, kT1),     // 0x1c mie
      Addi(kT1, 0, 8),          // 0x20 MIE
      Csrrs(0, 0x300, kT1),     // 0x24 mstatus
      Auipc(kT4, 0),            // 0x28
      Addi(kT4, kT4, 0x7d8),    // 0x2c t4 = kData
      Addi(kS0, kS0, 1),        // 0x30 loop:
      Sd(kS0, kT4, 0),          // 0x34 the watched store
      Andi(kT1, kS0, 15),       // 0x38
      Bne(kT1, 0, 8),           // 0x3c
      kEcall,                   // 0x40
      Andi(kT1, kS0, 63),       // 0x44
      Bne(kT1, 0, 8),           // 0x48
      kWfi,                     // 0x4c
      Jal(0, -0x20),            // 0x50 j loop
  };
  p.resize(0x80 / 4, 0);
  const std::vector<uint32_t> handler = {
      Csrrs(kT5, 0x342, 0),     // 0x80 mcause
      Bge(kT5, 0, 0x18),        // 0x84 an exception: 0x9c
      Addi(kS1, kS1, 1),        // 0x88
      Ld(kT3, kT2, 0),          // 0x8c
      Addi(kT3, kT3, 50),       // 0x90
      Sd(kT3, kT2, 0),          // 0x94
      kMret,                    // 0x98
      Csrrs(kT6, 0x341, 0),     // 0x9c mepc
      Addi(kT6, kT6, 4),        // 0xa0
      Csrrw(0, 0x341, kT6),     // 0xa4
      Addi(kS3, kS3, 1),        // 0xa8
      kMret,                    // 0xac
  };
  p.insert(p.end(), handler.begin(), handler.end());
  return p;
}

class TestMachine final : public DebuggedMachine {
 public:
  explicit TestMachine(EngineKind engine) {
    BoardConfig cfg;
    cfg.ram_size = 1 << 20;
    cfg.hart.engine = engine;
    cfg.hart.jit_hot_after = 1;
    EXPECT_TRUE(Board::Create(cfg, &tap_, &board_).ok());
    const std::vector<uint32_t> p = Program();
    std::memcpy(board_->bus().HostPtrForWrite(kRam, p.size() * 4), p.data(), p.size() * 4);
    board_->hart().FlushCaches();
  }
  Board& board() override { return *board_; }
  ReplayTap* replay() override { return nullptr; }

 private:
  MinimalTap tap_;
  std::unique_ptr<Board> board_;
};

// What a boundary looks like to a debugger.
struct Snapshot {
  uint64_t icount, traps, pc, priv, mcause, mepc;
  uint64_t x[32];
  bool operator==(const Snapshot& o) const { return std::memcmp(this, &o, sizeof o) == 0; }
};
Snapshot Snap(Board& b) {
  const HartState& s = b.hart().state();
  Snapshot n{s.icount, s.traps, s.pc, static_cast<uint64_t>(s.priv), s.mcause, s.mepc, {}};
  std::memcpy(n.x, s.x, sizeof n.x);
  return n;
}

struct MachineTargetTest : ::testing::TestWithParam<std::tuple<EngineKind, bool>> {
  EngineKind engine() const { return std::get<0>(GetParam()); }
  void SetUp() override {
    const EngineKind engine = this->engine();
    if (!std::get<1>(GetParam())) {
      std::unique_ptr<RestartSeeker> restart;
      ASSERT_TRUE(RestartSeeker::Create(
                      [engine](std::unique_ptr<DebuggedMachine>* out) {
                        *out = std::make_unique<TestMachine>(engine);
                        return Status::Ok();
                      },
                      &restart)
                      .ok());
      seeker = std::move(restart);
    } else {
      // An empty journal: the seeker's checkpoints are all its own.
      journal_path = ::testing::TempDir() + "machine_target_" + std::to_string(getpid()) + ".tapj";
      unlink(journal_path.c_str());
      std::unique_ptr<journal::JournalWriter> w;
      ASSERT_TRUE(journal::JournalWriter::Create(journal_path, journal::JournalHeader(), {}, &w).ok());
      ASSERT_TRUE(w->Close(0).ok());
      std::unique_ptr<journal::JournalReader> index;
      ASSERT_TRUE(journal::JournalReader::Open(journal_path, &index).ok());
      CheckpointSeeker::Options co;
      co.near = 200;
      std::unique_ptr<CheckpointSeeker> cs;
      ASSERT_TRUE(CheckpointSeeker::Create(
                      std::move(index),
                      [engine](const MachineCheckpoint* from, uint64_t, std::unique_ptr<DebuggedMachine>* out) {
                        auto m = std::make_unique<TestMachine>(engine);
                        if (from) TAPVM_RETURN_IF_ERROR(m->board().RestoreCheckpoint(*from));
                        *out = std::move(m);
                        return Status::Ok();
                      },
                      co, &cs)
                      .ok());
      checkpoint_seeker = cs.get();
      seeker = std::move(cs);
    }
    MachineTarget::Options o;
    o.end_icount = 1'000'000;
    target = std::make_unique<MachineTarget>(seeker.get(), o);
  }
  void TearDown() override {
    target.reset();
    seeker.reset();
    if (!journal_path.empty()) unlink(journal_path.c_str());
  }
  Board& board() { return seeker->machine().board(); }
  StopEvent Do(ResumeKind k) {
    StopEvent e;
    EXPECT_TRUE(target->Resume(k, &e).ok());
    return e;
  }
  std::unique_ptr<ReplaySeeker> seeker;
  CheckpointSeeker* checkpoint_seeker = nullptr;
  std::string journal_path;
  std::unique_ptr<MachineTarget> target;
};

TEST_P(MachineTargetTest, ReverseStepsRetraceEveryBoundary) {
  std::vector<Snapshot> trace{Snap(board())};
  constexpr int kSteps = 1300;  // past ecalls, a wfi and timer interrupts
  for (int i = 0; i < kSteps; ++i) {
    EXPECT_EQ(Do(ResumeKind::kStep).kind, StopEvent::Kind::kStep);
    trace.push_back(Snap(board()));
    const Snapshot& a = trace[trace.size() - 2];
    const Snapshot& b = trace.back();
    // Each boundary is one step on from the last: an instruction retired,
    // or a trap entered.
    ASSERT_TRUE((b.icount == a.icount + 1 && b.traps == a.traps) || (b.icount == a.icount && b.traps == a.traps + 1))
        << "step " << i;
  }
  const HartState& s = board().hart().state();
  ASSERT_GE(s.x[kS3], 2u) << "ecalls taken";
  ASSERT_GE(s.x[kS1], 1u) << "timer interrupts taken";
  for (int i = kSteps - 1; i >= 0; --i) {
    ASSERT_EQ(Do(ResumeKind::kReverseStep).kind, StopEvent::Kind::kStep);
    ASSERT_TRUE(Snap(board()) == trace[i]) << "reverse step to boundary " << i << ": at icount "
                                           << board().hart().state().icount << " traps "
                                           << board().hart().state().traps << ", want " << trace[i].icount << "/"
                                           << trace[i].traps;
  }
  EXPECT_EQ(Do(ResumeKind::kReverseStep).kind, StopEvent::Kind::kReplayBegin);
  // The reverse steps restored checkpoints the seeker kept on its way.
  if (checkpoint_seeker) {
    EXPECT_GT(checkpoint_seeker->stats().memory_checkpoints, 0u);
  }
}

TEST_P(MachineTargetTest, BreakpointStopsBeforeItsInstructionAndReverseContinueFindsTheLastHit) {
  ASSERT_TRUE(target->InsertStopPoint(StopPointKind::kSoftware, kHandler, 4).ok());
  std::vector<Snapshot> hits;
  for (int i = 0; i < 4; ++i) {
    const StopEvent e = Do(ResumeKind::kContinue);
    ASSERT_EQ(e.kind, StopEvent::Kind::kBreakpoint);
    EXPECT_EQ(e.point, StopPointKind::kSoftware);
    hits.push_back(Snap(board()));
    EXPECT_EQ(hits.back().pc, kHandler);
  }
  // Stopped before the handler's first instruction: a step runs it.
  EXPECT_EQ(Do(ResumeKind::kStep).kind, StopEvent::Kind::kStep);
  EXPECT_EQ(board().hart().state().pc, kHandler + 4);
  EXPECT_EQ(board().hart().state().icount, hits.back().icount + 1);
  EXPECT_EQ(board().hart().state().x[kT5], board().hart().state().mcause);
  EXPECT_EQ(Do(ResumeKind::kReverseStep).kind, StopEvent::Kind::kStep);
  EXPECT_TRUE(Snap(board()) == hits.back());
  for (int i = 2; i >= 0; --i) {
    const StopEvent e = Do(ResumeKind::kReverseContinue);
    ASSERT_EQ(e.kind, StopEvent::Kind::kBreakpoint);
    EXPECT_TRUE(Snap(board()) == hits[i]) << "hit " << i;
  }
  EXPECT_EQ(Do(ResumeKind::kReverseContinue).kind, StopEvent::Kind::kReplayBegin);
  EXPECT_EQ(board().hart().state().icount, 0u);
  // Forward again to the same first hit.
  EXPECT_EQ(Do(ResumeKind::kContinue).kind, StopEvent::Kind::kBreakpoint);
  EXPECT_TRUE(Snap(board()) == hits[0]);
}

TEST_P(MachineTargetTest, WatchpointStopsBeforeTheStoreForwardAndAfterItBackward) {
  ASSERT_TRUE(target->InsertStopPoint(StopPointKind::kWrite, kData, 8).ok());
  uint64_t mem = 0;
  for (uint64_t n = 1; n <= 3; ++n) {
    const StopEvent e = Do(ResumeKind::kContinue);
    ASSERT_EQ(e.kind, StopEvent::Kind::kWatchpoint) << e.message << " at pc " << std::hex << board().hart().state().pc << std::dec << " icount " << board().hart().state().icount;
    EXPECT_EQ(e.address, kData);
    EXPECT_EQ(board().hart().state().pc, kStore);
    ASSERT_TRUE(board().hart().DebugReadVirt(kData, &mem, 8));
    EXPECT_EQ(mem, n - 1) << "stopped before the store";
    EXPECT_EQ(board().hart().state().x[kS0], n);
    // gdb steps over it with the watchpoint removed.
    ASSERT_TRUE(target->RemoveStopPoint(StopPointKind::kWrite, kData, 8).ok());
    EXPECT_EQ(Do(ResumeKind::kStep).kind, StopEvent::Kind::kStep);
    ASSERT_TRUE(board().hart().DebugReadVirt(kData, &mem, 8));
    EXPECT_EQ(mem, n);
    ASSERT_TRUE(target->InsertStopPoint(StopPointKind::kWrite, kData, 8).ok());
  }
  // Backward: reported just after the last store (value 3); gdb then steps
  // back over it.
  StopEvent e = Do(ResumeKind::kReverseContinue);
  ASSERT_EQ(e.kind, StopEvent::Kind::kWatchpoint);
  EXPECT_EQ(board().hart().state().pc, kStore + 4);
  ASSERT_TRUE(board().hart().DebugReadVirt(kData, &mem, 8));
  EXPECT_EQ(mem, 3u);
  ASSERT_TRUE(target->RemoveStopPoint(StopPointKind::kWrite, kData, 8).ok());
  EXPECT_EQ(Do(ResumeKind::kReverseStep).kind, StopEvent::Kind::kStep);
  EXPECT_EQ(board().hart().state().pc, kStore);
  ASSERT_TRUE(board().hart().DebugReadVirt(kData, &mem, 8));
  EXPECT_EQ(mem, 2u);
  // A read watchpoint is not hit by a store.
  ASSERT_TRUE(target->InsertStopPoint(StopPointKind::kRead, kData, 8).ok());
  EXPECT_EQ(Do(ResumeKind::kReverseContinue).kind, StopEvent::Kind::kReplayBegin);
}

TEST_P(MachineTargetTest, WritesAreRefusedInAReplay) {
  EXPECT_FALSE(target->WriteRegister(10, 1).ok());
  EXPECT_FALSE(target->WriteMemory(kData, {1, 2}).ok());
  uint64_t v;
  EXPECT_TRUE(target->ReadRegister(32, &v).ok());
  EXPECT_EQ(v, kRam);
  EXPECT_TRUE(target->ReadRegister(65 + 4096, &v).ok());
  EXPECT_EQ(v, 3u) << "priv: M";
  EXPECT_TRUE(target->ReadRegister(65 + 0x300, &v).ok()) << "mstatus";
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(target->ReadMemory(kRam, 4, &bytes).ok());
  EXPECT_EQ(bytes.size(), 4u);
  EXPECT_FALSE(target->ReadMemory(0x10000000, 4, &bytes).ok()) << "device registers are not read";
}

TEST_P(MachineTargetTest, MonitorGotoAndIcount) {
  std::string out;
  ASSERT_TRUE(target->Monitor("goto 1000", &out).ok());
  EXPECT_EQ(board().hart().state().icount, 1000u);
  ASSERT_TRUE(target->Monitor("goto 10", &out).ok());
  EXPECT_EQ(board().hart().state().icount, 10u);
  ASSERT_TRUE(target->Monitor("icount", &out).ok());
  EXPECT_EQ(out.substr(0, 9), "icount 10");
  EXPECT_FALSE(target->Monitor("goto x", &out).ok());
  EXPECT_FALSE(target->Monitor("goto 99999999", &out).ok()) << "past the end";
}

// The debugger's stepping, breakpoints and watchpoints leave no trace: the
// machine ends where an undebugged run ends, to the digest.
TEST_P(MachineTargetTest, DebuggedRunEndsInTheSameState) {
  constexpr uint64_t kEnd = 20'000;
  TestMachine plain(engine());
  plain.board().Run(kEnd);
  TestMachine live(engine());
  MachineTarget::Options o;
  o.end_icount = kEnd;
  MachineTarget t(&live, o);
  StopEvent e;
  ASSERT_TRUE(t.InsertStopPoint(StopPointKind::kHardware, kHandler, 4).ok());
  ASSERT_TRUE(t.InsertStopPoint(StopPointKind::kAccess, kData, 8).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(t.Resume(i % 3 ? ResumeKind::kContinue : ResumeKind::kStep, &e).ok());
  ASSERT_TRUE(t.RemoveStopPoint(StopPointKind::kHardware, kHandler, 4).ok());
  ASSERT_TRUE(t.RemoveStopPoint(StopPointKind::kAccess, kData, 8).ok());
  ASSERT_TRUE(t.Resume(ResumeKind::kContinue, &e).ok());
  EXPECT_EQ(e.kind, StopEvent::Kind::kError) << "the limit";
  EXPECT_EQ(live.board().hart().state().icount, kEnd);
  EXPECT_EQ(live.board().ComputeDigest().value, plain.board().ComputeDigest().value);
  EXPECT_FALSE(t.Resume(ResumeKind::kReverseStep, &e).ok()) << "a live machine does not run backwards";
}

// Random and malformed packets through the real dispatcher into a live
// machine (writes allowed): nothing crashes, every packet is answered, and
// the machine stays inside its instruction budget.
TEST_P(MachineTargetTest, FuzzedPacketsOnALiveMachine) {
  TestMachine live(engine());
  MachineTarget::Options o;
  o.end_icount = 20'000;
  MachineTarget t(&live, o);
  GdbSession session(&t, nullptr);
  std::mt19937_64 rng(7);
  const char* heads[] = {"m", "M", "X", "p", "P", "Z0,", "Z2,", "Z4,", "z0,", "z3,", "g", "G", "c", "s", "vCont;s",
                         "vCont;c", "bs", "bc", "qRcmd,", "qXfer:features:read:target.xml:", "?", "D", "k"};
  auto hex = [&rng](unsigned digits) {
    std::string h;
    for (unsigned i = 0; i < digits; ++i) h.push_back("0123456789abcdef"[rng() % 16]);
    return h;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string p = heads[rng() % (sizeof heads / sizeof *heads)];
    switch (rng() % 4) {
      case 0: p += "8000" + hex(4) + "," + hex(1 + rng() % 3); break;  // near RAM
      case 1: p += hex(1 + rng() % 16) + "," + hex(1 + rng() % 8); break;
      case 2: p += hex(rng() % 40); break;
      default:
        for (unsigned k = rng() % 30; k > 0; --k) p.push_back(static_cast<char>(rng()));
    }
    if (rng() % 3 == 0) p += ":" + hex(2 * (rng() % 8));
    if (p[0] == 'P' && rng() % 2) p = "P" + hex(2) + "=" + hex(16);
    if (p == "qRcmd,") p += ToHex(rng() % 2 ? "icount" : "goto 100");
    const GdbSession::Reply r = session.Handle(p);
    (void)r;
    ASSERT_LE(live.board().hart().state().icount, o.end_icount) << p;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, MachineTargetTest,
                         ::testing::Combine(::testing::Values(EngineKind::kInterpreter, EngineKind::kJit),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(EngineKindName(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_checkpoints" : "");
                         });

}  // namespace
}  // namespace tapvm::gdb
