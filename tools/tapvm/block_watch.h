// BlockWatchTap: counts each drive's block traffic for the control socket
// (QMP's query-blockstats) and reports requests that failed (its
// BLOCK_IO_ERROR event), in every mode, without a line of host logic in
// the block device.
//
// It is the outermost tap, the one the board calls: it forwards every call
// unchanged to the tap stack below (pass-through, recording, replay) and
// looks at two of them: block requests as the device submits them, and
// block completions as they are delivered to the device (it stands between
// the tap and each device's input sink). So it sees exactly what the guest
// sees, whether the answer came from a host backend or from a journal, and
// changes nothing the guest can observe.
//
// Threads: calls come on the CPU thread, as for any tap; Stats may be read
// from any thread (relaxed counters: a snapshot may mix two instants).
// set_on_error before the machine runs; the callback runs on the CPU
// thread and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "emulator/tap.h"
#include "emulator/tap/forwarding_tap.h"

namespace tapvm::cli {

// QEMU's BlockDeviceStats counters that mean something here. Times are
// host nanoseconds from submission to delivery.
struct BlockStats {
  uint64_t rd_bytes = 0, wr_bytes = 0, unmap_bytes = 0;
  uint64_t rd_operations = 0, wr_operations = 0, flush_operations = 0, unmap_operations = 0;
  uint64_t failed_rd_operations = 0, failed_wr_operations = 0, failed_flush_operations = 0,
           failed_unmap_operations = 0;
  uint64_t rd_total_time_ns = 0, wr_total_time_ns = 0, flush_total_time_ns = 0, unmap_total_time_ns = 0;
  uint64_t wr_highest_offset = 0;
};

class BlockWatchTap final : public ForwardingTap {
 public:
  // `inner` must outlive this tap.
  explicit BlockWatchTap(EventTap* inner);
  ~BlockWatchTap() override;

  // Which tap devices are drives, in drive order (MachineLayout::drives).
  void SetDrives(const std::vector<TapDeviceId>& drives);
  size_t drive_count() const { return drives_.size(); }
  BlockStats Stats(size_t drive) const;
  using ErrorFn = std::function<void(size_t drive, BlockRequest::Type type)>;
  void set_on_error(ErrorFn fn) { on_error_ = std::move(fn); }

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override;
  void SubmitBlock(BlockRequest request) override;

 private:
  class Sink;
  struct Counters;
  struct InFlight {
    BlockRequest::Type type;
    uint64_t offset, length;
    std::chrono::steady_clock::time_point start;
  };
  void Completed(const BlockCompletion& done);

  std::map<TapDeviceId, std::unique_ptr<Sink>> sinks_;
  std::map<TapDeviceId, size_t> drive_index_;
  std::vector<std::unique_ptr<Counters>> drives_;
  std::map<std::pair<TapDeviceId, uint64_t>, InFlight> in_flight_;
  ErrorFn on_error_;
};

}  // namespace tapvm::cli
