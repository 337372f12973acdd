// BlockThrottles: the machine's I/O throttles, on guest virtual time.
//
// Sits between the virtio-blk devices and the event tap: a device hands
// every request to Submit, and the request reaches the tap (SubmitBlock)
// when its drive's throttle group allows it — at once, or later, released
// by Tick at the mtime NextDeadline named. The board ticks it like a timer
// device (Board::AddTimedModel): run slices end at that deadline, and a
// guest idling in WFI sees virtual time jump to it, so a held request goes
// at the same instruction count in every run, recorded or replayed, and
// the journal's block requests are stamped with their release.
//
// Groups are those of the drives' ThrottleConfig (a drive without a group
// name is a group of its own, named after it). A drive throttled with
// clock=host is not throttled here: its host-side filter does it
// (emulator/block/backends/host_throttle_backend.h).
//
// Live change: a ThrottleSet input for a drive (delivered to its device,
// which calls SetLimits) sets the limits of the drive's group; a drive that
// had none gets a group of its own; all-zero limits take the drive out of
// throttling (its held requests go at once), as QEMU's
// block_set_io_throttle does.
//
// Its state (limits, bucket levels, held requests) is in the device digest;
// a machine with no throttled drive adds nothing to it.
// Not thread-safe: CPU thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/block/throttle_config.h"
#include "emulator/block/throttle_group.h"
#include "emulator/machine/device.h"
#include "emulator/tap.h"

namespace tapvm {

class BlockThrottles : public TimedModel {
 public:
  // `clock` gives now (mtime, `hz` ticks per guest second); both `clock`
  // and `tap` must outlive this.
  BlockThrottles(const HartPort* clock, EventTap* tap, uint64_t hz) : clock_(clock), tap_(tap), hz_(hz) {}

  // Declares drive `dev` (before the machine runs). `name` names its own
  // group when the configuration gives none ("drive0").
  void AddDrive(TapDeviceId dev, const std::string& name, const ThrottleConfig& config);

  // A request of a declared drive (its `dev` says which): to the tap now
  // or when its group allows.
  void Submit(BlockRequest request);
  // Live change (a ThrottleSet input), at the current virtual time.
  void SetLimits(TapDeviceId dev, const ThrottleLimits& limits);
  // The limits drive `dev` is throttled with now (zero: none).
  ThrottleLimits LimitsOf(TapDeviceId dev) const;
  size_t held() const;
  // Whether the throttles hold request `id` of drive `dev`.
  bool Holds(TapDeviceId dev, uint64_t id) const;

  // TimedModel.
  std::string_view name() const override { return "block-throttles"; }
  void Tick(uint64_t mtime) override;
  uint64_t NextDeadline(uint64_t mtime) const override;
  void HashState(StateHasher& h) const override;
  // Groups made at run time (a live limit on a drive that had none) are
  // made again by LoadState; the drives must be the same.
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;

 private:
  struct Drive {
    std::string name;
    bool host_clock = false;
    int group = -1;  // index in groups_, -1 before it is first throttled
    unsigned member = 0;
  };
  // The group called `name`, made (with `limits`) if there is none yet.
  int GroupFor(const std::string& name, const ThrottleLimits& limits);
  void Join(Drive& d, TapDeviceId dev, int group);

  const HartPort* clock_;
  EventTap* tap_;
  uint64_t hz_;
  std::map<TapDeviceId, Drive> drives_;
  std::vector<std::unique_ptr<ThrottleGroup>> groups_;  // in creation order
};

}  // namespace tapvm
