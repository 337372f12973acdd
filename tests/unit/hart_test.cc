// Hart behaviour that the ISA programs cannot show on their own: exact
// stops, determinism across different run chunkings, state digests.
#include "emulator/cpu/hart.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using namespace tapvm::test;

using NullSink = MinimalTap;

constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7, kT3 = 28, kS0 = 8, kS1 = 9;
constexpr uint32_t kMtvec = 0x305, kMie = 0x304, kMstatus = 0x300, kMcause = 0x342;

std::unique_ptr<Board> MakeBoard(const std::vector<uint32_t>& program, NullSink* sink) {
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  EXPECT_TRUE(Board::Create(cfg, sink, &b).ok());
  uint8_t* ram = b->bus().HostPtrForWrite(0x80000000, program.size() * 4);
  std::memcpy(ram, program.data(), program.size() * 4);
  b->hart().FlushCaches();
  return b;
}

// An endless loop that counts in s0 while a timer interrupt handler (every
// 50 ticks) counts in s1.
std::vector<uint32_t> TimerProgram() {
  return {
      Auipc(kT0, 0),                 // 0x00
      Addi(kT0, kT0, 0x40),          // 0x04 t0 = handler (0x40)
      Csrrw(0, kMtvec, kT0),         // 0x08
      Addi(kT1, 0, 0x80),            // 0x0c MTIE
      Csrrs(0, kMie, kT1),           // 0x10
      Addi(kT1, 0, 8),               // 0x14 MIE
      Csrrs(0, kMstatus, kT1),       // 0x18
      Lui(kT2, 0x2004),              // 0x1c t2 = mtimecmp
      Addi(kT3, 0, 50),              // 0x20
      Sd(kT3, kT2, 0),               // 0x24
      Addi(kS0, kS0, 1),             // 0x28 loop:
      Xor(kT1, kT1, kS0),            // 0x2c
      Jal(0, -8),                    // 0x30 j loop
      0, 0, 0,                       // 0x34..0x3c
      Addi(kS1, kS1, 1),             // 0x40 handler:
      Ld(kT3, kT2, 0),               // 0x44
      Addi(kT3, kT3, 50),            // 0x48
      Sd(kT3, kT2, 0),               // 0x4c
      kMret,                         // 0x50
  };
}

TEST(HartTest, RunStopsExactlyAtTheLimit) {
  NullSink sink;
  auto b = MakeBoard(TimerProgram(), &sink);
  for (uint64_t limit : {1ull, 2ull, 17ull, 1000ull, 123457ull}) {
    b->hart().Run(limit);
    EXPECT_EQ(b->hart().state().icount, limit);
  }
}

TEST(HartTest, SameProgramGivesSameStateWhateverTheChunking) {
  constexpr uint64_t kTotal = 2'000'000;
  NullSink sink;
  auto straight = MakeBoard(TimerProgram(), &sink);
  straight->hart().Run(kTotal);
  const HartState& a = straight->hart().state();
  EXPECT_GT(a.x[kS1], 100u) << "the timer interrupt must have fired many times";
  EXPECT_EQ(a.icount, kTotal);

  auto chunked = MakeBoard(TimerProgram(), &sink);
  std::mt19937_64 rng(42);
  while (chunked->hart().state().icount < kTotal) {
    uint64_t step = 1 + rng() % 3000;
    chunked->hart().Run(std::min(kTotal, chunked->hart().state().icount + step));
  }
  const HartState& c = chunked->hart().state();
  EXPECT_EQ(c.icount, kTotal);
  EXPECT_EQ(c.x[kS0], a.x[kS0]);
  EXPECT_EQ(c.x[kS1], a.x[kS1]);
  EXPECT_EQ(chunked->hart().StateDigest(), straight->hart().StateDigest());
}

TEST(HartTest, DigestChangesWithState) {
  NullSink sink;
  auto b = MakeBoard(TimerProgram(), &sink);
  uint64_t d0 = b->hart().StateDigest();
  b->hart().Run(1);
  EXPECT_NE(b->hart().StateDigest(), d0);
}

// The hart digest walks the state through VisitHartState; every byte of
// HartState but the scratch register x[32] must be visited, or a new field
// would silently stay out of digests (and checkpoints).
TEST(HartTest, StateVisitorCoversEveryField) {
  HartState s{};
  size_t bytes = 0, fields = 0;
  VisitHartState(s, [&](const char*, auto& value) {
    bytes += sizeof value;
    ++fields;
  });
  EXPECT_EQ(bytes, sizeof(HartState) - sizeof s.x[32]);
  EXPECT_EQ(fields, bytes / 8);
}

// Each field reaches the digest: changing any one changes it.
TEST(HartTest, EveryVisitedFieldChangesTheDigest) {
  NullSink sink;
  auto b = MakeBoard({Addi(kT0, kT0, 1)}, &sink);
  const uint64_t base = b->hart().StateDigest();
  size_t index = 0;
  VisitHartState(b->hart().state(), [&](const char* name, auto& value) {
    auto saved = value;
    value = static_cast<std::remove_reference_t<decltype(value)>>(static_cast<uint64_t>(value) ^ 0x10);
    EXPECT_NE(b->hart().StateDigest(), base) << name << " (field " << index << ")";
    value = saved;
    ++index;
  });
  EXPECT_EQ(b->hart().StateDigest(), base);
}

// The digest holds guest values only: the same guest state in two
// machines (two RAM allocations) digests the same, an LR reservation
// included (it once held a host pointer).
TEST(HartTest, ReservationDigestsTheSameInTwoMachines) {
  // s0 = 0x80000100 (the program runs at 0x80000000); lr.d; spin.
  const uint32_t lr_d = RType(0x08, 0, kS0, 3, kT0, 0x2f);  // lr.d t0, (s0)
  std::vector<uint32_t> prog = {Auipc(kS0, 0), Addi(kS0, kS0, 0x100), lr_d, Jal(0, 0)};
  NullSink a_sink, b_sink;
  auto a = MakeBoard(prog, &a_sink);
  std::vector<uint8_t> pad(1 << 20);  // a different heap layout for the second
  auto b = MakeBoard(prog, &b_sink);
  a->hart().Run(10);
  b->hart().Run(10);
  EXPECT_EQ(a->hart().state().reservation_valid, 1u);
  EXPECT_EQ(a->hart().state().reservation_pa, 0x80000100u);
  EXPECT_EQ(a->hart().StateDigest(), b->hart().StateDigest());
}

TEST(HartTest, WritesToX0AreDiscarded) {
  NullSink sink;
  auto b = MakeBoard({Addi(0, 0, 5), Add(kT0, 0, 0), Addi(0, kT0, 7), Jal(0, 0)}, &sink);
  b->hart().Run(4);
  EXPECT_EQ(b->hart().state().x[0], 0u);
  EXPECT_EQ(b->hart().state().x[kT0], 0u);
}

TEST(HartTest, WfiWithNoWakeSourceReportsIdle) {
  NullSink sink;
  auto b = MakeBoard({kWfi, Jal(0, 0)}, &sink);
  EXPECT_EQ(b->Run(1000).kind, RunResult::Kind::kIdle);
}

TEST(HartTest, WfiWarpsVirtualTimeToTheTimerDeadline) {
  NullSink sink;
  // Enable MTIE only (MIE off): wfi wakes, the interrupt is not taken.
  auto b = MakeBoard({Addi(kT1, 0, 0x80), Csrrs(0, kMie, kT1), Lui(kT2, 0x2004), Lui(kT3, 1), Sd(kT3, kT2, 0),
                      kWfi, Addi(kS0, 0, 1), Jal(0, 0)},
                     &sink);
  EXPECT_EQ(b->hart().Run(7), StopReason::kIdle) << "the hart hands the idle decision to its caller";
  EXPECT_EQ(b->Run(7).kind, RunResult::Kind::kLimit);
  EXPECT_EQ(b->hart().state().x[kS0], 1u);
  EXPECT_GE(b->hart().Mtime(), 0x1000u);
  EXPECT_EQ(b->hart().state().icount, 7u);
}

TEST(HartTest, TrapStormIsReportedAsStuck) {
  NullSink sink;
  // mtvec = 0 (unmapped): every trap faults again at the vector.
  auto b = MakeBoard({kEcall}, &sink);
  RunResult r = b->Run(1000);
  EXPECT_EQ(r.kind, RunResult::Kind::kStuck);
  EXPECT_EQ(b->hart().state().mcause, 1u);  // instruction access fault
}

TEST(HartTest, EcallFromMTrapsWithCause11) {
  NullSink sink;
  auto b = MakeBoard({Auipc(kT0, 0), Addi(kT0, kT0, 16), Csrrw(0, kMtvec, kT0), kEcall, Csrrs(kS0, kMcause, 0),
                      Jal(0, 0)},
                     &sink);
  b->hart().Run(5);
  EXPECT_EQ(b->hart().state().x[kS0], 11u);
  EXPECT_EQ(b->hart().state().mepc, 0x8000000cu);
}

// Privileged spec 3.1.9: CSRRS/CSRRC on mip start from the software SEIP
// bit, not from the external line ORed into reads. Latching the line made a
// Linux guest storm in its PLIC handler forever once the line dropped.
TEST(HartTest, CsrrsOnMipDoesNotLatchTheExternalSeipLine) {
  constexpr uint32_t kMip = 0x344;
  MinimalTap tap;
  auto b = MakeBoard({Addi(kT1, 0, 0x20), Csrrs(kS0, kMip, kT1), Jal(0, 0), Csrrs(kS1, kMip, 0), Jal(0, 0)},
                     &tap);
  b->hart().SetInterruptLine(kMipSEIP, true);
  b->hart().Run(2);
  EXPECT_EQ(b->hart().state().x[kS0] & kMipSEIP, kMipSEIP) << "reads see the line";
  b->hart().SetInterruptLine(kMipSEIP, false);
  b->hart().state().pc = 0x8000000c;
  b->hart().FlushCaches();
  b->hart().Run(3);
  EXPECT_EQ(b->hart().state().x[kS1] & (kMipSEIP | kMipSTIP), kMipSTIP)
      << "STIP was set; SEIP must follow the line, which is low";
}

}  // namespace
}  // namespace tapvm
