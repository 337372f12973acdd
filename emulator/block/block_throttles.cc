#include "emulator/block/block_throttles.h"

#include <algorithm>
#include <utility>

namespace tapvm {

int BlockThrottles::GroupFor(const std::string& name, const ThrottleLimits& limits) {
  for (size_t i = 0; i < groups_.size(); ++i)
    if (groups_[i]->name() == name) return static_cast<int>(i);
  groups_.push_back(std::make_unique<ThrottleGroup>(name, hz_));
  groups_.back()->SetLimits(limits, clock_->Mtime());
  return static_cast<int>(groups_.size() - 1);
}

void BlockThrottles::Join(Drive& d, TapDeviceId dev, int group) {
  EventTap* tap = tap_;
  d.group = group;
  d.member = groups_[static_cast<size_t>(group)]->AddMember([tap](BlockRequest r) { tap->SubmitBlock(std::move(r)); });
}

void BlockThrottles::AddDrive(TapDeviceId dev, const std::string& name, const ThrottleConfig& config) {
  Drive d;
  d.name = name;
  d.host_clock = config.clock == ThrottleConfig::Clock::kHost;
  if (config.enabled() && !d.host_clock)
    Join(d, dev, GroupFor(config.group.empty() ? name : config.group, config.limits));
  drives_[dev] = std::move(d);
}

void BlockThrottles::Submit(BlockRequest request) {
  auto it = drives_.find(request.dev);
  if (it == drives_.end() || it->second.group < 0) return tap_->SubmitBlock(std::move(request));
  const Drive& d = it->second;
  groups_[static_cast<size_t>(d.group)]->Submit(d.member, std::move(request), clock_->Mtime());
}

void BlockThrottles::SetLimits(TapDeviceId dev, const ThrottleLimits& limits) {
  auto it = drives_.find(dev);
  if (it == drives_.end() || it->second.host_clock) return;  // host-clock drives: the host filter's business
  Drive& d = it->second;
  const uint64_t now = clock_->Mtime();
  if (!limits.any()) {
    if (d.group >= 0) groups_[static_cast<size_t>(d.group)]->SetMemberActive(d.member, false, now);
    return;
  }
  if (d.group < 0) {
    Join(d, dev, GroupFor(d.name, limits));
  }
  ThrottleGroup& g = *groups_[static_cast<size_t>(d.group)];
  g.SetMemberActive(d.member, true, now);
  g.SetLimits(limits, now);
}

ThrottleLimits BlockThrottles::LimitsOf(TapDeviceId dev) const {
  auto it = drives_.find(dev);
  if (it == drives_.end() || it->second.group < 0) return {};
  const ThrottleGroup& g = *groups_[static_cast<size_t>(it->second.group)];
  return g.member_active(it->second.member) ? g.limits() : ThrottleLimits{};
}

size_t BlockThrottles::held() const {
  size_t n = 0;
  for (const auto& g : groups_) n += g->held();
  return n;
}

void BlockThrottles::Tick(uint64_t mtime) {
  for (auto& g : groups_)
    if (g->NextRelease() <= mtime) g->Pump(mtime);
}

uint64_t BlockThrottles::NextDeadline(uint64_t mtime) const {
  uint64_t next = UINT64_MAX;
  for (const auto& g : groups_) next = std::min(next, g->NextRelease());
  return next;
}

bool BlockThrottles::Holds(TapDeviceId dev, uint64_t id) const {
  auto it = drives_.find(dev);
  if (it == drives_.end() || it->second.group < 0) return false;
  return groups_[static_cast<size_t>(it->second.group)]->Holds(it->second.member, id);
}

void BlockThrottles::SaveState(StateWriter& w) const {
  w.Put<uint64_t>(drives_.size());
  for (const auto& [dev, d] : drives_) w.Put(dev).Put(d.group).Put(d.member);
  w.Put<uint64_t>(groups_.size());
  for (const auto& g : groups_) g->SaveState(w);
}

Status BlockThrottles::LoadState(StateReader& r) {
  std::map<TapDeviceId, Drive> drives = drives_;
  if (r.Get<uint64_t>() != drives.size() && r.ok()) r.Fail("another number of drives");
  for (size_t i = 0; i < drives_.size() && r.ok(); ++i) {
    const TapDeviceId dev = r.Get<TapDeviceId>();
    auto it = drives.find(dev);
    if (it == drives.end()) {
      r.Fail("no drive " + std::to_string(dev));
      break;
    }
    r.Get(&it->second.group);
    r.Get(&it->second.member);
  }
  const uint64_t n = r.Count(drives.size(), 16);
  if (!r.ok()) return r.status();
  // The groups as they were: each made with the members that joined it
  // (every member dispatches to the tap; they differ only in order).
  std::vector<std::unique_ptr<ThrottleGroup>> groups;
  std::vector<std::string> names;
  for (uint64_t g = 0; g < n; ++g) {
    // The name leads each group's state; peeked by reading a copy.
    StateReader peek = r;
    names.push_back(peek.String(4096));
    if (!peek.ok()) return peek.status();
    groups.push_back(std::make_unique<ThrottleGroup>(names.back(), hz_));
    unsigned members = 0;
    for (const auto& [dev, d] : drives)
      if (d.group == static_cast<int>(g)) ++members;
    EventTap* tap = tap_;
    for (unsigned m = 0; m < members; ++m)
      groups.back()->AddMember([tap](BlockRequest q) { tap->SubmitBlock(std::move(q)); });
    TAPVM_RETURN_IF_ERROR(groups.back()->LoadState(r));
  }
  for (const auto& [dev, d] : drives)
    if (d.group >= static_cast<int>(n) || d.group < -1 ||
        (d.group >= 0 && d.member >= static_cast<unsigned>(std::count_if(drives.begin(), drives.end(), [&](const auto& e) {
           return e.second.group == d.group;
         })))) {
      r.Fail("drive " + std::to_string(dev) + " names a group or member that does not exist");
      return r.status();
    }
  drives_ = std::move(drives);
  groups_ = std::move(groups);
  return Status::Ok();
}

void BlockThrottles::HashState(StateHasher& h) const {
  if (groups_.empty()) return;  // an unthrottled machine digests as it always did
  h.Add(groups_.size());
  for (const auto& g : groups_) g->HashState(h);
  for (const auto& [dev, d] : drives_) h.Add(dev).Add(d.group).Add(d.member);
}

}  // namespace tapvm
