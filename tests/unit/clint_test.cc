#include "emulator/devices/clint.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tapvm {
namespace {

// A hart whose clock the test sets and whose mip the test inspects.
class FakeHart : public HartPort {
 public:
  void SetInterruptLine(uint64_t bits, bool level) override {
    mip = level ? (mip | bits) : (mip & ~bits);
    ++line_calls;
  }
  uint64_t Mtime() const override { return now; }

  uint64_t mip = 0;
  uint64_t now = 0;
  int line_calls = 0;
};

constexpr uint64_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8;

class ClintTest : public ::testing::Test {
 protected:
  uint64_t Rd(uint64_t off, unsigned size) {
    uint64_t v = 0xdead;
    EXPECT_TRUE(clint.Read(off, size, &v)) << std::hex << off << " size " << size;
    return v;
  }
  void Wr(uint64_t off, unsigned size, uint64_t v) {
    EXPECT_TRUE(clint.Write(off, size, v)) << std::hex << off << " size " << size;
  }
  bool Mtip() const { return hart.mip & kMipMTIP; }
  bool Msip() const { return hart.mip & kMipMSIP; }

  FakeHart hart;
  Clint clint{&hart};
};

TEST_F(ClintTest, ResetStateMatchesQemu) {
  // mtimecmp resets to 0, so MTIP is high out of reset (as on QEMU 7.2).
  EXPECT_EQ(Rd(kMtimecmp, 8), 0u);
  EXPECT_EQ(Rd(kMtime, 8), 0u);
  EXPECT_EQ(Rd(kMsip, 4), 0u);
  EXPECT_TRUE(Mtip());
  EXPECT_FALSE(Msip());
}

TEST_F(ClintTest, MsipBitZeroDrivesMsip) {
  Wr(kMsip, 4, 1);
  EXPECT_TRUE(Msip());
  EXPECT_EQ(Rd(kMsip, 4), 1u);
  Wr(kMsip, 4, 0xfffffffe);  // bit 0 clear: the other bits are ignored
  EXPECT_FALSE(Msip());
  EXPECT_EQ(Rd(kMsip, 4), 0u);
  Wr(kMsip, 4, 0xffffffff);
  EXPECT_TRUE(Msip());
  EXPECT_EQ(Rd(kMsip, 4), 1u);
  EXPECT_FALSE(clint.Write(kMsip, 8, 0));  // msip is a 32-bit register
  EXPECT_FALSE(clint.Write(kMsip, 1, 0));
  EXPECT_TRUE(Msip());
}

TEST_F(ClintTest, MtimeIsHartTimePlusOffset) {
  hart.now = 1000;
  EXPECT_EQ(Rd(kMtime, 8), 1000u);
  Wr(kMtime, 8, 5000);
  EXPECT_EQ(Rd(kMtime, 8), 5000u);
  hart.now = 1010;
  EXPECT_EQ(Rd(kMtime, 8), 5010u);
  EXPECT_EQ(clint.GuestMtime(1010), 5010u);
  // 4-byte halves.
  Wr(kMtime + 4, 4, 0x12);
  EXPECT_EQ(Rd(kMtime, 8), 0x12'0000'0000ull + 5010);
  EXPECT_EQ(Rd(kMtime + 4, 4), 0x12u);
  EXPECT_EQ(Rd(kMtime, 4), 5010u);
  Wr(kMtime, 4, 0xffffffff);
  EXPECT_EQ(Rd(kMtime, 8), 0x12'ffff'ffffull);
}

TEST_F(ClintTest, MtimecmpHalvesAndFullWidth) {
  Wr(kMtimecmp, 4, 0x89abcdef);
  Wr(kMtimecmp + 4, 4, 0x01234567);
  EXPECT_EQ(Rd(kMtimecmp, 8), 0x0123456789abcdefull);
  EXPECT_EQ(Rd(kMtimecmp, 4), 0x89abcdefu);
  EXPECT_EQ(Rd(kMtimecmp + 4, 4), 0x01234567u);
  Wr(kMtimecmp, 8, 0xfedcba9876543210ull);
  EXPECT_EQ(Rd(kMtimecmp, 8), 0xfedcba9876543210ull);
  EXPECT_EQ(clint.state().mtimecmp[0], 0xfedcba9876543210ull);
}

TEST_F(ClintTest, MtipFollowsMtimeAndMtimecmp) {
  hart.now = 1000;
  Wr(kMtimecmp, 8, 2000);
  EXPECT_FALSE(Mtip());
  EXPECT_EQ(clint.NextDeadline(1000), 2000u);
  EXPECT_EQ(clint.NextDeadline(1999), 2000u);
  clint.Tick(1999);
  EXPECT_FALSE(Mtip());
  clint.Tick(2000);
  EXPECT_TRUE(Mtip());
  // Already fired: nothing left to wait for.
  EXPECT_EQ(clint.NextDeadline(2000), UINT64_MAX);
  // Moving mtimecmp into the past or the future re-evaluates on the write.
  hart.now = 2500;
  Wr(kMtimecmp, 8, 3000);
  EXPECT_FALSE(Mtip());
  Wr(kMtimecmp, 8, 2500);
  EXPECT_TRUE(Mtip());
  Wr(kMtimecmp, 8, UINT64_MAX);
  EXPECT_FALSE(Mtip());
}

TEST_F(ClintTest, MtimeWriteReevaluatesAndShiftsDeadline) {
  hart.now = 1000;
  Wr(kMtimecmp, 8, 5000);
  EXPECT_FALSE(Mtip());
  Wr(kMtime, 8, 6000);  // guest time jumps past mtimecmp
  EXPECT_TRUE(Mtip());
  Wr(kMtime, 8, 0);  // guest time = hart time - 1000
  EXPECT_FALSE(Mtip());
  EXPECT_EQ(clint.NextDeadline(1000), 6000u);  // in the hart's time
  clint.Tick(5999);
  EXPECT_FALSE(Mtip());
  clint.Tick(6000);
  EXPECT_TRUE(Mtip());
}

TEST_F(ClintTest, DeadlinePastTheEndOfTimeIsNever) {
  hart.now = 10;
  Wr(kMtime, 8, 0);  // offset = -10
  Wr(kMtimecmp, 8, UINT64_MAX);
  // The hart would have to reach UINT64_MAX + 10: never.
  EXPECT_EQ(clint.NextDeadline(10), UINT64_MAX);
}

TEST_F(ClintTest, LinesAreDrivenOnlyWhenTheyChange) {
  hart.now = 100;
  Wr(kMtimecmp, 8, 200);
  const int calls = hart.line_calls;
  for (uint64_t t = 100; t < 200; t += 10) clint.Tick(t);
  Wr(kMtimecmp, 8, 300);
  Wr(kMsip, 4, 0);
  EXPECT_EQ(hart.line_calls, calls);
  clint.Tick(300);
  clint.Tick(301);
  EXPECT_EQ(hart.line_calls, calls + 1);
}

TEST_F(ClintTest, AbsentHartsReadZeroAndIgnoreWrites) {
  Wr(kMsip + 4, 4, 1);
  EXPECT_EQ(Rd(kMsip + 4, 4), 0u);
  EXPECT_FALSE(Msip());
  Wr(kMtimecmp + 8, 8, 1234);
  EXPECT_EQ(Rd(kMtimecmp + 8, 8), 0u);
  EXPECT_EQ(Rd(kMtimecmp, 8), 0u);
}

TEST_F(ClintTest, RejectsWhatQemuRejects) {
  uint64_t v;
  EXPECT_FALSE(clint.Read(kMsip, 8, &v));
  EXPECT_FALSE(clint.Read(kMsip, 2, &v));
  EXPECT_FALSE(clint.Read(kMsip + 2, 4, &v));  // misaligned
  EXPECT_FALSE(clint.Read(kMtimecmp, 2, &v));
  EXPECT_FALSE(clint.Read(kMtimecmp, 1, &v));
  EXPECT_FALSE(clint.Read(kMtimecmp + 4, 8, &v));  // misaligned
  EXPECT_FALSE(clint.Read(0xc000, 4, &v));        // past the decoded area
  EXPECT_FALSE(clint.Write(0xfff8, 8, 0));
  EXPECT_TRUE(clint.Read(0xbff0, 8, &v));  // unused timer word
  EXPECT_EQ(v, 0u);
}

TEST_F(ClintTest, ResetRestartsMtimeAtZero) {
  hart.now = 777;
  Wr(kMtimecmp, 8, 10000);
  Wr(kMsip, 4, 1);
  clint.Reset();
  EXPECT_EQ(Rd(kMtime, 8), 0u);
  EXPECT_EQ(Rd(kMtimecmp, 8), 0u);
  EXPECT_TRUE(Mtip());
  EXPECT_FALSE(Msip());
}

TEST_F(ClintTest, HostileAccessesNeverCrash) {
  hart.now = 5;
  const uint64_t patterns[] = {0, 1, 0xffffffffffffffffull, 0x8000000000000001ull};
  for (uint64_t off = 0; off < Clint::kSize; ++off) {
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      uint64_t v = 0x1234;
      const bool ok = clint.Read(off, size, &v);
      if (!ok) {
        EXPECT_EQ(v, 0u);
      }
      const bool aligned = (off % size) == 0;
      if (!aligned || off >= 0xc000) {
        EXPECT_FALSE(ok);
      }
      clint.Write(off, size, patterns[(off + size) % 4]);
      (void)clint.NextDeadline(hart.now);
      clint.Tick(hart.now++);
    }
  }
  // The lines mirror the state whatever happened.
  clint.Tick(hart.now);
  EXPECT_EQ(Mtip(), clint.GuestMtime(hart.now) >= clint.state().mtimecmp[0]);
  EXPECT_EQ(Mtip(), clint.state().mtip[0] != 0);
  EXPECT_EQ(Msip(), clint.state().msip[0] != 0);
}

}  // namespace
}  // namespace tapvm
