// FrameReceiver: the receive thread shared by the network backends.
//
// It waits (poll) until a non-blocking file descriptor is readable, reads
// one frame at a time with a backend-supplied read function into a 64 KiB
// buffer, drops frames outside kMinFrameBytes..kMaxFrameBytes, and hands the
// rest to the frame callback. Stop wakes the thread through an eventfd and
// joins it, so it returns promptly even when no traffic arrives.
//
// The receiver does not own the descriptor. Start and Stop are called by
// the owning backend, not concurrently with each other.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "emulator/base/status.h"
#include "emulator/net/net_backend.h"

namespace tapvm {

class FrameReceiver {
 public:
  // Reads one frame into buf[0..cap) and returns its full length, which may
  // exceed `cap` if the frame was truncated; or -1 with errno set.
  using ReadFn = std::function<ssize_t(uint8_t* buf, size_t cap)>;

  explicit FrameReceiver(std::string name) : name_(std::move(name)) {}
  ~FrameReceiver() { Stop(); }
  FrameReceiver(const FrameReceiver&) = delete;
  FrameReceiver& operator=(const FrameReceiver&) = delete;

  // Starts the thread polling `fd`. Does nothing if already running.
  Status Start(int fd, ReadFn read, NetBackend::FrameCallback on_frame);
  void Stop();
  bool running() const { return thread_.joinable(); }

  // Frames dropped for their size, and read errors seen (for tests and
  // statistics).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  void Loop(int fd, ReadFn read, NetBackend::FrameCallback on_frame);

  const std::string name_;  // for log messages
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace tapvm
