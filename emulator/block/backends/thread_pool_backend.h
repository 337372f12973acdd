// ThreadPoolBackend: a BlockBackend over a raw image file, served by a pool
// of worker threads doing positional I/O.
//
// Each request is taken from one FIFO queue by whichever worker is free, so
// up to `num_threads` requests are served in parallel and completions come
// back in any order, on the worker threads. Reads and writes are pread /
// pwrite loops (short transfers continue, EINTR and EAGAIN retry); flush is
// fdatasync; discard punches a hole (fallocate PUNCH_HOLE|KEEP_SIZE) and
// write-zeroes uses fallocate ZERO_RANGE, each falling back to writing
// zeros where the file system does not support the call. Any host error
// completes the request with kIoError. The image size is taken at Open and
// never changes (the image is not grown by writes past its end: those
// fail).
//
// cache=none opens the image O_DIRECT and serves unaligned requests
// through bounce buffers (direct_io.h). An optional FaultInjector
// (emulator/block/inject.h) is asked before every host call, in the
// worker that makes it.
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
#include "emulator/block/backends/direct_io.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/block_options.h"
#include "emulator/block/inject.h"

namespace tapvm {

class ThreadPoolBackend final : public BlockBackend {
 public:
  static constexpr unsigned kMaxThreads = 64;

  // Opens `path` (read-write unless `read_only`) and starts `num_threads`
  // workers (1..kMaxThreads).
  static Status Open(const std::string& path, bool read_only, unsigned num_threads,
                     std::unique_ptr<ThreadPoolBackend>* out);
  // The same from options (path, read_only, cache, threads, injector; aio
  // is not looked at).
  static Status Open(const BlockBackendOptions& options, std::unique_ptr<ThreadPoolBackend>* out);

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
  // Reads or writes the whole range on `fd`: short transfers continue,
  // EINTR and EAGAIN retry. `granularity`: what O_DIRECT needs lengths to
  // be a multiple of (1 when buffered), for injected short transfers.
  bool TransferFully(bool write, int fd, uint8_t* buf, uint64_t length, uint64_t offset, uint64_t granularity);
  // A write under cache=none (from the request's data), and a read (into
  // *out).
  bool TransferDirect(BlockRequest& request, uint8_t* buf);
  bool ReadDirect(BlockRequest& request, IoBytes* out);
  // Asks the injector about a host call: false (errno set) when the call
  // is to fail unmade; otherwise it may shorten *length, or sleep first.
  bool Consult(HostOp op, uint64_t* length);
  bool WriteZeros(uint64_t offset, uint64_t length);
  // Under cache=none, a write-like request waits here until it may start
  // (WriteSerializer), and Unserialize lets the next ones go.
  void Serialize(const BlockRequest& request);
  void Unserialize(const BlockRequest& request);
  // fallocate(mode) over the range; on a file system without the mode,
  // clears *supported and writes zeros instead.
  bool FallocateOrZero(int mode, std::atomic<bool>* supported, uint64_t offset, uint64_t length);

  const int fd_;
  const uint64_t size_bytes_;
  const bool read_only_;
  // cache=none: the O_DIRECT alignment and a buffered descriptor of the
  // same file (the image's partial last block, the zero-writing fallback).
  bool direct_ = false;
  DirectIoAlignment align_;
  int buffered_fd_ = -1;
  std::shared_ptr<FaultInjector> injector_;
  // Cleared the first time fallocate reports that the file system lacks
  // the mode, so later requests go straight to the fallback.
  std::atomic<bool> punch_hole_ok_{true};
  std::atomic<bool> zero_range_ok_{true};

  std::mutex mu_;
  std::condition_variable work_cv_;   // queue_ non-empty or stopping_
  std::condition_variable idle_cv_;   // unfinished_ dropped
  std::condition_variable serial_cv_;  // a serialised write may start
  WriteSerializer serializer_;         // cache=none writes in flight
  std::deque<Pending> queue_;
  uint64_t unfinished_ = 0;  // queued + being served
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
