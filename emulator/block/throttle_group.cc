#include "emulator/block/throttle_group.h"

#include <utility>

namespace tapvm {

namespace {

// The direction a request is throttled as; false for requests that are not
// throttled (flush, discard).
bool ThrottledDir(const BlockRequest& r, unsigned* dir) {
  switch (r.type) {
    case BlockRequest::Type::kRead: *dir = 0; return true;
    case BlockRequest::Type::kWrite:
    case BlockRequest::Type::kWriteZeroes: *dir = 1; return true;
    default: return false;
  }
}

ThrottleState::Dir AsDir(unsigned dir) { return dir ? ThrottleState::Dir::kWrite : ThrottleState::Dir::kRead; }

}  // namespace

unsigned ThrottleGroup::AddMember(Dispatch dispatch) {
  Member m;
  m.dispatch = std::move(dispatch);
  members_.push_back(std::move(m));
  return static_cast<unsigned>(members_.size() - 1);
}

void ThrottleGroup::SetMemberActive(unsigned member, bool active, uint64_t now) {
  Member& m = members_[member];
  m.active = active;
  if (active) return;
  // Leaving the group: what it held goes now, in order.
  for (auto& queue : m.held) {
    std::deque<BlockRequest> out;
    out.swap(queue);
    for (BlockRequest& r : out) m.dispatch(std::move(r));
  }
  Pump(now);
}

void ThrottleGroup::Submit(unsigned member, BlockRequest request, uint64_t now) {
  Member& m = members_[member];
  unsigned dir = 0;
  if (!m.active || !state_.enabled() || !ThrottledDir(request, &dir)) {
    m.dispatch(std::move(request));
    return;
  }
  m.held[dir].push_back(std::move(request));
  PumpDir(dir, now);
}

void ThrottleGroup::SetLimits(const ThrottleLimits& limits, uint64_t now) {
  state_.SetLimits(limits, now);
  Pump(now);
}

void ThrottleGroup::Pump(uint64_t now) {
  PumpDir(0, now);
  PumpDir(1, now);
}

void ThrottleGroup::PumpDir(unsigned dir, uint64_t now) {
  const unsigned n = static_cast<unsigned>(members_.size());
  release_[dir] = UINT64_MAX;
  for (;;) {
    // The next member in turn with a request held.
    unsigned pick = n;
    for (unsigned k = 0; k < n; ++k) {
      const unsigned i = (next_[dir] + k) % n;
      if (!members_[i].held[dir].empty()) {
        pick = i;
        break;
      }
    }
    if (pick == n) return;
    const uint64_t wait = state_.enabled() ? state_.Wait(AsDir(dir), now) : 0;
    if (wait > 0) {
      release_[dir] = wait > UINT64_MAX - now ? UINT64_MAX - 1 : now + wait;
      return;
    }
    Member& m = members_[pick];
    BlockRequest r = std::move(m.held[dir].front());
    m.held[dir].pop_front();
    if (state_.enabled()) state_.Account(AsDir(dir), r.length);
    next_[dir] = (pick + 1) % n;
    m.dispatch(std::move(r));
  }
}

size_t ThrottleGroup::held() const {
  size_t n = 0;
  for (const Member& m : members_) n += m.held[0].size() + m.held[1].size();
  return n;
}

void ThrottleGroup::SaveState(StateWriter& w) const {
  w.String(name_);
  state_.SaveState(w);
  w.Put(next_[0]).Put(next_[1]).Put(release_[0]).Put(release_[1]).Put<uint64_t>(members_.size());
  for (const Member& m : members_) {
    w.Bool(m.active);
    for (const auto& queue : m.held) {
      w.Put<uint64_t>(queue.size());
      for (const BlockRequest& r : queue) w.Put(r.dev).Put(r.id).Put(r.type).Put(r.offset).Put(r.length).Bytes(r.data);
    }
  }
}

Status ThrottleGroup::LoadState(StateReader& r) {
  if (r.String(4096) != name_ && r.ok()) r.Fail("throttle group '" + name_ + "' expected");
  if (!r.ok()) return r.status();
  ThrottleState state = state_;
  TAPVM_RETURN_IF_ERROR(state.LoadState(r));
  unsigned next[2];
  uint64_t release[2];
  r.Get(&next[0]);
  r.Get(&next[1]);
  r.Get(&release[0]);
  r.Get(&release[1]);
  if (r.Get<uint64_t>() != members_.size() && r.ok()) r.Fail("another number of members");
  if (r.ok() && (next[0] >= members_.size() || next[1] >= members_.size())) r.Fail("a turn past the members");
  std::vector<bool> active(members_.size());
  std::vector<std::deque<BlockRequest>> held(2 * members_.size());
  for (size_t i = 0; i < members_.size() && r.ok(); ++i) {
    active[i] = r.Bool();
    for (unsigned dir = 0; dir < 2 && r.ok(); ++dir) {
      const uint64_t n = r.Count(UINT64_MAX, 35);
      for (uint64_t k = 0; k < n && r.ok(); ++k) {
        BlockRequest q;
        r.Get(&q.dev);
        r.Get(&q.id);
        r.Get(&q.type);
        r.Get(&q.offset);
        r.Get(&q.length);
        q.data = ToIoBytes(r.Bytes());
        if (q.type > BlockRequest::Type::kWriteZeroes) r.Fail("unknown request type");
        held[2 * i + dir].push_back(std::move(q));
      }
    }
  }
  if (!r.ok()) return r.status();
  state_ = state;
  for (unsigned d = 0; d < 2; ++d) next_[d] = next[d], release_[d] = release[d];
  for (size_t i = 0; i < members_.size(); ++i) {
    members_[i].active = active[i];
    for (unsigned dir = 0; dir < 2; ++dir) members_[i].held[dir] = std::move(held[2 * i + dir]);
  }
  return Status::Ok();
}

bool ThrottleGroup::Holds(unsigned member, uint64_t id) const {
  for (const auto& queue : members_[member].held)
    for (const BlockRequest& r : queue)
      if (r.id == id) return true;
  return false;
}

void ThrottleGroup::HashState(StateHasher& h) const {
  h.AddString(name_);
  state_.HashState(h);
  h.Add(next_[0]).Add(next_[1]).Add(release_[0]).Add(release_[1]).Add(members_.size());
  for (const Member& m : members_) {
    h.Add(m.active);
    for (const auto& queue : m.held) {
      h.Add(queue.size());
      for (const BlockRequest& r : queue) h.Add(r.id).Add(r.type).Add(r.offset).Add(r.length);
    }
  }
}

}  // namespace tapvm
