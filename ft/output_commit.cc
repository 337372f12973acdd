#include "ft/output_commit.h"

#include <algorithm>

namespace tapvm::ft {

namespace {
// How long the release thread waits for an acknowledgement before it looks
// at its mode again (GoAlone, Drop and stop take effect within this).
constexpr std::chrono::milliseconds kModePoll{10};
}  // namespace

OutputCommitTap::OutputCommitTap(EventTap* inner, WaitAckedFn wait_acked, ReleasedFn on_released)
    : ForwardingTap(inner), wait_acked_(std::move(wait_acked)), on_released_(std::move(on_released)) {
  thread_ = std::thread([this] { Run(); });
}

OutputCommitTap::~OutputCommitTap() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OutputCommitTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) { Hold(true, dev, frame); }

void OutputCommitTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) { Hold(false, dev, bytes); }

void OutputCommitTap::Hold(bool is_frame, TapDeviceId dev, std::span<const uint8_t> bytes) {
  const uint64_t seq = seq_ ? seq_() : 0;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.outputs;
  if (mode_ == Mode::kDrop) {
    ++stats_.dropped;
    return;
  }
  held_.push_back({seq, is_frame, dev, std::vector<uint8_t>(bytes.begin(), bytes.end()),
                   std::chrono::steady_clock::now()});
  stats_.max_held = std::max<uint64_t>(stats_.max_held, held_.size());
  if (held_.size() == 1) cv_.notify_all();
}

void OutputCommitTap::GoAlone() {
  std::lock_guard<std::mutex> lock(mu_);
  if (mode_ == Mode::kCommit) mode_ = Mode::kAlone;
  cv_.notify_all();
}

void OutputCommitTap::Drop() {
  std::lock_guard<std::mutex> lock(mu_);
  mode_ = Mode::kDrop;
  stats_.dropped += held_.size();
  held_.clear();
  cv_.notify_all();
}

bool OutputCommitTap::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return held_.empty() && !releasing_; });
}

OutputCommitStats OutputCommitTap::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void OutputCommitTap::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<Held> batch;
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !held_.empty(); });
    if (stop_) return;
    if (mode_ == Mode::kCommit) {
      const uint64_t seq = held_.front().seq;
      lock.unlock();
      const bool acked = wait_acked_(seq, kModePoll);
      lock.lock();
      if (!acked) continue;  // look at the mode again
      // Everything up to the first output not yet acknowledged goes.
      while (!held_.empty() && (held_.front().seq <= seq || wait_acked_(held_.front().seq, std::chrono::milliseconds(0)))) {
        batch.push_back(std::move(held_.front()));
        held_.pop_front();
      }
    } else if (mode_ == Mode::kAlone) {
      while (!held_.empty()) {
        batch.push_back(std::move(held_.front()));
        held_.pop_front();
      }
    }
    if (batch.empty()) continue;  // dropped meanwhile
    releasing_ = true;
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    for (const Held& h : batch) {
      if (h.is_frame) inner_->TransmitFrame(h.dev, h.bytes);
      else inner_->ConsoleOutput(h.dev, h.bytes);
    }
    const uint64_t last = batch.back().seq;
    if (on_released_) on_released_(last);
    lock.lock();
    stats_.released += batch.size();
    for (const Held& h : batch) {
      if (stats_.hold_us.size() >= OutputCommitStats::kMaxSamples) break;
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - h.made).count();
      stats_.hold_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
    }
    batch.clear();
    releasing_ = false;
    cv_.notify_all();
  }
}

}  // namespace tapvm::ft
