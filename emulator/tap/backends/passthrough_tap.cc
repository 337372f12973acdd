#include "emulator/tap/backends/passthrough_tap.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace tapvm {

namespace {

// WaitForInput never sleeps longer than this in one call (keeps the chrono
// arithmetic far from overflow; a caller wanting longer calls again).
constexpr uint64_t kMaxWaitNs = 3600ull * 1000 * 1000 * 1000;

TapDeviceId DeviceOf(const TapInput& input) {
  return std::visit([](const auto& in) { return in.dev; }, input);
}

}  // namespace

// The queue between the I/O threads and the CPU thread. Held by shared_ptr
// from every backend callback, so it outlives the tap if a callback does.
struct PassthroughTap::Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<TapInput> queue;
  size_t queued_frames = 0;
  size_t queued_frame_bytes = 0;
  uint64_t dropped_frames = 0;
  bool kicked = false;
  bool closed = false;  // the tap is gone: drop everything
  // Block requests submitted whose completion has not been posted yet.
  std::atomic<uint64_t> block_in_flight{0};
  // Mirrors !queue.empty(), so the CPU thread's common case (nothing to
  // deliver at a slice boundary) takes no lock.
  std::atomic<bool> nonempty{false};

  void Post(TapInput input) {
    std::lock_guard<std::mutex> lock(mu);
    if (closed) return;
    if (const auto* f = std::get_if<NetFrameIn>(&input)) {
      if (queued_frames >= kMaxQueuedFrames ||
          queued_frame_bytes + f->frame.size() > kMaxQueuedFrameBytes) {
        ++dropped_frames;
        return;
      }
      ++queued_frames;
      queued_frame_bytes += f->frame.size();
    }
    queue.push_back(std::move(input));
    nonempty.store(true, std::memory_order_release);
    cv.notify_all();
  }
};

PassthroughTap::PassthroughTap() : inbox_(std::make_shared<Inbox>()) {}

PassthroughTap::~PassthroughTap() {
  std::lock_guard<std::mutex> lock(inbox_->mu);
  inbox_->closed = true;
  inbox_->queue.clear();
}

void PassthroughTap::AttachDevice(TapDeviceId dev, TapInputSink* sink) {
  if (sink == nullptr) {
    sinks_.erase(dev);
  } else {
    sinks_[dev] = sink;
  }
}

void PassthroughTap::AttachBlockBackend(TapDeviceId dev, BlockBackend* backend) {
  block_[dev] = backend;
}

void PassthroughTap::AttachNetBackend(TapDeviceId dev, NetBackend* backend) {
  net_[dev] = backend;
  backend->Start([inbox = inbox_, dev](std::vector<uint8_t> frame) {
    inbox->Post(NetFrameIn{dev, std::move(frame)});
  });
}

void PassthroughTap::AttachEntropy(EntropySource* source) { entropy_ = source; }

void PassthroughTap::SetConsoleOutput(ConsoleOutputFn fn) { console_ = std::move(fn); }


void PassthroughTap::PostInput(TapInput input) { inbox_->Post(std::move(input)); }

void PassthroughTap::Kick() {
  std::lock_guard<std::mutex> lock(inbox_->mu);
  inbox_->kicked = true;
  inbox_->cv.notify_all();
}

void PassthroughTap::SubmitBlock(BlockRequest request) {
  const TapDeviceId dev = request.dev;
  const uint64_t id = request.id;
  auto it = block_.find(dev);
  if (it == block_.end() || it->second == nullptr) {
    spdlog::debug("tap: block request {} for device {} without a backend", id, dev);
    BlockCompletion c;
    c.dev = dev;
    c.id = id;
    c.status = BlockCompletion::Status::kIoError;
    inbox_->Post(std::move(c));
    return;
  }
  // The completion is stamped with the request's identity whatever the
  // backend filled in: a device only ever sees answers to its own requests.
  inbox_->block_in_flight.fetch_add(1, std::memory_order_relaxed);
  it->second->Submit(std::move(request), [inbox = inbox_, dev, id](BlockCompletion c) {
    c.dev = dev;
    c.id = id;
    inbox->Post(std::move(c));
    inbox->block_in_flight.fetch_sub(1, std::memory_order_relaxed);
  });
}

void PassthroughTap::PlugBlock(TapDeviceId dev) {
  if (auto it = block_.find(dev); it != block_.end() && it->second) it->second->Plug();
}

void PassthroughTap::UnplugBlock(TapDeviceId dev) {
  if (auto it = block_.find(dev); it != block_.end() && it->second) it->second->Unplug();
}

void PassthroughTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) {
  auto it = net_.find(dev);
  if (it == net_.end() || it->second == nullptr) {
    spdlog::debug("tap: frame from device {} without a network backend dropped", dev);
    return;
  }
  it->second->Send(frame);
}

void PassthroughTap::RequestEntropy(TapDeviceId dev, uint32_t max_bytes) {
  EntropyIn in;
  in.dev = dev;
  if (entropy_ != nullptr) {
    in.bytes.resize(std::min(max_bytes, kMaxEntropyBytes));
    Status st = entropy_->Fill(in.bytes);
    if (!st.ok()) {
      spdlog::warn("tap: {}", st.ToString());
      in.bytes.clear();
    }
  }
  inbox_->Post(std::move(in));
}

void PassthroughTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) {
  if (console_) console_(dev, bytes);
}

unsigned PassthroughTap::DeliverDue(uint64_t icount) {
  if (!inbox_->nonempty.load(std::memory_order_acquire)) return 0;
  std::deque<TapInput> batch;
  {
    std::lock_guard<std::mutex> lock(inbox_->mu);
    batch.swap(inbox_->queue);
    inbox_->queued_frames = 0;
    inbox_->queued_frame_bytes = 0;
    inbox_->nonempty.store(false, std::memory_order_relaxed);
  }
  unsigned delivered = 0;
  for (const TapInput& input : batch) {
    TapDeviceId dev = DeviceOf(input);
    auto it = sinks_.find(dev);
    if (it == sinks_.end()) {
      spdlog::debug("tap: input (kind {}) for device {} without a sink dropped", input.index(),
                    dev);
      continue;
    }
    it->second->OnInput(input);
    ++delivered;
  }
  return delivered;
}

bool PassthroughTap::WaitForInput(uint64_t host_timeout_ns) {
  Inbox& box = *inbox_;
  std::unique_lock<std::mutex> lock(box.mu);
  if (host_timeout_ns > 0) {
    auto timeout = std::chrono::nanoseconds(std::min(host_timeout_ns, kMaxWaitNs));
    box.cv.wait_for(lock, timeout, [&box] { return !box.queue.empty() || box.kicked; });
  }
  box.kicked = false;
  return !box.queue.empty();
}

uint64_t PassthroughTap::Idle(uint64_t now, uint64_t deadline) {
  if (deadline <= now) return deadline;
  Inbox& box = *inbox_;
  std::unique_lock<std::mutex> lock(box.mu);
  if (!box.queue.empty()) return now;  // deliver before time moves on
  // The count drops only after the completion is posted, and posting needs
  // the lock held here: with the queue empty, a count of zero means no
  // completion is still to come.
  if (!InputPossible()) return deadline;  // UINT64_MAX: nothing can ever wake it
  using Clock = std::chrono::steady_clock;
  const double ns_per_tick = 1e9 / static_cast<double>(timebase_hz_);
  const bool timed = deadline != UINT64_MAX;
  // The host time the whole span takes, capped: a far deadline just means
  // waiting until an input arrives.
  const double span_ns = timed ? static_cast<double>(deadline - now) * ns_per_tick : 0;
  const auto start = Clock::now();
  for (;;) {
    if (!box.queue.empty() || box.kicked) break;
    auto elapsed_ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    if (timed && elapsed_ns >= span_ns) return deadline;
    double wait_ns = timed ? std::min(span_ns - elapsed_ns, static_cast<double>(kMaxWaitNs))
                           : static_cast<double>(kMaxWaitNs);
    box.cv.wait_for(lock, std::chrono::nanoseconds(static_cast<int64_t>(wait_ns) + 1));
  }
  box.kicked = false;
  auto elapsed_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  double ticks = elapsed_ns / ns_per_tick;
  if (ticks >= static_cast<double>(deadline - now)) return deadline;
  return now + static_cast<uint64_t>(ticks);
}

bool PassthroughTap::InputPossible() const {
  return external_input_ || !net_.empty() || inbox_->block_in_flight.load(std::memory_order_relaxed) > 0;
}

bool PassthroughTap::InputPending() const { return inbox_->nonempty.load(std::memory_order_acquire); }

size_t PassthroughTap::pending_inputs() const {
  std::lock_guard<std::mutex> lock(inbox_->mu);
  return inbox_->queue.size();
}

uint64_t PassthroughTap::dropped_frames() const {
  std::lock_guard<std::mutex> lock(inbox_->mu);
  return inbox_->dropped_frames;
}

}  // namespace tapvm
