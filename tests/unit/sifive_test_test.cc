#include "emulator/devices/sifive_test.h"

#include <gtest/gtest.h>

namespace tapvm {
namespace {

TEST(SifiveTestTest, StartsWithNoRequest) {
  SifiveTest dev;
  EXPECT_EQ(dev.request().kind, FinishRequest::kNone);
  uint64_t v = 1;
  EXPECT_TRUE(dev.Read(0, 4, &v));
  EXPECT_EQ(v, 0u);
}

TEST(SifiveTestTest, PassFailReset) {
  SifiveTest dev;
  ASSERT_TRUE(dev.Write(0, 4, 0x5555));
  EXPECT_EQ(dev.request().kind, FinishRequest::kPass);
  dev.Clear();
  EXPECT_EQ(dev.request().kind, FinishRequest::kNone);
  ASSERT_TRUE(dev.Write(0, 4, (42u << 16) | 0x3333));
  EXPECT_EQ(dev.request().kind, FinishRequest::kFail);
  EXPECT_EQ(dev.request().code, 42u);
  dev.Clear();
  ASSERT_TRUE(dev.Write(0, 4, 0xffff3333));
  EXPECT_EQ(dev.request().code, 0xffffu);
  dev.Clear();
  ASSERT_TRUE(dev.Write(0, 4, 0x7777));
  EXPECT_EQ(dev.request().kind, FinishRequest::kReset);
  EXPECT_EQ(dev.state().request.kind, FinishRequest::kReset);
}

TEST(SifiveTestTest, OtherValuesAndOffsetsAreIgnored) {
  SifiveTest dev;
  for (uint32_t v : {0u, 0x1234u, 0x5556u, 0x3334u, 0x55550000u, 0x77770000u}) {
    ASSERT_TRUE(dev.Write(0, 4, v));
    EXPECT_EQ(dev.request().kind, FinishRequest::kNone) << std::hex << v;
  }
  ASSERT_TRUE(dev.Write(4, 4, 0x5555));
  ASSERT_TRUE(dev.Write(0xffc, 4, 0x5555));
  EXPECT_EQ(dev.request().kind, FinishRequest::kNone);
}

TEST(SifiveTestTest, SizesAsQemu) {
  SifiveTest dev;
  uint64_t v;
  EXPECT_FALSE(dev.Write(0, 1, 0x55));
  EXPECT_FALSE(dev.Write(0, 8, 0x5555));
  EXPECT_FALSE(dev.Read(0, 1, &v));
  EXPECT_FALSE(dev.Read(0, 8, &v));
  EXPECT_FALSE(dev.Write(2, 4, 0x5555));  // misaligned
  EXPECT_EQ(dev.request().kind, FinishRequest::kNone);
  // A halfword write carries a command with code 0 (QEMU exits 0 on it).
  ASSERT_TRUE(dev.Write(0, 2, 0xabcd3333));
  EXPECT_EQ(dev.request().kind, FinishRequest::kFail);
  EXPECT_EQ(dev.request().code, 0u);
}

TEST(SifiveTestTest, FirstRequestStandsUntilCleared) {
  SifiveTest dev;
  ASSERT_TRUE(dev.Write(0, 4, 0x5555));
  ASSERT_TRUE(dev.Write(0, 4, (3u << 16) | 0x3333));
  EXPECT_EQ(dev.request().kind, FinishRequest::kPass);
  dev.Clear();
  ASSERT_TRUE(dev.Write(0, 4, (3u << 16) | 0x3333));
  EXPECT_EQ(dev.request().kind, FinishRequest::kFail);
  EXPECT_EQ(dev.request().code, 3u);
}

TEST(SifiveTestTest, HostileAccessesNeverCrash) {
  SifiveTest dev;
  for (uint64_t off = 0; off < SifiveTest::kSize; ++off) {
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      uint64_t v = 5;
      const bool ok = dev.Read(off, size, &v);
      EXPECT_EQ(ok, (size == 2 || size == 4) && off % size == 0);
      EXPECT_EQ(v, 0u);
      if (off != 0) dev.Write(off, size, 0x5555);
    }
  }
  EXPECT_EQ(dev.request().kind, FinishRequest::kNone);
}

}  // namespace
}  // namespace tapvm
