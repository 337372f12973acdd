// ThrottleState: the leaky buckets of one throttled drive or throttle
// group, with QEMU's semantics (QEMU's docs/throttle.txt).
//
// Each limit of ThrottleLimits (emulator/tap.h) is a bucket. A request that
// is let through adds its size (bps buckets) or its operation count (iops
// buckets: 1, or size / iops_size when iops_size is set and the request is
// larger) to the level of every bucket that applies to it (total, and read
// or write); levels drain at the average rate. A request may go while every
// bucket's level is at most its size: avg / 10 without a burst limit, or
// max * max_length with one; with max_length > 1 a second level, draining
// at `max`, also has to be at most max / 10, which holds bursts to `max`.
// A request is admitted whole even when it is larger than a bucket: the
// excess is paid by the wait of the requests after it, so a 1 MiB request
// against bps=64K passes, and the next waits ~16 s; nothing waits forever.
//
// Time is in ticks of a clock given at construction (`hz` ticks per second:
// the virt board's 10 MHz mtime for the machine's throttles, nanoseconds for
// the host-clock filter); the caller passes `now`, the state never reads a
// clock. The arithmetic is integral (levels are kept as amount × hz, so a
// tick drains exactly `avg`), so the same calls give the same waits on every
// host and compiler: replay depends on it.
//
// Plain value; not thread-safe.
#pragma once

#include <cstdint>

#include "emulator/base/state_hasher.h"
#include "emulator/base/state_io.h"
#include "emulator/base/status.h"
#include "emulator/tap.h"

namespace tapvm {

class ThrottleState {
 public:
  // Direction of a request, for the buckets that apply to it.
  enum class Dir : uint8_t { kRead, kWrite };

  explicit ThrottleState(uint64_t hz) : hz_(hz) {}

  // New limits at `now`: every level starts empty again (as QEMU does when
  // limits change). `limits` must be valid (ValidateThrottleLimits).
  void SetLimits(const ThrottleLimits& limits, uint64_t now);
  const ThrottleLimits& limits() const { return limits_; }
  bool enabled() const { return limits_.any(); }

  // Drains the buckets up to `now` (never backwards), then returns how many
  // ticks a request of direction `dir` must still wait (0: it may go now).
  uint64_t Wait(Dir dir, uint64_t now);
  // Charges a request that goes now to its buckets.
  void Account(Dir dir, uint64_t bytes);

  void HashState(StateHasher& h) const;
  // Checkpoints: limits, levels and the last leak (the clock rate is the
  // configuration's). Load validates the limits and changes nothing on error.
  void SaveState(StateWriter& w) const;
  Status LoadState(StateReader& r);

 private:
  using Amount = unsigned __int128;  // amount × hz
  struct Level {
    Amount level = 0;  // drains at avg per tick
    Amount burst = 0;  // drains at max per tick (max_length > 1 only)
  };
  void Leak(uint64_t now);
  uint64_t BucketWait(unsigned bucket) const;

  uint64_t hz_;
  ThrottleLimits limits_;
  Level levels_[ThrottleLimits::kBucketCount];
  uint64_t last_leak_ = 0;
};

}  // namespace tapvm
