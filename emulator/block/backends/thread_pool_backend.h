// ThreadPoolBackend: a BlockBackend over a raw image file, served by a pool
// of worker threads doing positional I/O.
//
// Each request is taken from one FIFO queue by whichever worker is free, so
// up to `num_threads` requests are served in parallel and completions come
// back in any order, on the worker threads. Reads and writes are pread /
// pwrite loops (short transfers continue, EINTR retries); flush is
// fdatasync; discard punches a hole (fallocate PUNCH_HOLE|KEEP_SIZE) and
// write-zeroes uses fallocate ZERO_RANGE, each falling back to writing
// zeros where the file system does not support the call. Any host error
// completes the request with kIoError. The image size is taken at Open and
// never changes (the image is not grown by writes past its end: those
// fail).
//
// The file may also be a block device. The backend owns the file
// descriptor and the threads; the destructor stops it (see
// BlockBackend::Stop). Thread-safe as BlockBackend says.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"

namespace tapvm {

class ThreadPoolBackend final : public BlockBackend {
 public:
  static constexpr unsigned kMaxThreads = 64;

  // Opens `path` (read-write unless `read_only`) and starts `num_threads`
  // workers (1..kMaxThreads).
  static Status Open(const std::string& path, bool read_only, unsigned num_threads,
                     std::unique_ptr<ThreadPoolBackend>* out);

  ~ThreadPoolBackend() override;
  ThreadPoolBackend(const ThreadPoolBackend&) = delete;
  ThreadPoolBackend& operator=(const ThreadPoolBackend&) = delete;

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
  struct Pending {
    BlockRequest request;
    DoneCallback done;
  };

  ThreadPoolBackend(int fd, uint64_t size_bytes, bool read_only);
  void WorkerLoop();
  BlockCompletion Serve(BlockRequest& request);
  bool ReadFully(uint8_t* buf, uint64_t length, uint64_t offset);
  bool WriteFully(const uint8_t* buf, uint64_t length, uint64_t offset);
  bool WriteZeros(uint64_t offset, uint64_t length);
  // fallocate(mode) over the range; on a file system without the mode,
  // clears *supported and writes zeros instead.
  bool FallocateOrZero(int mode, std::atomic<bool>* supported, uint64_t offset, uint64_t length);

  const int fd_;
  const uint64_t size_bytes_;
  const bool read_only_;
  // Cleared the first time fallocate reports that the file system lacks
  // the mode, so later requests go straight to the fallback.
  std::atomic<bool> punch_hole_ok_{true};
  std::atomic<bool> zero_range_ok_{true};

  std::mutex mu_;
  std::condition_variable work_cv_;   // queue_ non-empty or stopping_
  std::condition_variable idle_cv_;   // unfinished_ dropped
  std::deque<Pending> queue_;
  uint64_t unfinished_ = 0;  // queued + being served
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
