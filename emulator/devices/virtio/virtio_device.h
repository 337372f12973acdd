// The seam between a virtio transport and a virtio device model.
//
// A device model (VirtioBlk, VirtioNet, VirtioRng) knows its device type:
// its feature bits, configuration space, queues and what a request means.
// A transport (VirtioMmio; a PCI one could follow) knows the registers:
// status and feature negotiation, queue setup, interrupts, reset. The
// transport owns the virtqueues and hands the model chains through the
// VirtioTransport interface; the model never sees a register.
//
// Contract:
// - The transport calls the model only on the CPU thread: ReadConfig /
//   WriteConfig for config-space accesses, Activate when the driver sets
//   DRIVER_OK, Notify when the driver notifies a queue (only while live()),
//   Reset on a device reset (the model drops every chain it holds and
//   forgets requests in flight; answers that arrive later for them must be
//   dropped).
// - The model touches queues only through PopChain / PushUsed / NotifyUsed,
//   and only while live(). PopChain returns false on an empty queue and on
//   a malformed ring; in the latter case the transport has already entered
//   DEVICE_NEEDS_RESET and live() is false until the driver resets.
// - A model reports driver errors it finds in a chain's contents that make
//   the request impossible to answer (no status byte) with DeviceError.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "emulator/base/state_hasher.h"
#include "emulator/base/state_io.h"
#include "emulator/base/status.h"
#include "emulator/devices/virtio/virtqueue.h"

namespace tapvm {

// Device-independent feature bits (virtio 1.2 §6).
inline constexpr uint64_t kVirtioFRingIndirectDesc = 1ull << 28;
inline constexpr uint64_t kVirtioFRingEventIdx = 1ull << 29;
inline constexpr uint64_t kVirtioFVersion1 = 1ull << 32;

// Virtio device IDs (virtio 1.2 §5).
inline constexpr uint32_t kVirtioIdNet = 1;
inline constexpr uint32_t kVirtioIdBlock = 2;
inline constexpr uint32_t kVirtioIdEntropy = 4;

// What a device model sees of its transport.
class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;

  // Guest memory, for VirtqChain::CopyFrom / CopyTo (which writes it).
  virtual Bus& bus() = 0;
  // The features the driver accepted (final once live()).
  virtual uint64_t driver_features() const = 0;
  // True while DRIVER_OK is set and neither DEVICE_NEEDS_RESET nor FAILED
  // is: the only state in which the model may use its queues.
  virtual bool live() const = 0;

  // Takes the next chain of queue `q`. False when there is none, the queue
  // is not ready, the device is not live, or the ring is malformed (the
  // transport then enters DEVICE_NEEDS_RESET).
  virtual bool PopChain(unsigned q, VirtqChain* chain) = 0;
  // Returns a chain to the driver with `len` bytes written into it.
  virtual void PushUsed(unsigned q, uint16_t head, uint32_t len) = 0;
  // After a batch of PushUsed: interrupts the driver unless it suppressed
  // the notification (EVENT_IDX / NO_INTERRUPT).
  virtual void NotifyUsed(unsigned q) = 0;
  // The model changed its configuration space: bumps ConfigGeneration and
  // sends a configuration change notification (once DRIVER_OK is set).
  virtual void ConfigChanged() = 0;
  // The driver did something that leaves the device unable to go on:
  // DEVICE_NEEDS_RESET, and the device stops until reset.
  virtual void DeviceError(std::string_view why) = 0;
};

class VirtioDeviceModel {
 public:
  virtual ~VirtioDeviceModel() = default;

  virtual uint32_t device_id() const = 0;
  // Device-type feature bits. The transport adds VERSION_1,
  // RING_INDIRECT_DESC and RING_EVENT_IDX itself.
  virtual uint64_t device_features() const = 0;
  virtual unsigned num_queues() const = 0;
  // QueueNumMax of queue `q` < num_queues(): a power of 2, at most 32768.
  virtual uint16_t queue_max_size(unsigned q) const = 0;

  // Size of the device-specific configuration space in bytes.
  virtual uint32_t config_size() const = 0;
  // Reads/writes config bytes [offset, offset + data.size()), always inside
  // config_size(). Fields are little-endian. Writes to read-only fields are
  // ignored.
  virtual void ReadConfig(uint32_t offset, std::span<uint8_t> data) = 0;
  virtual void WriteConfig(uint32_t offset, std::span<const uint8_t> data) {
    (void)offset;
    (void)data;
  }

  // Called once by the transport's constructor, before anything else.
  virtual void Attach(VirtioTransport* transport) = 0;
  // The driver set DRIVER_OK: the negotiated features are final.
  virtual void Activate() {}
  // The driver notified queue `q` (< num_queues()), while live().
  virtual void Notify(unsigned q) = 0;
  // Device reset: back to the state after construction (the configuration
  // the board gave, such as capacity or MAC, is kept).
  virtual void Reset() = 0;

  // Feeds the model's guest-visible state (chains held, requests in
  // flight, backlogs) to the machine's state digest (Device::HashState).
  virtual void HashState(StateHasher& h) const = 0;
  // Checkpoints, with Device::SaveState / LoadState's contract: the model's
  // guest-visible state (chains held, requests in flight, backlogs), read
  // back into a model of the same configuration attached to its transport;
  // no tap call, no queue access, no interrupt.
  virtual void SaveState(StateWriter& w) const = 0;
  virtual Status LoadState(StateReader& r) = 0;
  // After a restore into a machine whose tap is live (run, record), not a
  // replay of the recording the checkpoint came from: the requests the
  // model holds in flight were made to a tap that is gone and will never
  // be answered, so it makes them again (same ids, in the order they were
  // made), and forgets what it waits for that it would drop anyway.
  // Default: nothing in flight.
  virtual void ResubmitInFlight() {}
};

}  // namespace tapvm
