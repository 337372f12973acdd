// Virtqueue: the device side of one split virtqueue (virtio 1.2 §2.7) whose
// three areas (descriptor table, available ring, used ring) live in guest
// RAM.
//
// The guest owns the rings and may write anything into them at any time, so
// every value read from them is hostile. Pop() walks one descriptor chain
// and either returns it as a list of guest-physical segments, each checked
// to lie inside one RAM region (device-writable ones inside writable RAM),
// or reports precisely why the chain is malformed. The transport turns such
// an error into DEVICE_NEEDS_RESET; this class never touches host memory
// outside RAM and never trusts a guest length for an allocation (a chain
// holds at most size() + kMaxIndirectEntries segments).
//
// Rejected (each one an error): an available index more than size() entries
// ahead of the device; more chains in flight than size(); a head or next
// index outside the table; a chain longer than its table (which is how a
// loop shows up); INDIRECT without VIRTIO_F_RING_INDIRECT_DESC, INDIRECT
// inside an indirect table, INDIRECT together with NEXT, an indirect table
// whose length is zero, not a multiple of 16, larger than
// kMaxIndirectEntries entries or not inside RAM; a buffer whose addr+len
// wraps or leaves RAM; a device-writable buffer outside writable RAM; a
// device-readable buffer after a device-writable one. Zero-length buffers
// are allowed and skipped.
//
// Segments keep guest-physical addresses, not host pointers: a device that
// holds a chain across an asynchronous wait re-resolves it through the bus
// when it copies (CopyFrom/CopyTo), so nothing stale survives a snapshot,
// a reset or a guest rewriting its memory.
//
// Notification suppression: with VIRTIO_F_RING_EVENT_IDX the device writes
// avail_event (asking to be notified about the next entry after the last
// one it consumed) on every Pop, and ShouldInterrupt() applies the used_event
// rule; without it, ShouldInterrupt() honours VIRTQ_AVAIL_F_NO_INTERRUPT.
// The device never sets VIRTQ_USED_F_NO_NOTIFY.
//
// Memory ordering: the machine is single-threaded (guest harts and devices
// run on the CPU thread and a device runs only between guest instructions),
// so the barriers a real device needs between reading the index and the
// ring, or writing the ring and the index, are implied.
//
// State() is plain data (for snapshot and digests). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "emulator/base/state_hasher.h"
#include "emulator/base/state_io.h"
#include "emulator/machine/bus.h"

namespace tapvm {

// A buffer of a chain: guest-physical [gpa, gpa+len).
struct VirtqSegment {
  uint64_t gpa = 0;
  uint32_t len = 0;
  bool writable = false;  // device-writable
};

// One descriptor chain taken from the available ring.
struct VirtqChain {
  uint16_t head = 0;                   // the id to return in the used ring
  std::vector<VirtqSegment> segments;  // device-readable first, then writable
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;

  // Copies out.size() bytes of the device-readable part, starting `offset`
  // bytes into it. Returns the bytes copied: fewer when the readable part
  // ends first or a segment is (no longer) inside RAM.
  size_t CopyFrom(const Bus& bus, uint64_t offset, std::span<uint8_t> out) const;
  // Copies `in` into the device-writable part, starting `offset` bytes into
  // it. Returns the bytes copied, with the same short cases (a segment no
  // longer inside writable RAM stops the copy).
  size_t CopyTo(Bus& bus, uint64_t offset, std::span<const uint8_t> in) const;

  void HashState(StateHasher& h) const;
  // Checkpoints: the head and the segments; the byte counts follow from
  // them. Load checks the segments' order (readable first) and count.
  void SaveState(StateWriter& w) const;
  static bool LoadState(StateReader& r, VirtqChain* out);
};

class Virtqueue {
 public:
  // Descriptor flags, ring flags (virtio 1.2 §2.7.5, §2.7.6, §2.7.8).
  static constexpr uint16_t kDescFNext = 1, kDescFWrite = 2, kDescFIndirect = 4;
  static constexpr uint16_t kAvailFNoInterrupt = 1;
  static constexpr uint32_t kDescSize = 16;
  // The largest queue size the spec allows for a split ring.
  static constexpr uint16_t kMaxQueueSize = 32768;
  // An implementation limit on an indirect table, so that a hostile length
  // cannot make the device allocate without bound. Linux needs at most
  // seg_max + 2 entries for a block request and a handful for the network.
  static constexpr uint32_t kMaxIndirectEntries = 1024;

  struct State {
    uint64_t desc_addr;    // Descriptor Area
    uint64_t driver_addr;  // Driver Area: the available ring
    uint64_t device_addr;  // Device Area: the used ring
    uint16_t size;         // QueueNum as the driver wrote it
    uint8_t ready;
    uint8_t indirect;   // VIRTIO_F_RING_INDIRECT_DESC negotiated
    uint8_t event_idx;  // VIRTIO_F_RING_EVENT_IDX negotiated
    uint8_t pad[3];
    uint16_t last_avail_idx;  // next available-ring entry to consume
    uint16_t used_idx;        // the used index as last published
    uint16_t signalled_used;  // used_idx when ShouldInterrupt last ran
    uint16_t in_flight;       // chains popped and not yet pushed
  };

  enum class PopResult { kChain, kEmpty, kError };

  // `bus` must outlive the queue; `max_size` is what QueueNumMax reports.
  Virtqueue(Bus* bus, uint16_t max_size);

  // Back to the reset state: not ready, addresses and size cleared.
  void Reset();

  uint16_t max_size() const { return max_size_; }
  const State& state() const { return state_; }
  bool ready() const { return state_.ready != 0; }
  uint16_t size() const { return state_.size; }

  // Configuration by the transport while the queue is not ready. Returns an
  // error message, empty on success.
  std::string SetSize(uint32_t num);
  void SetDescAddr(uint64_t a) { state_.desc_addr = a; }
  void SetDriverAddr(uint64_t a) { state_.driver_addr = a; }
  void SetDeviceAddr(uint64_t a) { state_.device_addr = a; }
  // QueueReady=1: checks the size and that the three areas are aligned and
  // inside RAM (the used ring inside writable RAM), then starts the queue
  // with its indices at 0. Returns an error message, empty on success.
  std::string Enable(bool indirect, bool event_idx);
  // QueueReady=0: the device stops using the queue.
  void Disable() { state_.ready = 0; }
  // Latches the negotiated ring features (at DRIVER_OK).
  void SetFeatures(bool indirect, bool event_idx);

  // Takes the next chain from the available ring into `chain`. kEmpty when
  // there is none (or the queue is not ready); kError with `error` set when
  // the ring or chain is malformed.
  PopResult Pop(VirtqChain* chain, std::string* error);
  // Returns chain `head` to the driver with `len` bytes written. False (with
  // `error`) when nothing is in flight or the queue is not ready.
  bool Push(uint16_t head, uint32_t len, std::string* error);
  // Whether the driver wants a used-buffer notification for what was pushed
  // since the previous call; records that the decision was made.
  bool ShouldInterrupt();

  void HashState(StateHasher& h) const;
  // Checkpoints. ReadState reads a saved queue into *out and checks it can
  // be this queue's (the same max size, a valid size, no more chains in
  // flight than entries) without changing the queue; SetState installs it.
  void SaveState(StateWriter& w) const;
  bool ReadState(StateReader& r, State* out) const;
  void SetState(const State& s) { state_ = s; }

 private:
  bool Load16(uint64_t gpa, uint16_t* v) const;
  bool Store16(uint64_t gpa, uint16_t v) const;
  bool Store32(uint64_t gpa, uint32_t v) const;
  uint64_t UsedEventAddr() const { return state_.driver_addr + 4 + 2ull * state_.size; }
  uint64_t AvailEventAddr() const { return state_.device_addr + 4 + 8ull * state_.size; }
  PopResult WalkChain(uint16_t head, VirtqChain* chain, std::string* error) const;

  Bus* bus_;
  uint16_t max_size_;
  State state_{};
};

}  // namespace tapvm
