// HostThrottleBackend: I/O throttling in host time (`throttling.clock=host`),
// a BlockBackend filter wrapping the real backend of one drive.
//
// Requests the drive's HostThrottleGroup does not allow yet are held and
// handed to the wrapped backend when the group's buckets (the same
// ThrottleState and round robin as the machine's throttles, counting host
// nanoseconds) let them go; a timer thread of the group releases them. This
// protects the host from a guest's I/O in wall-clock terms; the guest sees
// the delay only as later completions, which reach the machine through the
// tap as inputs (journaled when recording), so such a run replays exactly
// too — but two runs are not alike. The default, clock=virtual, throttles
// inside the machine instead (emulator/block/block_throttles.h).
//
// Contract as BlockBackend: Drain waits for held requests too (they are
// released in time); Stop fails held requests with kIoError. A group is
// shared by its members (shared_ptr) and stops its thread when the last
// member is gone. Thread-safe: Submit, SetLimits, Drain and Stop from any
// thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "emulator/block/block_backend.h"
#include "emulator/block/throttle_group.h"

namespace tapvm {

class HostThrottleGroup {
 public:
  HostThrottleGroup(const std::string& name, const ThrottleLimits& limits);
  ~HostThrottleGroup();
  HostThrottleGroup(const HostThrottleGroup&) = delete;
  HostThrottleGroup& operator=(const HostThrottleGroup&) = delete;

  // New limits for every member (levels start empty).
  void SetLimits(const ThrottleLimits& limits);
  ThrottleLimits limits();

 private:
  friend class HostThrottleBackend;
  uint64_t NowNs() const;
  void TimerLoop();

  std::mutex mu_;
  std::condition_variable cv_;  // the timer thread: a release time changed, or stop
  std::condition_variable released_;  // Drain: a request left the group
  ThrottleGroup group_;
  bool stop_ = false;
  const std::chrono::steady_clock::time_point start_;
  std::thread timer_;
};

class HostThrottleBackend final : public BlockBackend {
 public:
  HostThrottleBackend(std::unique_ptr<BlockBackend> inner, std::shared_ptr<HostThrottleGroup> group);
  ~HostThrottleBackend() override;

  void Submit(BlockRequest request, DoneCallback done) override;
  uint64_t size_bytes() const override { return inner_->size_bytes(); }
  bool read_only() const override { return inner_->read_only(); }
  void Drain() override;
  void Stop() override;

  HostThrottleGroup& group() { return *group_; }
  // Requests held now (tests).
  size_t held();

 private:
  // Called by the group (its lock held) when a request may go.
  void Dispatch(BlockRequest request);

  std::unique_ptr<BlockBackend> inner_;
  std::shared_ptr<HostThrottleGroup> group_;
  unsigned member_ = 0;
  bool stopped_ = false;                          // guarded by the group's lock
  struct Held {
    uint64_t id;  // the caller's request id
    DoneCallback done;
  };
  std::map<uint64_t, Held> held_done_;  // by token; guarded by the group's lock
  uint64_t next_token_ = 1;             // guarded by the group's lock
};

}  // namespace tapvm
