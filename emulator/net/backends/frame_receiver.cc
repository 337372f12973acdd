#include "emulator/net/backends/frame_receiver.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tapvm {

namespace {

// Frames read per wake-up before checking for Stop again, so a flood
// cannot keep the thread from noticing it.
constexpr int kBurst = 64;
// Pause after a read error, so a descriptor stuck in an error state does
// not make the thread spin.
constexpr int kErrorBackoffMs = 100;

}  // namespace

Status FrameReceiver::Start(int fd, ReadFn read, NetBackend::FrameCallback on_frame) {
  if (thread_.joinable()) return Status::Ok();
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Status::IOError(name_ + ": eventfd: " + std::strerror(errno));
  thread_ = std::thread([this, fd, read = std::move(read), on_frame = std::move(on_frame)] {
    Loop(fd, read, on_frame);
  });
  return Status::Ok();
}

void FrameReceiver::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  // An eventfd write of 1 cannot fail short of overflowing the counter.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  thread_.join();
  close(wake_fd_);
  wake_fd_ = -1;
}

void FrameReceiver::Loop(int fd, ReadFn read, NetBackend::FrameCallback on_frame) {
  // One byte more than the largest frame, so a read-style source that
  // truncates silently still shows an oversized frame as too long.
  std::vector<uint8_t> buf(kMaxFrameBytes + 1);
  pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    int r = poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      spdlog::warn("{}: poll failed ({}), receive thread exits", name_, std::strerror(errno));
      errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (fds[1].revents != 0) return;  // Stop
    if (fds[0].revents & POLLNVAL) {
      spdlog::warn("{}: descriptor closed, receive thread exits", name_);
      return;
    }
    bool backoff = false;
    for (int i = 0; i < kBurst; ++i) {
      ssize_t n = read(buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        spdlog::debug("{}: receive failed: {}", name_, std::strerror(errno));
        errors_.fetch_add(1, std::memory_order_relaxed);
        backoff = true;
        break;
      }
      size_t len = static_cast<size_t>(n);
      if (len < kMinFrameBytes || len > kMaxFrameBytes) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      on_frame(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(len)));
    }
    if (backoff && poll(&fds[1], 1, kErrorBackoffMs) > 0) return;  // Stop during the pause
  }
}

}  // namespace tapvm
