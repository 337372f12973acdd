// IoUringBackend: a BlockBackend over a raw image file, served through one
// io_uring instance (liburing).
//
// One ring thread owns the ring: it moves submitted requests into it (at
// most kQueueDepth at a time; more wait in a host queue), reaps
// completions and calls `done` on that thread. Submit wakes it through an
// eventfd the ring polls. Reads and writes are IORING_OP_READ / WRITE,
// continued after a short transfer and retried on EINTR/EAGAIN; flush is
// IORING_OP_FSYNC with DATASYNC; discard and write-zeroes are
// IORING_OP_FALLOCATE (PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE), falling back to
// writes from a zero buffer where the file system lacks the mode. Any host
// error completes the request with kIoError. Same request contract, image
// size and read-only rules as every BlockBackend (block_backend.h).
//
// The backend owns the descriptor, the ring and the thread; the destructor
// stops it. Thread-safe as BlockBackend says.
#pragma once

#include <liburing.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"

namespace tapvm {

class IoUringBackend final : public BlockBackend {
 public:
  static constexpr unsigned kQueueDepth = 64;

  // Opens `path` (read-write unless `read_only`), sets up the ring and
  // starts its thread. NotSupported when the host has no io_uring (old
  // kernel, or disabled by sysctl / seccomp).
  static Status Open(const std::string& path, bool read_only, std::unique_ptr<IoUringBackend>* out);

  ~IoUringBackend() override;
  IoUringBackend(const IoUringBackend&) = delete;
  IoUringBackend& operator=(const IoUringBackend&) = delete;

  void Submit(BlockRequest request, DoneCallback done) override;
  uint64_t size_bytes() const override { return size_bytes_; }
  bool read_only() const override { return read_only_; }
  void Drain() override;
  void Stop() override;

  // Makes discard and write-zeroes skip fallocate and write zeros, so tests
  // can exercise the fallback on any file system.
  void DisableFallocateForTesting() {
    punch_hole_ok_ = false;
    zero_range_ok_ = false;
  }

 private:
  struct Op;

  IoUringBackend(int fd, uint64_t size_bytes, bool read_only);
  void RingLoop();
  // Ring thread: checks a new request and queues its first SQE (or
  // completes it at once).
  void Start(std::unique_ptr<Op> op);
  // Ring thread: queues the SQE for the op's next step.
  void Queue(Op* op);
  void OnCompletion(Op* op, int res);
  void Finish(Op* op, BlockCompletion::Status status);
  io_uring_sqe* NextSqe();
  void ArmWakeup();

  const int fd_;
  const uint64_t size_bytes_;
  const bool read_only_;
  std::atomic<bool> punch_hole_ok_{true};
  std::atomic<bool> zero_range_ok_{true};

  io_uring ring_{};
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;  // the eventfd counter, read by the ring
  unsigned in_ring_ = 0;   // ring thread: ops with an SQE or CQE outstanding

  std::mutex mu_;
  std::condition_variable idle_cv_;  // unfinished_ dropped
  std::deque<std::unique_ptr<Op>> queue_;
  uint64_t unfinished_ = 0;  // queued + in the ring
  bool stopping_ = false;
  std::thread thread_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
