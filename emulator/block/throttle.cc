#include "emulator/block/throttle.h"

#include "emulator/block/throttle_config.h"

#include <algorithm>

namespace tapvm {

namespace {

using Amount = unsigned __int128;

bool IsIops(unsigned bucket) { return bucket >= ThrottleLimits::kIopsTotal; }

// Whether bucket `b` counts requests of direction `dir`.
bool Applies(unsigned b, ThrottleState::Dir dir) {
  switch (b) {
    case ThrottleLimits::kBpsTotal:
    case ThrottleLimits::kIopsTotal: return true;
    case ThrottleLimits::kBpsRead:
    case ThrottleLimits::kIopsRead: return dir == ThrottleState::Dir::kRead;
    default: return dir == ThrottleState::Dir::kWrite;
  }
}

// Ticks for `extra` (amount × hz) to drain at `rate` per tick, rounded up.
uint64_t DrainTicks(Amount extra, uint64_t rate) {
  const Amount t = (extra + rate - 1) / rate;
  return t > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(t);
}

Amount Drained(Amount level, uint64_t rate, uint64_t ticks) {
  const Amount leak = Amount{rate} * ticks;
  return level > leak ? level - leak : 0;
}

}  // namespace

void ThrottleState::SetLimits(const ThrottleLimits& limits, uint64_t now) {
  limits_ = limits;
  for (Level& l : levels_) l = Level{};
  last_leak_ = now;
}

void ThrottleState::Leak(uint64_t now) {
  if (now <= last_leak_) return;
  const uint64_t dt = now - last_leak_;
  last_leak_ = now;
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b) {
    const ThrottleLimits::Limit& lim = limits_.bucket[b];
    if (!lim.avg) continue;
    levels_[b].level = Drained(levels_[b].level, lim.avg, dt);
    if (lim.max_length > 1) levels_[b].burst = Drained(levels_[b].burst, lim.max, dt);
  }
}

uint64_t ThrottleState::BucketWait(unsigned b) const {
  const ThrottleLimits::Limit& lim = limits_.bucket[b];
  if (!lim.avg) return 0;
  // Without a burst limit a bucket still holds a tenth of a second of I/O,
  // so back-to-back requests are not each delayed.
  const Amount size = lim.max ? Amount{lim.max} * lim.max_length * hz_ : Amount{lim.avg} * hz_ / 10;
  const Level& l = levels_[b];
  if (l.level > size) return DrainTicks(l.level - size, lim.avg);
  if (lim.max_length > 1) {
    const Amount burst_size = Amount{lim.max} * hz_ / 10;
    if (l.burst > burst_size) return DrainTicks(l.burst - burst_size, lim.max);
  }
  return 0;
}

uint64_t ThrottleState::Wait(Dir dir, uint64_t now) {
  Leak(now);
  uint64_t wait = 0;
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b)
    if (Applies(b, dir)) wait = std::max(wait, BucketWait(b));
  return wait;
}

void ThrottleState::Account(Dir dir, uint64_t bytes) {
  // Operations, as amount × hz: one, or size / iops_size when larger.
  const Amount ops = limits_.iops_size && bytes > limits_.iops_size
                         ? Amount{bytes} * hz_ / limits_.iops_size
                         : Amount{hz_};
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b) {
    const ThrottleLimits::Limit& lim = limits_.bucket[b];
    if (!lim.avg || !Applies(b, dir)) continue;
    const Amount add = IsIops(b) ? ops : Amount{bytes} * hz_;
    levels_[b].level += add;
    if (lim.max_length > 1) levels_[b].burst += add;
  }
}

void ThrottleState::SaveState(StateWriter& w) const {
  for (const ThrottleLimits::Limit& l : limits_.bucket) w.Put(l.avg).Put(l.max).Put(l.max_length);
  w.Put(limits_.iops_size).Put(last_leak_);
  for (const Level& l : levels_) {
    w.Put(static_cast<uint64_t>(l.level)).Put(static_cast<uint64_t>(l.level >> 64));
    w.Put(static_cast<uint64_t>(l.burst)).Put(static_cast<uint64_t>(l.burst >> 64));
  }
}

Status ThrottleState::LoadState(StateReader& r) {
  ThrottleLimits limits;
  for (ThrottleLimits::Limit& l : limits.bucket) {
    r.Get(&l.avg);
    r.Get(&l.max);
    r.Get(&l.max_length);
  }
  r.Get(&limits.iops_size);
  const uint64_t last_leak = r.Get<uint64_t>();
  Level levels[ThrottleLimits::kBucketCount];
  for (Level& l : levels) {
    const uint64_t lo = r.Get<uint64_t>(), hi = r.Get<uint64_t>();
    const uint64_t blo = r.Get<uint64_t>(), bhi = r.Get<uint64_t>();
    l.level = (Amount{hi} << 64) | lo;
    l.burst = (Amount{bhi} << 64) | blo;
  }
  if (!r.ok()) return r.status();
  if (limits.any()) {
    Status st = ValidateThrottleLimits(limits);
    if (!st.ok()) {
      r.Fail("throttle limits: " + st.message());
      return r.status();
    }
  }
  limits_ = limits;
  last_leak_ = last_leak;
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b) levels_[b] = levels[b];
  return Status::Ok();
}

void ThrottleState::HashState(StateHasher& h) const {
  for (const ThrottleLimits::Limit& l : limits_.bucket) h.Add(l.avg).Add(l.max).Add(l.max_length);
  h.Add(limits_.iops_size).Add(last_leak_);
  for (const Level& l : levels_) {
    h.Add(static_cast<uint64_t>(l.level)).Add(static_cast<uint64_t>(l.level >> 64));
    h.Add(static_cast<uint64_t>(l.burst)).Add(static_cast<uint64_t>(l.burst >> 64));
  }
}

}  // namespace tapvm
