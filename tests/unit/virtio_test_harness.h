// Test doubles for the virtio unit tests: a fake event tap that records
// requests and lets a test inject inputs, an interrupt line recorder, and a
// guest-side driver that lays out split rings in guest RAM and drives the
// MMIO registers in the order Linux's virtio_mmio driver does.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "emulator/devices/virtio/virtio_mmio.h"
#include "emulator/devices/virtio/virtqueue.h"
#include "emulator/machine/bus.h"
#include "emulator/tap.h"

namespace tapvm::virtio_test {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 4 << 20;
constexpr uint64_t kRomBase = 0x20000000;  // read-only memory, for "writable buffer in ROM"
constexpr uint64_t kRomSize = 0x1000;
constexpr uint64_t kBufBase = kRamBase + 0x100000;  // data buffers; rings live below
constexpr unsigned kLine = 1;

class FakeIrq : public IrqSink {
 public:
  void SetIrq(unsigned line, bool level) override {
    levels[line] = level;
    ++changes;
  }
  bool level(unsigned line = kLine) const {
    auto it = levels.find(line);
    return it != levels.end() && it->second;
  }
  std::map<unsigned, bool> levels;
  int changes = 0;
};

class FakeTap : public EventTap {
 public:
  struct Frame {
    TapDeviceId dev;
    std::vector<uint8_t> bytes;
  };
  struct EntropyRequest {
    TapDeviceId dev;
    uint32_t max_bytes;
  };

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { sinks[dev] = sink; }
  void SubmitBlock(BlockRequest request) override {
    if (plug_depth > 0) ++submitted_plugged;
    block.push_back(std::move(request));
  }
  void PlugBlock(TapDeviceId) override { ++plug_depth, ++plugs; }
  void UnplugBlock(TapDeviceId) override { --plug_depth, ++unplugs; }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override {
    frames.push_back({dev, std::vector<uint8_t>(frame.begin(), frame.end())});
  }
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override { entropy.push_back({dev, max_bytes}); }
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override {}
  unsigned DeliverDue(uint64_t) override { return 0; }

  // Delivers an input the way a mode's DeliverDue would.
  void Inject(TapDeviceId dev, const TapInput& input) { sinks.at(dev)->OnInput(input); }

  std::map<TapDeviceId, TapInputSink*> sinks;
  std::vector<BlockRequest> block;
  std::vector<Frame> frames;
  std::vector<EntropyRequest> entropy;
  int plug_depth = 0, plugs = 0, unplugs = 0;
  size_t submitted_plugged = 0;  // SubmitBlock calls made between PlugBlock and UnplugBlock
};

// Guest RAM (and a small ROM) on a real bus.
class GuestMemory {
 public:
  GuestMemory() : bus(own_bus_) {
    EXPECT_TRUE(bus.AddMemory(kRamBase, kRamSize, true).ok());
    EXPECT_TRUE(bus.AddMemory(kRomBase, kRomSize, false).ok());
  }
  // Over another bus that already has RAM at kRamBase (a board's).
  explicit GuestMemory(Bus& bus) : bus(bus) {}
  void Write(uint64_t gpa, const void* p, size_t n) { std::memcpy(Host(gpa, n), p, n); }
  void Write(uint64_t gpa, const std::vector<uint8_t>& v) { Write(gpa, v.data(), v.size()); }
  std::vector<uint8_t> Bytes(uint64_t gpa, size_t n) {
    const uint8_t* p = Host(gpa, n);
    return std::vector<uint8_t>(p, p + n);
  }
  template <typename T>
  void Put(uint64_t gpa, T v) {
    Write(gpa, &v, sizeof v);
  }
  template <typename T>
  T Get(uint64_t gpa) {
    T v;
    std::memcpy(&v, Host(gpa, sizeof v), sizeof v);
    return v;
  }
  uint8_t* Host(uint64_t gpa, size_t n) {
    uint8_t* p = bus.HostPtrForWrite(gpa, n);
    EXPECT_NE(p, nullptr) << std::hex << gpa;
    return p;
  }

 private:
  Bus own_bus_;

 public:
  Bus& bus;
};

// A split ring laid out in guest RAM by the "driver" (the test).
class GuestRing {
 public:
  struct Buf {
    uint64_t addr;
    uint32_t len;
    bool writable;
  };
  struct Used {
    uint32_t id;
    uint32_t len;
  };

  GuestRing() = default;
  // Descriptor table at `base`, available ring after it, used ring 4-aligned
  // after that.
  // The areas are zeroed, as a driver allocating them would.
  GuestRing(GuestMemory* mem, uint64_t base, uint16_t size)
      : mem_(mem), desc(base), avail(base + 16ull * size), used((avail + 6 + 2ull * size + 3) & ~3ull), size(size) {
    const size_t bytes = used + 6 + 8ull * size - desc;
    std::memset(mem_->Host(desc, bytes), 0, bytes);
  }

  void SetDesc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    SetDescAt(desc, i, addr, len, flags, next);
  }
  void SetDescAt(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    const uint64_t d = table + 16ull * i;
    mem_->Put<uint64_t>(d, addr);
    mem_->Put<uint32_t>(d + 8, len);
    mem_->Put<uint16_t>(d + 12, flags);
    mem_->Put<uint16_t>(d + 14, next);
  }
  // Writes `bufs` into consecutive free descriptors chained with NEXT and
  // publishes the chain. Returns its head.
  uint16_t AddChain(const std::vector<Buf>& bufs) {
    const uint16_t head = next_desc_;
    for (size_t i = 0; i < bufs.size(); ++i) {
      const uint16_t idx = static_cast<uint16_t>((head + i) % size);
      const bool last = i + 1 == bufs.size();
      SetDesc(idx, bufs[i].addr, bufs[i].len,
              static_cast<uint16_t>((last ? 0 : Virtqueue::kDescFNext) | (bufs[i].writable ? Virtqueue::kDescFWrite : 0)),
              static_cast<uint16_t>((idx + 1) % size));
    }
    next_desc_ = static_cast<uint16_t>((head + bufs.size()) % size);
    Publish(head);
    return head;
  }
  // Writes `bufs` as an indirect table at `table` and publishes one
  // descriptor naming it. Returns the head.
  uint16_t AddIndirect(uint64_t table, const std::vector<Buf>& bufs) {
    for (size_t i = 0; i < bufs.size(); ++i) {
      const bool last = i + 1 == bufs.size();
      SetDescAt(table, static_cast<uint16_t>(i), bufs[i].addr, bufs[i].len,
                static_cast<uint16_t>((last ? 0 : Virtqueue::kDescFNext) | (bufs[i].writable ? Virtqueue::kDescFWrite : 0)),
                static_cast<uint16_t>(i + 1));
    }
    const uint16_t head = next_desc_;
    SetDesc(head, table, static_cast<uint32_t>(16 * bufs.size()), Virtqueue::kDescFIndirect, 0);
    next_desc_ = static_cast<uint16_t>((head + 1) % size);
    Publish(head);
    return head;
  }
  // Puts `head` in the next available-ring entry and bumps the index.
  void Publish(uint16_t head) {
    mem_->Put<uint16_t>(avail + 4 + 2ull * (avail_idx % size), head);
    ++avail_idx;
    mem_->Put<uint16_t>(avail + 2, avail_idx);
  }
  void SetAvailIdx(uint16_t idx) {
    avail_idx = idx;
    mem_->Put<uint16_t>(avail + 2, idx);
  }
  void SetAvailFlags(uint16_t f) { mem_->Put<uint16_t>(avail, f); }
  void SetUsedEvent(uint16_t v) { mem_->Put<uint16_t>(avail + 4 + 2ull * size, v); }
  uint16_t AvailEvent() { return mem_->Get<uint16_t>(used + 4 + 8ull * size); }
  uint16_t UsedIdx() { return mem_->Get<uint16_t>(used + 2); }
  bool HasUsed() { return UsedIdx() != last_used_; }
  // Takes the next used element and, as Linux's virtqueue_get_buf does,
  // asks (through used_event) to be interrupted for the one after it.
  Used PopUsed() {
    EXPECT_TRUE(HasUsed());
    const uint64_t e = used + 4 + 8ull * (last_used_ % size);
    ++last_used_;
    SetUsedEvent(last_used_);
    return {mem_->Get<uint32_t>(e), mem_->Get<uint32_t>(e + 4)};
  }

  GuestMemory* mem_ = nullptr;
  uint64_t desc = 0, avail = 0, used = 0;
  uint16_t size = 0;
  uint16_t avail_idx = 0;

 private:
  uint16_t next_desc_ = 0;
  uint16_t last_used_ = 0;
};

// Drives a VirtioMmio's registers as Linux's virtio_mmio driver does.
class GuestDriver {
 public:
  using M = VirtioMmio;
  GuestDriver(GuestMemory* mem, VirtioMmio* dev) : mem_(mem), dev_(dev) {}

  uint32_t Rd(unsigned off) {
    uint64_t v = 0xdeadbeef;
    EXPECT_TRUE(dev_->Read(off, 4, &v)) << std::hex << off;
    return static_cast<uint32_t>(v);
  }
  void Wr(unsigned off, uint32_t v) { EXPECT_TRUE(dev_->Write(off, 4, v)) << std::hex << off; }

  uint64_t DeviceFeatures() {
    Wr(M::kDeviceFeaturesSel, 1);
    uint64_t f = uint64_t{Rd(M::kDeviceFeatures)} << 32;
    Wr(M::kDeviceFeaturesSel, 0);
    return f | Rd(M::kDeviceFeatures);
  }
  void WriteDriverFeatures(uint64_t f) {
    Wr(M::kDriverFeaturesSel, 1);
    Wr(M::kDriverFeatures, static_cast<uint32_t>(f >> 32));
    Wr(M::kDriverFeaturesSel, 0);
    Wr(M::kDriverFeatures, static_cast<uint32_t>(f));
  }
  // Reset, ACKNOWLEDGE, DRIVER, features (the device's offer masked by
  // `accept`), FEATURES_OK. Returns whether FEATURES_OK stuck.
  bool Negotiate(uint64_t accept) {
    Wr(M::kStatus, 0);
    EXPECT_EQ(Rd(M::kStatus), 0u);
    Wr(M::kStatus, M::kStatusAcknowledge);
    Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver);
    WriteDriverFeatures(DeviceFeatures() & accept);
    Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusFeaturesOk);
    return (Rd(M::kStatus) & M::kStatusFeaturesOk) != 0;
  }
  // Queue setup of vm_setup_vq: select, check not ready, read the maximum,
  // size, the three addresses, ready.
  // `base` places the rings (default: 64 KiB per queue from kRamBase).
  GuestRing SetupQueue(unsigned q, uint16_t size, uint64_t base = 0) {
    GuestRing ring(mem_, base ? base : kRamBase + 0x10000ull * q, size);
    Wr(M::kQueueSel, q);
    EXPECT_EQ(Rd(M::kQueueReady), 0u);
    EXPECT_GE(Rd(M::kQueueNumMax), size);
    Wr(M::kQueueNum, size);
    Wr(M::kQueueDescLow, static_cast<uint32_t>(ring.desc));
    Wr(M::kQueueDescHigh, static_cast<uint32_t>(ring.desc >> 32));
    Wr(M::kQueueDriverLow, static_cast<uint32_t>(ring.avail));
    Wr(M::kQueueDriverHigh, static_cast<uint32_t>(ring.avail >> 32));
    Wr(M::kQueueDeviceLow, static_cast<uint32_t>(ring.used));
    Wr(M::kQueueDeviceHigh, static_cast<uint32_t>(ring.used >> 32));
    Wr(M::kQueueReady, 1);
    EXPECT_EQ(Rd(M::kQueueReady), 1u);
    return ring;
  }
  void DriverOk() {
    Wr(M::kStatus, M::kStatusAcknowledge | M::kStatusDriver | M::kStatusFeaturesOk | M::kStatusDriverOk);
  }
  // The whole sequence; one ring per queue, each of `size` entries.
  std::vector<GuestRing> Init(uint64_t accept, uint16_t size) {
    EXPECT_TRUE(Negotiate(accept));
    std::vector<GuestRing> rings;
    for (unsigned q = 0; q < dev_->num_queues(); ++q) rings.push_back(SetupQueue(q, size));
    DriverOk();
    EXPECT_TRUE(dev_->live());
    return rings;
  }
  void Kick(unsigned q) { Wr(M::kQueueNotify, q); }
  // The interrupt handler: read and acknowledge InterruptStatus.
  uint32_t AckInterrupt() {
    const uint32_t v = Rd(M::kInterruptStatus);
    Wr(M::kInterruptAck, v);
    return v;
  }
  bool NeedsReset() { return (Rd(M::kStatus) & M::kStatusNeedsReset) != 0; }

 private:
  GuestMemory* mem_;
  VirtioMmio* dev_;
};

}  // namespace tapvm::virtio_test
