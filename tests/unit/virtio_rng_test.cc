// VirtioRng behind VirtioMmio: entropy requests go to the tap one at a
// time, EntropyIn inputs fill the waiting buffers in order.
#include "emulator/devices/virtio/virtio_rng.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/unit/virtio_test_harness.h"

namespace tapvm {
namespace {

using namespace virtio_test;
using R = VirtioRng;
using M = VirtioMmio;

constexpr TapDeviceId kDev = 7;

class VirtioRngTest : public ::testing::Test {
 protected:
  void SetUp() override { ring = driver.Init(~0ull, 16)[0]; }
  void Answer(std::vector<uint8_t> bytes) { tap.Inject(kDev, EntropyIn{kDev, std::move(bytes)}); }
  uint64_t Buf(int i) { return kBufBase + 0x1000ull * i; }

  GuestMemory mem;
  FakeIrq irq;
  FakeTap tap;
  VirtioRng rng{kDev, &tap};
  VirtioMmio dev{"virtio2", &mem.bus, &irq, kLine, &rng};
  GuestDriver driver{&mem, &dev};
  GuestRing ring;
};

TEST_F(VirtioRngTest, Identity) {
  EXPECT_EQ(tap.sinks.at(kDev), &rng);
  EXPECT_EQ(driver.Rd(M::kDeviceId), 4u);
  EXPECT_EQ(driver.DeviceFeatures(), M::kTransportFeatures);
  EXPECT_EQ(driver.Rd(M::kConfig), 0u);
}

TEST_F(VirtioRngTest, FillsABuffer) {
  const uint16_t head = ring.AddChain({{Buf(0), 32, true}});
  driver.Kick(0);
  ASSERT_EQ(tap.entropy.size(), 1u);
  EXPECT_EQ(tap.entropy[0].dev, kDev);
  EXPECT_EQ(tap.entropy[0].max_bytes, 32u);
  EXPECT_FALSE(ring.HasUsed());
  std::vector<uint8_t> bytes(32);
  for (int i = 0; i < 32; ++i) bytes[i] = static_cast<uint8_t>(i * 31 + 7);
  Answer(bytes);
  const GuestRing::Used u = ring.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 32u);
  EXPECT_EQ(mem.Bytes(Buf(0), 32), bytes);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(rng.stats().bytes_given, 32u);
}

TEST_F(VirtioRngTest, OneRequestAtATimeAnsweredInOrder) {
  const uint16_t h0 = ring.AddChain({{Buf(0), 16, true}});
  const uint16_t h1 = ring.AddChain({{Buf(1), 64, true}});
  driver.Kick(0);
  EXPECT_EQ(rng.waiting(), 2u);
  ASSERT_EQ(tap.entropy.size(), 1u);  // only the first asked for
  Answer(std::vector<uint8_t>(16, 0xaa));
  EXPECT_EQ(ring.PopUsed().id, h0);
  ASSERT_EQ(tap.entropy.size(), 2u);  // then the second
  EXPECT_EQ(tap.entropy[1].max_bytes, 64u);
  Answer(std::vector<uint8_t>(10, 0xbb));  // fewer bytes than asked: fine
  const GuestRing::Used u = ring.PopUsed();
  EXPECT_EQ(u.id, h1);
  EXPECT_EQ(u.len, 10u);
  EXPECT_EQ(tap.entropy.size(), 2u);
}

TEST_F(VirtioRngTest, RequestsAreCappedAndAnswersTruncated) {
  ring.AddChain({{Buf(0), 0x10000, true}});
  driver.Kick(0);
  ASSERT_EQ(tap.entropy.size(), 1u);
  EXPECT_EQ(tap.entropy[0].max_bytes, R::kMaxRequestBytes);
  ring.AddChain({{Buf(0x20), 8, true}});
  Answer(std::vector<uint8_t>(R::kMaxRequestBytes, 1));
  EXPECT_EQ(ring.PopUsed().len, R::kMaxRequestBytes);
  driver.Kick(0);
  mem.Write(Buf(0x20) + 8, std::vector<uint8_t>(8, 0x33));
  Answer(std::vector<uint8_t>(100, 2));  // a tap that gives too much
  EXPECT_EQ(ring.PopUsed().len, 8u);
  EXPECT_EQ(mem.Bytes(Buf(0x20) + 8, 8), std::vector<uint8_t>(8, 0x33));  // nothing past the buffer
}

TEST_F(VirtioRngTest, ReadOnlyChainIsReturnedEmpty) {
  const uint16_t head = ring.AddChain({{Buf(0), 16, false}});
  driver.Kick(0);
  EXPECT_TRUE(tap.entropy.empty());
  const GuestRing::Used u = ring.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 0u);
}

TEST_F(VirtioRngTest, AnswerAfterResetFillsTheNextBufferOrIsDropped) {
  ring.AddChain({{Buf(0), 16, true}});
  driver.Kick(0);
  ASSERT_EQ(tap.entropy.size(), 1u);
  ring = driver.Init(~0ull, 16)[0];  // reset with the request outstanding
  EXPECT_EQ(rng.waiting(), 0u);
  EXPECT_EQ(rng.outstanding(), 1u);
  const uint16_t head = ring.AddChain({{Buf(1), 16, true}});
  driver.Kick(0);
  EXPECT_EQ(tap.entropy.size(), 1u);  // no second request while one is outstanding
  Answer(std::vector<uint8_t>(16, 0x5a));
  EXPECT_EQ(ring.PopUsed().id, head);
  EXPECT_EQ(mem.Bytes(Buf(1), 16), std::vector<uint8_t>(16, 0x5a));

  Answer(std::vector<uint8_t>(16, 0));  // nobody asked: dropped
  EXPECT_EQ(rng.stats().stale_answers, 1u);
  EXPECT_FALSE(ring.HasUsed());
}

}  // namespace
}  // namespace tapvm
