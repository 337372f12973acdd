// VirtioBlk: the virtio block device model (virtio 1.2 §5.2, device id 2),
// one request queue of 256 entries.
//
// Storage is reached only through the event tap: a request becomes a
// BlockRequest submitted with a device-chosen id, and its BlockCompletion
// arrives later through OnInput (many may be in flight, completing in any
// order). Ids come from a counter that a device reset does not rewind, so
// a completion for a request from before a reset matches nothing and is
// dropped. A completion copies read data into the chain's writable
// segments, re-resolved through the bus at that moment, then writes the
// status byte, returns the chain and raises the interrupt.
//
// Features offered: SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH, DISCARD and
// WRITE_ZEROES (each of the last two unless disabled), RO for a read-only
// drive. Configuration space: capacity, size_max 128 KiB, seg_max 254,
// blk_size 512, num_queues 1, the discard / write-zeroes limits (one
// segment each); geometry, topology and writeback read 0.
//
// Requests (header {le32 type; le32 reserved; le64 sector}, data, status):
//   IN / OUT      data a multiple of 512 bytes within the capacity, at most
//                 kMaxTransferBytes (= seg_max * size_max, so a driver that
//                 honours the limits never meets it); OUT on a read-only
//                 drive -> IOERR without writing. A zero-length IN/OUT
//                 completes OK without reaching the tap.
//   FLUSH         -> BlockRequest kFlush.
//   GET_ID        answered by the device: the 20-byte NUL-padded id.
//   DISCARD, WRITE_ZEROES  exactly one 16-byte segment (more -> UNSUPP,
//                 none or a partial one -> IOERR); unknown flags, or unmap
//                 on DISCARD -> UNSUPP; beyond the capacity or the
//                 max_*_sectors limit, or on a read-only drive -> IOERR; not
//                 negotiated -> UNSUPP.
//   anything else -> UNSUPP.
// The tap's kIoError / kUnsupported become IOERR / UNSUPP, and a read
// completion whose data is not exactly the requested length becomes IOERR.
// The used length is the bytes written into the chain: data read (or the
// id) plus the status byte.
//
// A chain without a 16-byte header or without a writable status byte
// cannot be answered: that is a driver error (DEVICE_NEEDS_RESET).
//
// The requests one queue notification makes available are submitted
// between EventTap::PlugBlock and UnplugBlock, so a backend can hand them
// to the host in one go (a host-side hint: nothing guest-visible).
//
// Host memory is bounded whatever the guest does: the requests at the tap
// (those orphaned by a reset included, until their completions arrive),
// each counted as its read/write data plus kRequestCostBytes, may exceed
// Options::max_bytes_in_flight by at most one request; past it the device
// leaves chains in the available ring and takes them when completions bring
// it back under the budget.
//
// Throttling: with Options::throttles, requests go to the machine's
// throttles (emulator/block/block_throttles.h), which hand them to the tap
// when the drive's limits allow; a ThrottleSet input for the drive is
// passed on to them.
//
// Not thread-safe: CPU thread only. The tap must outlive the device.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "emulator/block/block_throttles.h"
#include "emulator/devices/virtio/virtio_device.h"
#include "emulator/tap.h"

namespace tapvm {

class VirtioBlk : public VirtioDeviceModel, public TapInputSink {
 public:
  // Feature bits (virtio 1.2 §5.2.3).
  static constexpr uint64_t kFSizeMax = 1ull << 1, kFSegMax = 1ull << 2, kFRo = 1ull << 5, kFBlkSize = 1ull << 6,
                            kFFlush = 1ull << 9, kFDiscard = 1ull << 13, kFWriteZeroes = 1ull << 14;
  // Request types and status values (virtio 1.2 §5.2.6).
  static constexpr uint32_t kTIn = 0, kTOut = 1, kTFlush = 4, kTGetId = 8, kTDiscard = 11, kTWriteZeroes = 13;
  static constexpr uint8_t kSOk = 0, kSIoErr = 1, kSUnsupp = 2;

  static constexpr uint16_t kQueueSize = 256;
  static constexpr uint32_t kSectorSize = 512;
  static constexpr uint32_t kSizeMax = 128 * 1024;
  static constexpr uint32_t kSegMax = kQueueSize - 2;  // header and status take a descriptor each
  static constexpr uint64_t kMaxTransferBytes = uint64_t{kSegMax} * kSizeMax;
  static constexpr uint32_t kMaxDiscardSectors = 1u << 22;  // 2 GiB per request
  static constexpr uint32_t kMaxWriteZeroesSectors = 1u << 22;
  static constexpr uint32_t kDiscardSectorAlignment = 8;  // 4 KiB
  static constexpr uint32_t kIdBytes = 20;
  static constexpr uint64_t kRequestCostBytes = 512;
  static constexpr uint32_t kConfigSize = 0x3c;  // through write_zeroes_may_unmap and its padding
  // Capacities at or above this many sectors are clamped (byte offsets must
  // not overflow).
  static constexpr uint64_t kMaxCapacitySectors = 1ull << 54;

  struct Options {
    uint64_t capacity_sectors = 0;
    bool read_only = false;
    bool discard = true;
    bool write_zeroes = true;
    std::string id;  // GET_ID answer; truncated to 20 bytes
    uint64_t max_bytes_in_flight = 64ull << 20;
    BlockThrottles* throttles = nullptr;  // must outlive the device; null: straight to the tap
  };

  // Plain counters, for tests, stats and digests.
  struct Stats {
    uint64_t submitted;           // requests handed to the tap
    uint64_t completed;           // completions matched to a request
    uint64_t stale_completions;   // completions matching nothing (after a reset)
  };

  // Registers itself with `tap` for the inputs of `dev`.
  VirtioBlk(TapDeviceId dev, EventTap* tap, Options options);

  // Changes the capacity (a resize): a configuration change notification.
  void SetCapacity(uint64_t sectors);

  // VirtioDeviceModel.
  uint32_t device_id() const override { return kVirtioIdBlock; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return kConfigSize; }
  void ReadConfig(uint32_t offset, std::span<uint8_t> data) override;
  void Attach(VirtioTransport* transport) override { transport_ = transport; }
  void Notify(unsigned q) override;
  void Reset() override;

  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  // Re-submits every request in flight that the throttles do not hold
  // (those they hold go to the tap when released, as before), its write
  // data read again from the chain (the driver may not touch a buffer
  // before it is used); requests orphaned by a reset are forgotten (their
  // completions would be dropped) and their bytes returned to the budget.
  void ResubmitInFlight() override;

  // TapInputSink.
  void OnInput(const TapInput& input) override;

  size_t in_flight() const { return pending_.size(); }
  uint64_t bytes_in_flight() const { return bytes_in_flight_; }
  const Stats& stats() const { return stats_; }

 private:
  struct Pending {
    VirtqChain chain;
    uint64_t read_len = 0;  // bytes to copy into the chain on success (reads)
    uint64_t bytes = 0;     // data bytes counted in bytes_in_flight_
    // What was asked of the tap, so a restored machine can ask again
    // (ResubmitInFlight); the write data is the chain's.
    BlockRequest::Type type = BlockRequest::Type::kRead;
    uint64_t offset = 0, length = 0;
  };

  // Takes chains from the queue while the budget allows.
  void ProcessQueue();
  // After a completion: takes the chains left in the ring if the budget
  // allows again.
  void MaybeResume();
  // Handles one chain: completes it at once, submits it, or reports a
  // driver error. Returns true if it was completed at once.
  bool HandleChain(VirtqChain chain);
  // The status for a DISCARD / WRITE_ZEROES chain, or kSOk with the range
  // to submit.
  uint8_t CheckDiscardLike(const VirtqChain& chain, uint32_t type, uint64_t* sector, uint32_t* num) const;
  bool InCapacity(uint64_t sector, uint64_t sectors) const;
  // Writes the id (or nothing) and the status byte, returns the chain.
  void Complete(const VirtqChain& chain, uint8_t status, std::span<const uint8_t> data);
  void Submit(VirtqChain chain, BlockRequest::Type type, uint64_t offset, uint64_t length, uint64_t read_len,
              IoBytes data);
  void OnCompletion(const BlockCompletion& c);

  TapDeviceId dev_;
  EventTap* tap_;
  Options options_;
  VirtioTransport* transport_ = nullptr;
  uint64_t next_id_ = 1;  // not rewound by Reset (see the header comment)
  std::map<uint64_t, Pending> pending_;
  std::map<uint64_t, uint64_t> orphaned_;  // id -> bytes of requests from before a reset
  uint64_t bytes_in_flight_ = 0;           // data bytes of pending_ and orphaned_
  bool deferred_ = false;                  // chains left in the ring for lack of budget
  Stats stats_{};
};

}  // namespace tapvm
