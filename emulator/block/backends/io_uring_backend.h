// IoUringBackend: a BlockBackend over a raw image file, served through one
// io_uring instance (liburing).
//
// Submission happens on the caller's thread: Submit prepares the request's
// SQE and, unless plugged, calls io_uring_submit itself (the kernel often
// completes a page-cache read right there). Between Plug and Unplug SQEs
// only accumulate, and Unplug submits them all with one io_uring_submit —
// virtio-blk brackets each queue notification that way, so one guest kick
// costs one system call. At most kQueueDepth requests are in the ring;
// more wait in a host queue and enter as others finish.
//
// One ring thread reaps completions and calls `done` on that thread. It
// also issues what follows a completion: the rest of a short transfer, a
// retry after EINTR / EAGAIN (or ECANCELED, which the kernel reports when
// the thread that submitted exits), the write half of a read-modify-write,
// the zero-writing fallback, and requests from the host queue.
//
// Reads and writes are IORING_OP_READ / WRITE; flush is IORING_OP_FSYNC
// with DATASYNC; discard and write-zeroes are IORING_OP_FALLOCATE
// (PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE), falling back to writes from a zero
// buffer where the file system lacks the mode. Any host error completes
// the request with kIoError. Same request contract, image size and
// read-only rules as every BlockBackend (block_backend.h).
//
// Why submission is not done by the ring thread (as it once was): every
// Submit then cost an eventfd write plus a wake-up of the ring thread,
// which had to come back from io_uring_enter, take the request, submit it
// and wait again — two context switches per request on top of the I/O.
// Buffered writes paid it worst: ext4 cannot do a buffered write without
// blocking (no FMODE_BUF_WASYNC), so io_uring hands every one to an io-wq
// worker, and the extra hop through our own thread came on top of that.
// See tests/bench/block_backend_bench.cc for the figures.
//
// cache=none opens the image O_DIRECT (direct_io.h: bounce buffers,
// read-modify-write, serialisation). An optional FaultInjector is asked
// before every host call: an injected error or EAGAIN becomes a NOP whose
// completion carries that result into the normal completion path; a delay
// is an IORING_OP_TIMEOUT before the call; a short transfer shortens the
// SQE, so the kernel really transfers less.
//
// The backend owns the descriptors, the ring and the thread; the
// destructor stops it. Thread-safe as BlockBackend says; Plug/Unplug from
// the submitting thread.
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
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/backends/direct_io.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/block_options.h"
#include "emulator/block/inject.h"

namespace tapvm {

class IoUringBackend final : public BlockBackend {
 public:
  static constexpr unsigned kQueueDepth = 64;

  // Opens `path` (read-write unless `read_only`), sets up the ring and
  // starts its thread. NotSupported when the host has no io_uring (old
  // kernel, or disabled by sysctl / seccomp).
  static Status Open(const std::string& path, bool read_only, std::unique_ptr<IoUringBackend>* out);
  // The same from options (path, read_only, cache, injector).
  static Status Open(const BlockBackendOptions& options, std::unique_ptr<IoUringBackend>* out);

  ~IoUringBackend() override;
  IoUringBackend(const IoUringBackend&) = delete;
  IoUringBackend& operator=(const IoUringBackend&) = delete;

  void Submit(BlockRequest request, DoneCallback done) override;
  void Plug() override;
  void Unplug() override;
  uint64_t size_bytes() const override { return size_bytes_; }
  bool read_only() const override { return read_only_; }
  void Drain() override;
  void Stop() override;

  // io_uring_submit calls that handed the kernel at least one SQE, from
  // any thread (tests check the batching with it).
  uint64_t submit_calls() const { return submit_calls_.load(); }

  // Makes discard and write-zeroes skip fallocate and write zeros, so tests
  // can exercise the fallback on any file system.
  void DisableFallocateForTesting() {
    punch_hole_ok_ = false;
    zero_range_ok_ = false;
  }

 private:
  struct Op;
  struct Call;

  IoUringBackend(int fd, uint64_t size_bytes, bool read_only);
  void RingLoop();
  // sq_mu_ held: checks a new request and queues its first SQE (or a NOP
  // that completes it).
  void Start(Op* op);
  // sq_mu_ held: queues the SQE for the op's next host call, after asking
  // the injector.
  void Queue(Op* op);
  Call NextCall(const Op* op) const;
  // Ring thread, sq_mu_ held: a CQE for `op`. Returns true when the op is
  // finished (its status in op->immediate), false when it queued its next
  // step.
  bool OnCompletion(Op* op, int res);
  // sq_mu_ held: io_uring_submit if SQEs are waiting and nothing is plugged.
  void SubmitLocked(bool force = false);
  io_uring_sqe* NextSqe();
  // Ring thread, no lock held: completes `op` (calls done) and frees it.
  void Finish(Op* op, BlockCompletion::Status status);
  bool NeedsSerializing(const Op* op) const;

  const int fd_;
  const uint64_t size_bytes_;
  const bool read_only_;
  std::atomic<bool> punch_hole_ok_{true};
  std::atomic<bool> zero_range_ok_{true};
  bool direct_ = false;
  DirectIoAlignment align_;
  int buffered_fd_ = -1;  // cache=none: the image's partial last block, the zero fallback
  std::shared_ptr<FaultInjector> injector_;

  io_uring ring_{};

  // Guards the submission side of the ring and what goes with it.
  std::mutex sq_mu_;
  unsigned in_ring_ = 0;        // ops started and not finished
  unsigned sqes_pending_ = 0;   // SQEs prepared, not yet submitted
  unsigned plug_depth_ = 0;
  std::deque<Op*> queue_;       // waiting for room in the ring (owned)
  WriteSerializer serializer_;  // cache=none writes in flight
  bool ring_exit_ = false;      // the ring thread may leave once in_ring_ is 0
  std::atomic<uint64_t> submit_calls_{0};

  // Guards the request count and the stop flag.
  std::mutex mu_;
  std::condition_variable idle_cv_;  // unfinished_ dropped
  uint64_t unfinished_ = 0;          // submitted and not yet done
  bool stopping_ = false;
  std::thread thread_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
