// VirtioMmio: the virtio-over-MMIO transport, version 2 (virtio 1.2 §4.2),
// with split virtqueues. The virt board maps one per device slot at
// 0x10001000 + 0x1000*i on PLIC source 1+i.
//
// Registers (offsets from the base; all 32-bit):
//   0x000 MagicValue 0x74726976  0x004 Version 2  0x008 DeviceID
//   0x00c VendorID   0x010 DeviceFeatures  0x014 DeviceFeaturesSel
//   0x020 DriverFeatures  0x024 DriverFeaturesSel  0x030 QueueSel
//   0x034 QueueNumMax  0x038 QueueNum  0x044 QueueReady  0x050 QueueNotify
//   0x060 InterruptStatus  0x064 InterruptACK  0x070 Status
//   0x080/0x084 QueueDesc  0x090/0x094 QueueDriver  0x0a0/0x0a4 QueueDevice
//   0x0ac SHMSel  0x0b0..0x0bc SHMLen/SHMBase (no regions: all ones)
//   0x0c0 QueueReset (RING_RESET is not offered: reads 0)
//   0x0fc ConfigGeneration   0x100.. device configuration space
// The control registers take only aligned 32-bit accesses; anything else
// returns false (access fault). Other words below 0x100 read 0 and ignore
// writes, as do writes to read-only registers. The configuration space
// takes 1, 2, 4 and 8-byte accesses at any offset; bytes past the model's
// config_size() read 0 and ignore writes.
//
// Features: the model's bits plus VERSION_1 (mandatory: FEATURES_OK is
// refused without it), RING_INDIRECT_DESC and RING_EVENT_IDX. Setting
// FEATURES_OK checks the driver's features are a subset of the offer that
// includes VERSION_1; if not, FEATURES_OK does not stick (the driver reads
// the status back and sees it clear). DriverFeatures is frozen from
// FEATURES_OK on.
//
// Status: writing 0 resets the device (status, features, selectors,
// interrupt status, every queue, the model); the interrupt line drops.
// The driver can neither set nor clear DEVICE_NEEDS_RESET.
//
// Guest errors enter DEVICE_NEEDS_RESET (status bit 0x40), as virtio 1.2
// §2.1.2 describes: a configuration change notification is sent if
// DRIVER_OK is set, and the device ignores notifications and drops its
// models' completions until the driver resets it. The errors: a per-queue
// register write with QueueSel naming no queue, QueueNum not a power of 2
// in 1..QueueNumMax, QueueReady=1 with areas misaligned or outside RAM,
// DRIVER_OK without FEATURES_OK, a notification before DRIVER_OK or for a
// queue that does not exist, and any malformed ring or chain (see
// Virtqueue). last_error() keeps the first reason, for logs and tests.
// Writes to a queue's size or addresses while it is ready are ignored
// (§4.2.2.2 forbids them), as is a notification of a queue that is not
// ready; a chain a model finishes after its queue was stopped is dropped.
// Reading the per-queue registers with QueueSel naming no queue returns 0,
// which is how Linux probes for queues.
//
// Interrupts: InterruptStatus bit 0 (used buffer) and bit 1 (configuration
// change) drive one level-triggered line, high while any bit is set; the
// line is driven only when its level changes (and low by the constructor).
//
// Not thread-safe: CPU thread only. The bus, the IrqSink and the model must
// outlive the transport; the IrqSink must be usable from the constructor on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/devices/virtio/virtio_device.h"
#include "emulator/devices/virtio/virtqueue.h"
#include "emulator/machine/bus.h"
#include "emulator/machine/device.h"

namespace tapvm {

class VirtioMmio : public Device, public VirtioTransport {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kMagic = 0x74726976;  // "virt"
  static constexpr uint32_t kVersion = 2;
  static constexpr uint32_t kVendorId = 0x554d4551;  // "QEMU", as QEMU's devices say

  // Register offsets.
  static constexpr unsigned kMagicValue = 0x000, kVersionReg = 0x004, kDeviceId = 0x008, kVendorIdReg = 0x00c,
                            kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020,
                            kDriverFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038,
                            kQueueReady = 0x044, kQueueNotify = 0x050, kInterruptStatus = 0x060,
                            kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084,
                            kQueueDriverLow = 0x090, kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0,
                            kQueueDeviceHigh = 0x0a4, kShmSel = 0x0ac, kShmLenLow = 0x0b0, kShmLenHigh = 0x0b4,
                            kShmBaseLow = 0x0b8, kShmBaseHigh = 0x0bc, kQueueReset = 0x0c0,
                            kConfigGeneration = 0x0fc, kConfig = 0x100;

  // Device status bits (virtio 1.2 §2.1).
  static constexpr uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4, kStatusFeaturesOk = 8,
                            kStatusNeedsReset = 64, kStatusFailed = 128;
  // InterruptStatus bits.
  static constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;
  // The device-independent features this transport offers.
  static constexpr uint64_t kTransportFeatures = kVirtioFVersion1 | kVirtioFRingIndirectDesc | kVirtioFRingEventIdx;

  // Plain data: saved, restored and hashed as it is (with each queue's).
  struct State {
    uint64_t driver_features;
    uint32_t status;
    uint32_t device_features_sel;
    uint32_t driver_features_sel;
    uint32_t queue_sel;
    uint32_t interrupt_status;
    uint32_t config_generation;
    uint8_t irq_level;  // the level last driven on the line
    uint8_t pad[7];
  };

  // `name` is the stable device name ("virtio0"); `model` is attached here.
  VirtioMmio(std::string name, Bus* bus, IrqSink* irq, unsigned irq_line, VirtioDeviceModel* model);

  // Device reset, as the driver's write of 0 to Status does.
  void Reset();

  // Device.
  std::string_view name() const override { return name_; }
  void HashState(StateHasher& h) const override;
  // The registers, every queue, then the model in a section "model".
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override;
  bool Write(uint64_t offset, unsigned size, uint64_t value) override;

  // VirtioTransport.
  Bus& bus() override { return *bus_; }
  uint64_t driver_features() const override { return state_.driver_features; }
  bool live() const override;
  bool PopChain(unsigned q, VirtqChain* chain) override;
  void PushUsed(unsigned q, uint16_t head, uint32_t len) override;
  void NotifyUsed(unsigned q) override;
  void ConfigChanged() override;
  void DeviceError(std::string_view why) override;

  uint64_t offered_features() const { return offered_features_; }
  const State& state() const { return state_; }
  const Virtqueue& queue(unsigned q) const { return queues_[q]; }
  unsigned num_queues() const { return static_cast<unsigned>(queues_.size()); }
  // Why the device last entered DEVICE_NEEDS_RESET ("" if never).
  const std::string& last_error() const { return last_error_; }

 private:
  uint32_t ReadReg(unsigned reg);
  void WriteReg(unsigned reg, uint32_t v);
  void WriteStatus(uint32_t v);
  // The selected queue for a write to a per-queue register, or nullptr
  // (after entering DEVICE_NEEDS_RESET) when QueueSel names no queue.
  Virtqueue* SelectedQueueForWrite(const char* reg);
  void Interrupt(uint32_t bits);
  void UpdateIrq();
  bool NegotiatedRingFeature(uint64_t bit) const { return (state_.driver_features & bit) != 0; }

  std::string name_;
  Bus* bus_;
  IrqSink* irq_;
  unsigned irq_line_;
  VirtioDeviceModel* model_;
  uint64_t offered_features_;
  std::vector<Virtqueue> queues_;
  State state_{};
  std::string last_error_;
};

}  // namespace tapvm
