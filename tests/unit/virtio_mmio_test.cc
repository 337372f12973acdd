// VirtioMmio: registers, feature negotiation, queue setup, reset,
// interrupts, and DEVICE_NEEDS_RESET on every kind of invalid guest
// behaviour, with a small echo model behind it.
#include "emulator/devices/virtio/virtio_mmio.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "tests/unit/virtio_test_harness.h"

namespace tapvm {
namespace {

using namespace virtio_test;
using M = VirtioMmio;

// Returns each chain with its writable byte count as used length; has a
// small read/write configuration space.
class EchoModel : public VirtioDeviceModel {
 public:
  static constexpr uint64_t kFeatureBit0 = 1;
  uint32_t device_id() const override { return 42; }
  uint64_t device_features() const override { return kFeatureBit0; }
  unsigned num_queues() const override { return 2; }
  uint16_t queue_max_size(unsigned q) const override { return q == 0 ? 16 : 8; }
  uint32_t config_size() const override { return sizeof config; }
  void ReadConfig(uint32_t offset, std::span<uint8_t> data) override {
    std::memcpy(data.data(), config + offset, data.size());
  }
  void WriteConfig(uint32_t offset, std::span<const uint8_t> data) override {
    for (size_t i = 0; i < data.size(); ++i)
      if (offset + i >= 4) config[offset + i] = data[i];  // bytes 0..3 are read-only
  }
  void Attach(VirtioTransport* t) override { transport = t; }
  void HashState(StateHasher& h) const override { h.Add(activations); }
  void SaveState(StateWriter& w) const override { w.Put(activations); }
  Status LoadState(StateReader& r) override {
    const int a = r.Get<int>();
    if (r.ok()) activations = a;
    return r.status();
  }
  void Activate() override { ++activations; }
  void Notify(unsigned q) override {
    ++notifies;
    VirtqChain c;
    bool any = false;
    while (transport->PopChain(q, &c)) {
      transport->PushUsed(q, c.head, static_cast<uint32_t>(c.writable_bytes));
      any = true;
    }
    if (any) transport->NotifyUsed(q);
  }
  void Reset() override { ++resets; }

  VirtioTransport* transport = nullptr;
  uint8_t config[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  int activations = 0, notifies = 0, resets = 0;
};

class VirtioMmioTest : public ::testing::Test {
 protected:
  uint64_t Read(uint64_t off, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(dev.Read(off, size, &v));
    return v;
  }
  void ExpectNeedsReset(const std::string& why) {
    EXPECT_TRUE(driver.NeedsReset());
    EXPECT_FALSE(dev.live());
    EXPECT_NE(dev.last_error().find(why), std::string::npos) << "error was: " << dev.last_error();
  }

  GuestMemory mem;
  FakeIrq irq;
  EchoModel model;
  VirtioMmio dev{"virtio0", &mem.bus, &irq, kLine, &model};
  GuestDriver driver{&mem, &dev};
};

TEST_F(VirtioMmioTest, IdentificationRegisters) {
  EXPECT_EQ(driver.Rd(M::kMagicValue), 0x74726976u);
  EXPECT_EQ(driver.Rd(M::kVersionReg), 2u);
  EXPECT_EQ(driver.Rd(M::kDeviceId), 42u);
  EXPECT_EQ(driver.Rd(M::kVendorIdReg), 0x554d4551u);
  EXPECT_EQ(driver.DeviceFeatures(),
            EchoModel::kFeatureBit0 | kVirtioFVersion1 | kVirtioFRingIndirectDesc | kVirtioFRingEventIdx);
  driver.Wr(M::kDeviceFeaturesSel, 2);
  EXPECT_EQ(driver.Rd(M::kDeviceFeatures), 0u);
  EXPECT_EQ(dev.name(), "virtio0");
  EXPECT_EQ(irq.changes, 1);  // driven low by the constructor
  EXPECT_FALSE(irq.level());
}

TEST_F(VirtioMmioTest, ControlRegistersTakeOnlyAlignedWords) {
  uint64_t v;
  EXPECT_FALSE(dev.Read(M::kMagicValue, 2, &v));
  EXPECT_FALSE(dev.Read(M::kMagicValue, 8, &v));
  EXPECT_FALSE(dev.Read(M::kMagicValue + 1, 4, &v));
  EXPECT_FALSE(dev.Write(M::kStatus, 1, 1));
  EXPECT_FALSE(dev.Write(M::kStatus + 2, 4, 1));
  EXPECT_EQ(Read(0x0e8, 4), 0u);  // reserved word
  EXPECT_TRUE(dev.Write(0x0e8, 4, 5));
  EXPECT_TRUE(dev.Write(M::kMagicValue, 4, 5));  // read-only: ignored
  EXPECT_EQ(driver.Rd(M::kMagicValue), M::kMagic);
  EXPECT_EQ(driver.Rd(M::kShmLenLow), 0xffffffffu);  // no shared memory
  EXPECT_EQ(driver.Rd(M::kShmBaseHigh), 0xffffffffu);
  EXPECT_EQ(driver.Rd(M::kQueueReset), 0u);
}

TEST_F(VirtioMmioTest, ConfigSpaceAnyWidth) {
  EXPECT_EQ(Read(M::kConfig, 1), 0x11u);
  EXPECT_EQ(Read(M::kConfig + 1, 2), 0x3322u);
  EXPECT_EQ(Read(M::kConfig + 4, 4), 0x88776655u);
  EXPECT_EQ(Read(M::kConfig, 8), 0x8877665544332211ull);
  EXPECT_EQ(Read(M::kConfig + 6, 4), 0x8877u);  // past config_size reads 0
  EXPECT_EQ(Read(M::kConfig + 0x200, 4), 0u);
  uint64_t v;
  EXPECT_FALSE(dev.Read(M::kConfig, 3, &v));
  EXPECT_TRUE(dev.Write(M::kConfig + 2, 4, 0xaabbccdd));
  EXPECT_EQ(Read(M::kConfig, 8), 0x8877aabb44332211ull);  // bytes 2,3 read-only
  EXPECT_TRUE(dev.Write(M::kConfig + 7, 8, 0));         // partly past the end
  EXPECT_EQ(Read(M::kConfig + 7, 1), 0u);
  EXPECT_TRUE(dev.Write(M::kConfig + 0xe00, 4, 1));     // wholly past: ignored
}

TEST_F(VirtioMmioTest, FeaturesOkNeedsVersion1) {
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
  driver.WriteDriverFeatures(EchoModel::kFeatureBit0);  // legacy driver
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusFeaturesOk);
  EXPECT_EQ(driver.Rd(M::kStatus), M::kStatusAcknowledge | M::kStatusDriver);
}

TEST_F(VirtioMmioTest, FeaturesOkRefusesFeaturesNotOffered) {
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
  driver.WriteDriverFeatures(kVirtioFVersion1 | (1ull << 7));
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusFeaturesOk);
  EXPECT_EQ(driver.Rd(M::kStatus) & M::kStatusFeaturesOk, 0u);
}

TEST_F(VirtioMmioTest, NegotiationFreezesDriverFeatures) {
  ASSERT_TRUE(driver.Negotiate(kVirtioFVersion1 | kVirtioFRingEventIdx));
  EXPECT_EQ(dev.driver_features(), kVirtioFVersion1 | kVirtioFRingEventIdx);
  driver.WriteDriverFeatures(kVirtioFVersion1);
  EXPECT_EQ(dev.driver_features(), kVirtioFVersion1 | kVirtioFRingEventIdx);
}

TEST_F(VirtioMmioTest, ProbingAQueueThatDoesNotExistIsNotAnError) {
  driver.Wr(M::kQueueSel, 2);
  EXPECT_EQ(driver.Rd(M::kQueueReady), 0u);
  EXPECT_EQ(driver.Rd(M::kQueueNumMax), 0u);
  EXPECT_FALSE(driver.NeedsReset());
  driver.Wr(M::kQueueSel, 1);
  EXPECT_EQ(driver.Rd(M::kQueueNumMax), 8u);
}

TEST_F(VirtioMmioTest, RequestRoundTripAndInterrupt) {
  std::vector<GuestRing> rings = driver.Init(~0ull, 8);
  EXPECT_EQ(model.activations, 1);
  const uint16_t head = rings[1].AddChain({{kBufBase, 8, false}, {kBufBase + 0x100, 24, true}});
  driver.Kick(1);
  EXPECT_EQ(model.notifies, 1);
  ASSERT_TRUE(rings[1].HasUsed());
  const GuestRing::Used u = rings[1].PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 24u);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(driver.Rd(M::kInterruptStatus), M::kIntUsedBuffer);
  EXPECT_EQ(driver.AckInterrupt(), M::kIntUsedBuffer);
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(driver.Rd(M::kInterruptStatus), 0u);
}

TEST_F(VirtioMmioTest, EventIdxSuppressesInterrupts) {
  std::vector<GuestRing> rings = driver.Init(~0ull, 8);
  rings[0].SetUsedEvent(1);  // interrupt only once used entry 1 is there
  rings[0].AddChain({{kBufBase, 8, true}});
  driver.Kick(0);
  EXPECT_EQ(rings[0].UsedIdx(), 1);
  EXPECT_FALSE(irq.level());
  rings[0].AddChain({{kBufBase, 8, true}});
  driver.Kick(0);
  EXPECT_TRUE(irq.level());
}

TEST_F(VirtioMmioTest, ResetClearsEverything) {
  std::vector<GuestRing> rings = driver.Init(~0ull, 8);
  rings[0].AddChain({{kBufBase, 8, true}});
  driver.Kick(0);
  ASSERT_TRUE(irq.level());
  const int resets = model.resets;
  driver.Wr(M::kStatus, 0);
  EXPECT_EQ(driver.Rd(M::kStatus), 0u);
  EXPECT_EQ(driver.Rd(M::kInterruptStatus), 0u);
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(model.resets, resets + 1);
  EXPECT_EQ(dev.driver_features(), 0u);
  for (unsigned q = 0; q < 2; ++q) {
    driver.Wr(M::kQueueSel, q);
    EXPECT_EQ(driver.Rd(M::kQueueReady), 0u);
    EXPECT_EQ(dev.queue(q).size(), 0);
  }
  // And it comes back up.
  rings = driver.Init(~0ull, 4);
  rings[0].AddChain({{kBufBase, 8, true}});
  driver.Kick(0);
  EXPECT_EQ(rings[0].UsedIdx(), 1);
}

TEST_F(VirtioMmioTest, QueueReadyZeroStopsTheQueue) {
  std::vector<GuestRing> rings = driver.Init(~0ull, 8);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueReady, 0);
  EXPECT_EQ(driver.Rd(M::kQueueReady), 0u);
  rings[0].AddChain({{kBufBase, 8, true}});
  driver.Kick(0);
  EXPECT_EQ(model.notifies, 0);
  EXPECT_EQ(rings[0].UsedIdx(), 0);
  EXPECT_FALSE(driver.NeedsReset());
}

TEST_F(VirtioMmioTest, QueueRegistersAreFrozenWhileReady) {
  driver.Init(~0ull, 8);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueNum, 4);
  driver.Wr(M::kQueueDescLow, 0x1000);
  EXPECT_EQ(dev.queue(0).size(), 8);
  EXPECT_EQ(dev.queue(0).state().desc_addr, kRamBase);
}

TEST_F(VirtioMmioTest, ConfigChangeBumpsGenerationAndInterrupts) {
  const uint32_t g0 = driver.Rd(M::kConfigGeneration);
  model.transport->ConfigChanged();  // before DRIVER_OK: no notification
  EXPECT_EQ(driver.Rd(M::kConfigGeneration), g0 + 1);
  EXPECT_FALSE(irq.level());
  driver.Init(~0ull, 8);
  model.transport->ConfigChanged();
  EXPECT_EQ(driver.Rd(M::kConfigGeneration), g0 + 2);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(driver.AckInterrupt(), M::kIntConfigChange);
  EXPECT_FALSE(irq.level());
}

TEST_F(VirtioMmioTest, DriverCannotSetOrClearNeedsReset) {
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusNeedsReset);
  EXPECT_EQ(driver.Rd(M::kStatus), M::kStatusAcknowledge);
  driver.Wr(M::kQueueSel, 9);
  driver.Wr(M::kQueueNum, 4);  // an error
  ASSERT_TRUE(driver.NeedsReset());
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
  EXPECT_TRUE(driver.NeedsReset());
}

// ------------------------------------------------------- invalid guest behaviour

TEST_F(VirtioMmioTest, QueueNumNotAPowerOfTwo) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueNum, 12);
  ExpectNeedsReset("not a power of 2");
  EXPECT_FALSE(irq.level());  // no DRIVER_OK yet: no notification
}

TEST_F(VirtioMmioTest, QueueNumAboveMax) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 1);
  driver.Wr(M::kQueueNum, 16);
  ExpectNeedsReset("queue 1: queue size 16");
}

TEST_F(VirtioMmioTest, QueueNumZero) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueNum, 0);
  ExpectNeedsReset("queue size 0");
}

TEST_F(VirtioMmioTest, QueueRegisterWithOutOfRangeQueueSel) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 2);
  driver.Wr(M::kQueueDescLow, 0);
  ExpectNeedsReset("QueueSel 2");
}

TEST_F(VirtioMmioTest, QueueReadyWithOutOfRangeQueueSel) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 0x80000000u);
  driver.Wr(M::kQueueReady, 1);
  ExpectNeedsReset("QueueReady written with QueueSel 2147483648");
}

TEST_F(VirtioMmioTest, QueueReadyWithMisalignedDescriptorTable) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueNum, 8);
  driver.Wr(M::kQueueDescLow, static_cast<uint32_t>(kRamBase + 4));
  driver.Wr(M::kQueueDriverLow, static_cast<uint32_t>(kRamBase + 0x1000));
  driver.Wr(M::kQueueDeviceLow, static_cast<uint32_t>(kRamBase + 0x2000));
  driver.Wr(M::kQueueReady, 1);
  ExpectNeedsReset("descriptor table at 0x80000004 is misaligned or outside RAM");
  EXPECT_EQ(driver.Rd(M::kQueueReady), 0u);
}

TEST_F(VirtioMmioTest, QueueReadyWithRingOutsideRam) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueNum, 8);
  driver.Wr(M::kQueueDescLow, static_cast<uint32_t>(kRamBase));
  driver.Wr(M::kQueueDriverLow, static_cast<uint32_t>(kRamBase + 0x1000));
  driver.Wr(M::kQueueDeviceLow, 0x2000);
  driver.Wr(M::kQueueDeviceHigh, 0x1);  // 0x1_00002000: nothing there
  driver.Wr(M::kQueueReady, 1);
  ExpectNeedsReset("used ring at 0x100002000");
}

TEST_F(VirtioMmioTest, QueueReadyWithoutSize) {
  driver.Negotiate(~0ull);
  driver.Wr(M::kQueueSel, 0);
  driver.Wr(M::kQueueReady, 1);
  ExpectNeedsReset("without a size");
}

TEST_F(VirtioMmioTest, DriverOkWithoutFeaturesOk) {
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusDriverOk);
  ExpectNeedsReset("DRIVER_OK set without FEATURES_OK");
  EXPECT_EQ(model.activations, 0);
}

TEST_F(VirtioMmioTest, NotifyBeforeDriverOk) {
  driver.Negotiate(~0ull);
  driver.SetupQueue(0, 8);
  driver.Kick(0);
  ExpectNeedsReset("notified before DRIVER_OK");
  EXPECT_EQ(model.notifies, 0);
}

TEST_F(VirtioMmioTest, NotifyOfAQueueThatDoesNotExist) {
  driver.Init(~0ull, 8);
  driver.Kick(7);
  ExpectNeedsReset("queue 7, which does not exist");
  EXPECT_TRUE(irq.level());  // DRIVER_OK was set: configuration change notification
  EXPECT_EQ(driver.Rd(M::kInterruptStatus), M::kIntConfigChange);
}

TEST_F(VirtioMmioTest, MalformedChainStopsTheDeviceUntilReset) {
  std::vector<GuestRing> rings = driver.Init(~0ull, 8);
  rings[0].SetDesc(0, kBufBase, 8, Virtqueue::kDescFNext, 0);  // a loop
  rings[0].Publish(0);
  driver.Kick(0);
  ExpectNeedsReset("queue 0: chain 0: longer than its queue");
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(driver.AckInterrupt(), M::kIntConfigChange);

  // Stopped: further notifications are ignored, the model is not called.
  const int notifies = model.notifies;
  rings[1].AddChain({{kBufBase, 8, true}});
  driver.Kick(1);
  EXPECT_EQ(model.notifies, notifies);
  EXPECT_EQ(rings[1].UsedIdx(), 0);
  EXPECT_EQ(model.transport->PopChain(1, nullptr), false);  // not live: never touches the chain

  // A reset brings it back.
  rings = driver.Init(~0ull, 8);
  EXPECT_FALSE(driver.NeedsReset());
  rings[1].AddChain({{kBufBase, 8, true}});
  driver.Kick(1);
  EXPECT_EQ(rings[1].UsedIdx(), 1);
}

TEST_F(VirtioMmioTest, RingsInitialisedAfterIndirectAndEventIdxNegotiation) {
  // Queues set up before FEATURES_OK (out of order, but harmless) still use
  // the features negotiated by DRIVER_OK.
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
  GuestRing ring = driver.SetupQueue(0, 8);
  driver.WriteDriverFeatures(kVirtioFVersion1 | kVirtioFRingIndirectDesc);
  driver.Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusFeaturesOk);
  driver.DriverOk();
  ASSERT_TRUE(dev.live());
  ring.AddIndirect(kBufBase + 0x1000, {{kBufBase, 8, true}});
  driver.Kick(0);
  EXPECT_FALSE(driver.NeedsReset()) << dev.last_error();
  EXPECT_EQ(ring.UsedIdx(), 1);
}

}  // namespace
}  // namespace tapvm
