// ThrottleGroup: block requests of one or more drives (members) held until
// the group's shared ThrottleState lets them go, as QEMU's throttle groups
// do: each member keeps its held reads and writes in order, one queue per
// direction; reads and writes are released independently (their buckets
// differ); within a direction the members are served round robin, one
// request each in turn, so a busy drive cannot starve the others.
//
// Reads, writes and write-zeroes (a write of its length, as in QEMU) are
// throttled; flushes and discards go at once.
//
// The group never reads a clock: callers pass `now` (ticks of the clock the
// ThrottleState counts in) to Submit, SetLimits and Pump, and ask
// NextRelease() when to call Pump again. A released request is handed to
// its member's Dispatch callback (which may not call back into the group).
// Deterministic; not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "emulator/base/state_hasher.h"
#include "emulator/block/throttle.h"
#include "emulator/tap.h"

namespace tapvm {

class ThrottleGroup {
 public:
  using Dispatch = std::function<void(BlockRequest)>;

  ThrottleGroup(std::string name, uint64_t hz) : name_(std::move(name)), state_(hz) {}

  const std::string& name() const { return name_; }
  // Adds a member; returns its index for Submit.
  unsigned AddMember(Dispatch dispatch);
  // A member in the group whose requests are not throttled (it left the
  // group: QEMU's limits set to zero for one drive) dispatches at once.
  void SetMemberActive(unsigned member, bool active, uint64_t now);
  bool member_active(unsigned member) const { return members_[member].active; }

  // A request of `member` at `now`: dispatched before this returns, or held.
  void Submit(unsigned member, BlockRequest request, uint64_t now);
  // New limits for the whole group at `now` (levels start empty); held
  // requests that may now go are released.
  void SetLimits(const ThrottleLimits& limits, uint64_t now);
  const ThrottleLimits& limits() const { return state_.limits(); }
  // Releases every held request that may go at `now`.
  void Pump(uint64_t now);
  // When Pump must next be called (UINT64_MAX: nothing held).
  uint64_t NextRelease() const { return std::min(release_[0], release_[1]); }
  size_t held() const;

  void HashState(StateHasher& h) const;
  // Checkpoints: the buckets, the turn, the release times and every held
  // request whole (data included). Load needs the group to have as many
  // members as saved (their dispatch callbacks are the configuration's)
  // and changes nothing on error.
  void SaveState(StateWriter& w) const;
  Status LoadState(StateReader& r);
  // Whether request `id` of `member` is held.
  bool Holds(unsigned member, uint64_t id) const;

 private:
  struct Member {
    Dispatch dispatch;
    bool active = true;
    std::deque<BlockRequest> held[2];  // by ThrottleState::Dir
  };
  void PumpDir(unsigned dir, uint64_t now);

  std::string name_;
  ThrottleState state_;
  std::vector<Member> members_;
  unsigned next_[2] = {0, 0};                    // the member served first, per direction
  uint64_t release_[2] = {UINT64_MAX, UINT64_MAX};  // when a held request may go, per direction
};

}  // namespace tapvm
