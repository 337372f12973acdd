#include "emulator/block/backends/host_throttle_backend.h"

#include <chrono>
#include <utility>

namespace tapvm {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
}  // namespace

HostThrottleGroup::HostThrottleGroup(const std::string& name, const ThrottleLimits& limits)
    : group_(name, kNsPerSecond), start_(std::chrono::steady_clock::now()) {
  group_.SetLimits(limits, 0);
  timer_ = std::thread([this] { TimerLoop(); });
}

HostThrottleGroup::~HostThrottleGroup() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  timer_.join();
}

uint64_t HostThrottleGroup::NowNs() const {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
}

void HostThrottleGroup::SetLimits(const ThrottleLimits& limits) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    group_.SetLimits(limits, NowNs());
  }
  cv_.notify_all();
  released_.notify_all();
}

ThrottleLimits HostThrottleGroup::limits() {
  std::lock_guard<std::mutex> lock(mu_);
  return group_.limits();
}

void HostThrottleGroup::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const uint64_t next = group_.NextRelease();
    if (next == UINT64_MAX) {
      cv_.wait(lock);
      continue;
    }
    const uint64_t now = NowNs();
    if (now < next) {
      cv_.wait_for(lock, std::chrono::nanoseconds(next - now));
      continue;
    }
    group_.Pump(now);
    released_.notify_all();
  }
}

HostThrottleBackend::HostThrottleBackend(std::unique_ptr<BlockBackend> inner, std::shared_ptr<HostThrottleGroup> group)
    : inner_(std::move(inner)), group_(std::move(group)) {
  std::lock_guard<std::mutex> lock(group_->mu_);
  member_ = group_->group_.AddMember([this](BlockRequest r) { Dispatch(std::move(r)); });
}

HostThrottleBackend::~HostThrottleBackend() { Stop(); }

void HostThrottleBackend::Dispatch(BlockRequest request) {
  auto it = held_done_.find(request.id);
  if (it == held_done_.end()) return;  // cannot happen: every request is registered before it is held
  DoneCallback done = std::move(it->second.done);
  request.id = it->second.id;
  held_done_.erase(it);
  if (stopped_) {
    BlockCompletion c;
    c.dev = request.dev;
    c.id = request.id;
    c.status = BlockCompletion::Status::kIoError;
    done(std::move(c));
    return;
  }
  inner_->Submit(std::move(request), std::move(done));
}

void HostThrottleBackend::Submit(BlockRequest request, DoneCallback done) {
  {
    std::lock_guard<std::mutex> lock(group_->mu_);
    // Ids need not be unique among a caller's requests: the group sees a
    // token of ours instead, swapped back on the way out.
    const uint64_t token = next_token_++;
    held_done_[token] = Held{request.id, std::move(done)};
    request.id = token;
    group_->group_.Submit(member_, std::move(request), group_->NowNs());
  }
  group_->cv_.notify_all();  // the release time may have changed
}

size_t HostThrottleBackend::held() {
  std::lock_guard<std::mutex> lock(group_->mu_);
  return held_done_.size();
}

void HostThrottleBackend::Drain() {
  {
    std::unique_lock<std::mutex> lock(group_->mu_);
    group_->released_.wait(lock, [this] { return held_done_.empty(); });
  }
  inner_->Drain();
}

void HostThrottleBackend::Stop() {
  {
    std::lock_guard<std::mutex> lock(group_->mu_);
    if (!stopped_) {
      stopped_ = true;
      // Out of the group: what it held fails now (Dispatch sees stopped_).
      group_->group_.SetMemberActive(member_, false, group_->NowNs());
    }
  }
  group_->released_.notify_all();
  inner_->Stop();
}

}  // namespace tapvm
