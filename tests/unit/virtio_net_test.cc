// VirtioNet behind VirtioMmio: transmit through the tap, receive from
// injected NetFrameIn inputs, the receive backlog, config space and link.
#include "emulator/devices/virtio/virtio_net.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/unit/virtio_test_harness.h"

namespace tapvm {
namespace {

using namespace virtio_test;
using N = VirtioNet;
using M = VirtioMmio;

constexpr TapDeviceId kDev = 5;
constexpr uint64_t kRxBuf = kBufBase;             // 64 receive buffers of 2 KiB
constexpr uint64_t kTxBuf = kBufBase + 0x40000;

std::vector<uint8_t> Frame(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed ^ (i * 13));
  return v;
}

class VirtioNetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net = std::make_unique<VirtioNet>(kDev, &tap, N::Options{});
    dev = std::make_unique<VirtioMmio>("virtio1", &mem.bus, &irq, kLine, net.get());
    driver = std::make_unique<GuestDriver>(&mem, dev.get());
  }
  void Init(uint16_t size = 64) {
    std::vector<GuestRing> r = driver->Init(~0ull, size);
    rx = r[0];
    tx = r[1];
  }
  uint16_t PostRx(int i, uint32_t len = 2048) { return rx.AddChain({{kRxBuf + 0x800ull * i, len, true}}); }
  void Receive(const std::vector<uint8_t>& frame) { tap.Inject(kDev, NetFrameIn{kDev, frame}); }
  std::vector<uint8_t> Header(int i) { return mem.Bytes(kRxBuf + 0x800ull * i, N::kHeaderBytes); }

  GuestMemory mem;
  FakeIrq irq;
  FakeTap tap;
  std::unique_ptr<VirtioNet> net;
  std::unique_ptr<VirtioMmio> dev;
  std::unique_ptr<GuestDriver> driver;
  GuestRing rx, tx;
};

TEST_F(VirtioNetTest, IdentityFeaturesAndConfig) {
  EXPECT_EQ(tap.sinks.at(kDev), net.get());
  EXPECT_EQ(driver->Rd(M::kDeviceId), 1u);
  EXPECT_EQ(driver->DeviceFeatures(), N::kFMac | N::kFStatus | M::kTransportFeatures);
  EXPECT_EQ(driver->Rd(M::kConfig), 0x12005452u);  // 52:54:00:12
  EXPECT_EQ(driver->Rd(M::kConfig + 4), 0x00015634u);  // 34:56, status LINK_UP
  EXPECT_EQ(driver->Rd(M::kConfig + 8), 1u);           // max_virtqueue_pairs
  Init();
  EXPECT_EQ(dev->num_queues(), 2u);
}

TEST_F(VirtioNetTest, Transmit) {
  Init();
  const std::vector<uint8_t> frame = Frame(60, 1);
  // The header alone, then the frame in two pieces.
  mem.Write(kTxBuf, std::vector<uint8_t>(12, 0xcc));
  mem.Write(kTxBuf + 0x100, std::vector<uint8_t>(frame.begin(), frame.begin() + 20));
  mem.Write(kTxBuf + 0x200, std::vector<uint8_t>(frame.begin() + 20, frame.end()));
  const uint16_t head = tx.AddChain({{kTxBuf, 12, false}, {kTxBuf + 0x100, 20, false}, {kTxBuf + 0x200, 40, false}});
  driver->Kick(N::kTxQueue);
  ASSERT_EQ(tap.frames.size(), 1u);
  EXPECT_EQ(tap.frames[0].dev, kDev);
  EXPECT_EQ(tap.frames[0].bytes, frame);
  const GuestRing::Used u = tx.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 0u);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(net->stats().tx_frames, 1u);
}

TEST_F(VirtioNetTest, TransmitHeaderAndFrameInOneBuffer) {
  Init();
  const std::vector<uint8_t> frame = Frame(1514, 2);
  mem.Write(kTxBuf, std::vector<uint8_t>(12, 0));
  mem.Write(kTxBuf + 12, frame);
  tx.AddChain({{kTxBuf, 12 + 1514, false}});
  tx.AddChain({{kTxBuf, 12 + 60, false}});
  driver->Kick(N::kTxQueue);
  ASSERT_EQ(tap.frames.size(), 2u);
  EXPECT_EQ(tap.frames[0].bytes, frame);
  EXPECT_EQ(tap.frames[1].bytes.size(), 60u);
  EXPECT_EQ(tx.UsedIdx(), 2);
}

TEST_F(VirtioNetTest, TransmitShortOrHugeChainsAreDropped) {
  Init();
  tx.AddChain({{kTxBuf, 8, false}});  // shorter than the header
  tx.AddIndirect(kTxBuf + 0x10000, {{kTxBuf, 12, false}, {kRxBuf, 0x8000, false}, {kRxBuf, 0x8000, false},
                                    {kRxBuf, 0x8000, false}});  // 96 KiB frame
  driver->Kick(N::kTxQueue);
  EXPECT_TRUE(tap.frames.empty());
  EXPECT_EQ(tx.UsedIdx(), 2);  // both returned
  EXPECT_EQ(net->stats().tx_dropped, 2u);
  EXPECT_FALSE(driver->NeedsReset());
}

TEST_F(VirtioNetTest, Receive) {
  Init();
  const uint16_t head = PostRx(0);
  driver->Kick(N::kRxQueue);  // nothing to deliver yet
  EXPECT_FALSE(rx.HasUsed());
  mem.Write(kRxBuf, std::vector<uint8_t>(32, 0xff));
  const std::vector<uint8_t> frame = Frame(98, 3);
  Receive(frame);
  const GuestRing::Used u = rx.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 12u + 98);
  std::vector<uint8_t> hdr(12, 0);
  hdr[10] = 1;  // num_buffers
  EXPECT_EQ(Header(0), hdr);
  EXPECT_EQ(mem.Bytes(kRxBuf + 12, 98), frame);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(net->stats().rx_frames, 1u);
}

TEST_F(VirtioNetTest, ReceiveIntoHeaderAndPayloadBuffers) {
  Init();
  rx.AddChain({{kRxBuf, 12, true}, {kRxBuf + 0x100, 1514, true}});
  const std::vector<uint8_t> frame = Frame(1514, 4);
  Receive(frame);
  EXPECT_EQ(rx.PopUsed().len, 12u + 1514);
  EXPECT_EQ(mem.Bytes(kRxBuf + 0x100, 1514), frame);
}

TEST_F(VirtioNetTest, FramesWaitForBuffers) {
  Init();
  for (int i = 0; i < 3; ++i) Receive(Frame(64, static_cast<uint8_t>(i)));
  EXPECT_EQ(net->rx_backlog(), 3u);
  EXPECT_FALSE(irq.level());
  PostRx(0);
  PostRx(1);
  driver->Kick(N::kRxQueue);
  EXPECT_EQ(rx.UsedIdx(), 2);
  EXPECT_EQ(net->rx_backlog(), 1u);
  EXPECT_EQ(mem.Bytes(kRxBuf + 12, 64), Frame(64, 0));
  EXPECT_EQ(mem.Bytes(kRxBuf + 0x800 + 12, 64), Frame(64, 1));
  PostRx(2);
  driver->Kick(N::kRxQueue);
  EXPECT_EQ(net->rx_backlog(), 0u);
  EXPECT_EQ(mem.Bytes(kRxBuf + 0x1000 + 12, 64), Frame(64, 2));
}

TEST_F(VirtioNetTest, BacklogIsBounded) {
  Init();
  for (size_t i = 0; i < N::kMaxRxBacklog + 10; ++i) Receive(Frame(60, static_cast<uint8_t>(i)));
  EXPECT_EQ(net->rx_backlog(), N::kMaxRxBacklog);
  EXPECT_EQ(net->stats().rx_dropped, 10u);
}

TEST_F(VirtioNetTest, FrameTooBigForTheBufferIsDropped) {
  Init();
  const uint16_t head = PostRx(0, 100);
  PostRx(1);
  Receive(Frame(200, 5));  // 212 bytes do not fit in 100
  const GuestRing::Used u = rx.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 0u);
  EXPECT_EQ(net->stats().rx_too_big, 1u);
  Receive(Frame(200, 6));  // the next buffer is big enough
  EXPECT_EQ(rx.PopUsed().len, 212u);
}

TEST_F(VirtioNetTest, FramesBeforeDriverOkOrWithLinkDownAreDropped) {
  Receive(Frame(60, 0));
  EXPECT_EQ(net->rx_backlog(), 0u);
  Init();
  const uint32_t gen = driver->Rd(M::kConfigGeneration);
  net->SetLinkUp(false);
  EXPECT_EQ(driver->Rd(M::kConfig + 6) & 0xffff, 0u);
  EXPECT_EQ(driver->Rd(M::kConfigGeneration), gen + 1);
  EXPECT_EQ(driver->AckInterrupt(), M::kIntConfigChange);
  PostRx(0);
  Receive(Frame(60, 0));
  EXPECT_FALSE(rx.HasUsed());
  EXPECT_EQ(net->stats().rx_dropped, 2u);
  net->SetLinkUp(true);
  EXPECT_EQ(driver->Rd(M::kConfig + 6) & 0xffff, 1u);
  Receive(Frame(60, 0));
  EXPECT_TRUE(rx.HasUsed());
}

TEST_F(VirtioNetTest, ResetDropsTheBacklog) {
  Init();
  Receive(Frame(60, 0));
  ASSERT_EQ(net->rx_backlog(), 1u);
  driver->Wr(M::kStatus, 0);
  EXPECT_EQ(net->rx_backlog(), 0u);
}

TEST_F(VirtioNetTest, MalformedReceiveChainNeedsReset) {
  Init();
  rx.AddChain({{kRxBuf, 64, true}, {kRxBuf + 0x100, 64, false}});  // readable after writable
  Receive(Frame(60, 0));
  EXPECT_TRUE(driver->NeedsReset());
  EXPECT_NE(dev->last_error().find("queue 0"), std::string::npos);
  Receive(Frame(60, 1));  // ignored, no crash
  EXPECT_FALSE(rx.HasUsed());
}

}  // namespace
}  // namespace tapvm
