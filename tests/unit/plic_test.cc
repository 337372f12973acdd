#include "emulator/devices/plic.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tapvm {
namespace {

class FakeHart : public HartPort {
 public:
  void SetInterruptLine(uint64_t bits, bool level) override {
    mip = level ? (mip | bits) : (mip & ~bits);
    ++line_calls;
  }
  uint64_t Mtime() const override { return 0; }

  uint64_t mip = 0;
  int line_calls = 0;
};

constexpr uint64_t kPending = 0x1000, kEnable = 0x2000, kContext = 0x200000;
constexpr uint64_t Prio(unsigned src) { return 4 * src; }
constexpr uint64_t Enable(unsigned ctx, unsigned word) { return kEnable + 0x80 * ctx + 4 * word; }
constexpr uint64_t Threshold(unsigned ctx) { return kContext + 0x1000 * ctx; }
constexpr uint64_t Claim(unsigned ctx) { return kContext + 0x1000 * ctx + 4; }

class PlicTest : public ::testing::Test {
 protected:
  uint32_t Rd(uint64_t off) {
    uint64_t v = 0xdead;
    EXPECT_TRUE(plic.Read(off, 4, &v)) << std::hex << off;
    return static_cast<uint32_t>(v);
  }
  void Wr(uint64_t off, uint32_t v) { EXPECT_TRUE(plic.Write(off, 4, v)) << std::hex << off; }
  // Gives `src` priority `prio` and enables it on context `ctx`.
  void Route(unsigned src, unsigned prio, unsigned ctx) {
    Wr(Prio(src), prio);
    Wr(Enable(ctx, src / 32), Rd(Enable(ctx, src / 32)) | (1u << (src % 32)));
  }
  bool Meip() const { return hart.mip & kMipMEIP; }
  bool Seip() const { return hart.mip & kMipSEIP; }
  bool Pending(unsigned src) { return (Rd(kPending + 4 * (src / 32)) >> (src % 32)) & 1; }

  FakeHart hart;
  Plic plic{&hart};
};

TEST_F(PlicTest, ResetState) {
  EXPECT_EQ(plic.num_sources(), 96u);
  EXPECT_FALSE(Meip());
  EXPECT_FALSE(Seip());
  for (unsigned s = 0; s < 96; ++s) EXPECT_EQ(Rd(Prio(s)), 0u);
  for (unsigned w = 0; w < 3; ++w) {
    EXPECT_EQ(Rd(kPending + 4 * w), 0u);
    EXPECT_EQ(Rd(Enable(0, w)), 0u);
    EXPECT_EQ(Rd(Enable(1, w)), 0u);
  }
  EXPECT_EQ(Rd(Threshold(0)), 0u);
  EXPECT_EQ(Rd(Claim(0)), 0u);
}

TEST_F(PlicTest, PriorityAndThresholdAreWarlZeroToSeven) {
  Wr(Prio(1), 0xff);
  EXPECT_EQ(Rd(Prio(1)), 7u);
  Wr(Prio(95), 5);
  EXPECT_EQ(Rd(Prio(95)), 5u);
  Wr(Prio(0), 3);  // source 0 does not exist
  EXPECT_EQ(Rd(Prio(0)), 0u);
  Wr(Prio(96), 3);  // past the last source
  EXPECT_EQ(Rd(Prio(96)), 0u);
  Wr(Threshold(1), 0x1f);
  EXPECT_EQ(Rd(Threshold(1)), 7u);
}

TEST_F(PlicTest, EnableBitsExistOnlyForRealSources) {
  Wr(Enable(0, 0), 0xffffffff);
  EXPECT_EQ(Rd(Enable(0, 0)), 0xfffffffeu);  // bit of source 0 is hardwired 0
  Wr(Enable(0, 2), 0xffffffff);
  EXPECT_EQ(Rd(Enable(0, 2)), 0xffffffffu);  // sources 64..95
  Wr(Enable(0, 3), 0xffffffff);
  EXPECT_EQ(Rd(Enable(0, 3)), 0u);
  EXPECT_EQ(Rd(Enable(1, 0)), 0u);  // contexts are independent
  Wr(Enable(2, 0), 0xffffffff);     // no context 2
  EXPECT_EQ(Rd(Enable(2, 0)), 0u);
}

TEST_F(PlicTest, PendingFollowsTheLineAndIsReadOnly) {
  plic.SetIrq(10, true);
  EXPECT_TRUE(Pending(10));
  Wr(kPending, 0);  // ignored
  EXPECT_TRUE(Pending(10));
  plic.SetIrq(10, false);
  EXPECT_FALSE(Pending(10));
  plic.SetIrq(70, true);
  EXPECT_EQ(Rd(kPending + 8), 1u << 6);
  // Not enabled, priority 0: no output.
  EXPECT_FALSE(Meip());
}

TEST_F(PlicTest, ClaimAndCompleteWithLevelSemantics) {
  Route(10, 1, 0);
  plic.SetIrq(10, true);
  EXPECT_TRUE(Meip());
  EXPECT_FALSE(Seip());
  EXPECT_EQ(Rd(Claim(0)), 10u);
  EXPECT_FALSE(Meip());
  EXPECT_FALSE(Pending(10));
  EXPECT_EQ(Rd(Claim(0)), 0u);  // in service: not claimable again
  // Complete with the line still high: pending again at once.
  Wr(Claim(0), 10);
  EXPECT_TRUE(Pending(10));
  EXPECT_TRUE(Meip());
  // The device lowers its line: the request is withdrawn.
  plic.SetIrq(10, false);
  EXPECT_FALSE(Pending(10));
  EXPECT_FALSE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 0u);
}

TEST_F(PlicTest, LineActivityWhileInServiceWaitsForComplete) {
  Route(4, 2, 0);
  plic.SetIrq(4, true);
  ASSERT_EQ(Rd(Claim(0)), 4u);
  plic.SetIrq(4, false);
  plic.SetIrq(4, true);
  EXPECT_FALSE(Pending(4));
  EXPECT_FALSE(Meip());
  Wr(Claim(0), 4);
  EXPECT_TRUE(Pending(4));
  EXPECT_TRUE(Meip());
  // Complete after the line dropped: nothing pending.
  ASSERT_EQ(Rd(Claim(0)), 4u);
  plic.SetIrq(4, false);
  Wr(Claim(0), 4);
  EXPECT_FALSE(Pending(4));
  EXPECT_FALSE(Meip());
}

TEST_F(PlicTest, ClaimTakesHighestPriorityThenLowestId) {
  Route(3, 2, 0);
  Route(5, 5, 0);
  Route(7, 5, 0);
  Route(40, 6, 0);
  for (unsigned s : {3u, 5u, 7u, 40u}) plic.SetIrq(s, true);
  EXPECT_EQ(Rd(Claim(0)), 40u);
  EXPECT_EQ(Rd(Claim(0)), 5u);
  EXPECT_EQ(Rd(Claim(0)), 7u);
  EXPECT_TRUE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 3u);
  EXPECT_FALSE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 0u);
}

TEST_F(PlicTest, ThresholdMasksLowerOrEqualPriorities) {
  Route(9, 3, 0);
  Wr(Threshold(0), 3);
  plic.SetIrq(9, true);
  EXPECT_FALSE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 0u);
  EXPECT_TRUE(Pending(9));  // a claim of nothing leaves it pending
  Wr(Threshold(0), 2);
  EXPECT_TRUE(Meip());
  Wr(Threshold(0), 7);
  EXPECT_FALSE(Meip());
  Wr(Threshold(0), 0);
  EXPECT_EQ(Rd(Claim(0)), 9u);
}

TEST_F(PlicTest, PriorityZeroNeverInterrupts) {
  Route(8, 0, 0);
  plic.SetIrq(8, true);
  EXPECT_TRUE(Pending(8));
  EXPECT_FALSE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 0u);
  Wr(Prio(8), 1);  // raising the priority raises the output
  EXPECT_TRUE(Meip());
  Wr(Prio(8), 0);
  EXPECT_FALSE(Meip());
}

TEST_F(PlicTest, ContextsDriveMeipAndSeipSeparately) {
  Route(10, 1, 1);  // S-mode context only
  plic.SetIrq(10, true);
  EXPECT_FALSE(Meip());
  EXPECT_TRUE(Seip());
  EXPECT_EQ(Rd(Claim(0)), 0u);
  EXPECT_EQ(Rd(Claim(1)), 10u);
  EXPECT_FALSE(Seip());
  Wr(Claim(1), 10);
  EXPECT_TRUE(Seip());
  // Enabled on both: one gateway, so a claim on either drops both.
  Route(10, 1, 0);
  EXPECT_TRUE(Meip());
  EXPECT_EQ(Rd(Claim(0)), 10u);
  EXPECT_FALSE(Meip());
  EXPECT_FALSE(Seip());
  Wr(Claim(1), 10);  // completed through the other context: accepted
  EXPECT_TRUE(Meip());
  EXPECT_TRUE(Seip());
}

TEST_F(PlicTest, EnableChangesMoveTheOutput) {
  Wr(Prio(33), 4);
  plic.SetIrq(33, true);
  EXPECT_FALSE(Meip());
  Wr(Enable(0, 1), 1u << 1);
  EXPECT_TRUE(Meip());
  Wr(Enable(0, 1), 0);
  EXPECT_FALSE(Meip());
}

TEST_F(PlicTest, BogusCompletesAndSourcesAreIgnored) {
  Route(6, 1, 0);
  plic.SetIrq(6, true);
  Wr(Claim(0), 6);  // not in service: nothing to do
  EXPECT_TRUE(Pending(6));
  EXPECT_TRUE(Meip());
  Wr(Claim(0), 0);
  Wr(Claim(0), 96);
  Wr(Claim(0), 0xffffffff);
  EXPECT_TRUE(Meip());
  plic.SetIrq(0, true);
  plic.SetIrq(96, true);
  plic.SetIrq(100000, true);
  EXPECT_EQ(Rd(kPending), 1u << 6);
  EXPECT_EQ(Rd(kPending + 12), 0u);
}

TEST_F(PlicTest, LinesAreDrivenOnlyWhenTheyChange) {
  Route(2, 1, 0);
  Route(3, 1, 0);
  const int base = hart.line_calls;
  plic.SetIrq(2, true);
  plic.SetIrq(2, true);
  plic.SetIrq(3, true);
  EXPECT_EQ(hart.line_calls, base + 1);
  EXPECT_EQ(Rd(Claim(0)), 2u);  // 3 still pending: MEIP stays high
  EXPECT_EQ(hart.line_calls, base + 1);
}

TEST_F(PlicTest, SourceCountIsClampedAndMasked) {
  FakeHart h;
  Plic small(&h, 33);  // sources 1..32
  uint64_t v;
  ASSERT_TRUE(small.Write(Enable(0, 1), 4, 0xffffffff));
  ASSERT_TRUE(small.Read(Enable(0, 1), 4, &v));
  EXPECT_EQ(v, 1u);  // only source 32
  small.SetIrq(33, true);
  ASSERT_TRUE(small.Read(kPending + 4, 4, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(Plic(&h, 0).num_sources(), 1u);
  EXPECT_EQ(Plic(&h, 5000).num_sources(), Plic::kMaxSources);
}

TEST_F(PlicTest, RejectsNonWordAccesses) {
  uint64_t v;
  for (unsigned size : {1u, 2u, 8u}) {
    EXPECT_FALSE(plic.Read(Prio(1), size, &v));
    EXPECT_FALSE(plic.Write(Claim(0), size, 1));
  }
  EXPECT_FALSE(plic.Read(Prio(1) + 2, 4, &v));
  EXPECT_TRUE(plic.Read(Plic::kSize - 4, 4, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(plic.Read(Plic::kSize, 4, &v));
}

TEST_F(PlicTest, HostileAccessesNeverCrash) {
  unsigned n = 0;
  auto poke = [&](uint64_t off) {
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      uint64_t v = 77;
      const bool ok = plic.Read(off, size, &v);
      EXPECT_EQ(ok, size == 4 && off % 4 == 0);
      if (!ok) {
        EXPECT_EQ(v, 0u);
      }
      plic.Write(off, size, (n & 1) ? ~0ull : n);
      plic.SetIrq(n % 100, n & 2);
      ++n;
    }
  };
  for (uint64_t off = 0; off < 0x3000; ++off) poke(off);
  for (uint64_t off = Plic::kContextBase; off < Plic::kContextBase + 0x3000; ++off) poke(off);
  for (uint64_t off = 0; off < Plic::kSize; off += 0xffc) poke(off);
  // Whatever happened, the outputs agree with the state and the invariant
  // pending == line & ~in_service holds.
  const Plic::State& s = plic.state();
  for (unsigned w = 0; w < Plic::kWords; ++w) EXPECT_EQ(s.pending[w], s.line[w] & ~s.in_service[w]);
  EXPECT_EQ(Meip(), s.output[0] != 0);
  EXPECT_EQ(Seip(), s.output[1] != 0);
}

}  // namespace
}  // namespace tapvm
