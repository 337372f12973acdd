// IoUringBackend: a BlockBackend over a raw image file, served through one
// io_uring instance (liburing).
//
// One ring thread owns the ring: it takes submitted requests (at most
// kQueueDepth in the ring at a time; more wait in the host queue), turns
// them into SQEs, submits, reaps completions and calls `done` on that
// thread. It also issues what follows a completion: the rest of a short
// transfer, a retry after EINTR / EAGAIN, the write half of a
// read-modify-write, the zero-writing fallback.
//
// Waking the ring thread: it sleeps in io_uring_enter with a read of an
// eventfd armed. Submit writes the eventfd only when the ring thread is
// asleep (or about to be); while it is awake it picks new requests up
// before sleeping again. Between Plug and Unplug, requests are held back
// and Unplug hands them over in one go: the ring thread turns them into
// SQEs and makes one io_uring_submit for the lot — virtio-blk brackets
// each queue notification that way, so one guest kick costs one
// submission.
//
// Why io_uring writes are slower than the thread pool under
// cache=writeback, and what helps: ext4 cannot do a buffered write without
// blocking (no FMODE_BUF_WASYNC), so io_uring punts every buffered write
// to an io-wq worker, and io-wq hashes writes to one inode so that a
// single worker runs them one after another; that worker also posts each
// completion and wakes the ring thread inside the serial path (perf: 62%
// ext4_block_write_begin, 12% try_to_wake_up from the iou-wrk thread).
// Four pool workers doing pwrite pay their system call and wake-up costs
// in parallel (i_rwsem still serialises the copy). fio's io_uring engine
// hits the same wall (about 0.7x a four-job psync run on the same file).
// What this backend does about it: submissions are batched (a busy ring
// thread is never woken; a wake-up, or one Unplug, hands over everything
// queued; one io_uring_submit per batch), completions that arrive together
// are reaped together, and cache=none avoids io-wq altogether — O_DIRECT
// writes are issued asynchronously in the submitting call, and io_uring
// beats the pool there (its queue depth is not capped by a thread count).
// Large buffered reads (>= 128 KiB) go to io-wq with IOSQE_ASYNC so that
// their page-cache copies run in parallel instead of one after another on
// the ring thread. Forcing IOSQE_ASYNC on writes, or waiting for several
// completions at once, made buffered writes slower; a SINGLE_ISSUER|DEFER_TASKRUN ring made no
// measurable difference. Submitting from the caller's thread was slower
// for cached reads (each inline completion then wakes the ring thread) and
// lets the kernel cancel requests when the submitting thread exits.
// tests/bench/block_backend_bench.cc measures all of it against fio.
//
// Reads and writes are IORING_OP_READ / WRITE; flush is IORING_OP_FSYNC
// with DATASYNC; discard and write-zeroes are IORING_OP_FALLOCATE
// (PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE), falling back to writes from a zero
// buffer where the file system lacks the mode. Any host error completes
// the request with kIoError. Same request contract, image size and
// read-only rules as every BlockBackend (block_backend.h).
//
// cache=none opens the image O_DIRECT (direct_io.h: bounce buffers,
// read-modify-write, serialisation). An optional FaultInjector is asked
// before every host call: an injected error or EAGAIN becomes a NOP whose
// completion carries that result into the normal completion path; a delay
// is an IORING_OP_TIMEOUT before the call; a short transfer shortens the
// SQE, so the kernel really transfers less.
//
// The backend owns the descriptors, the ring and the thread; the
// destructor stops it. Thread-safe as BlockBackend says.
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

  // io_uring_submit calls that handed the kernel at least one request's
  // SQE (tests check the batching with it).
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
  // Everything below runs on the ring thread.
  void RingLoop();
  // Checks a new request and queues its first SQE (or a NOP that
  // completes it).
  void Start(Op* op);
  // Queues the SQE for the op's next host call, after asking the injector.
  void Queue(Op* op);
  Call NextCall(const Op* op) const;
  // A CQE for `op`. Returns true when the op is finished (its status in
  // op->immediate), false when it queued its next step.
  bool OnCompletion(Op* op, int res);
  io_uring_sqe* NextSqe();
  void ArmWakeup();
  // Submits the SQEs prepared; with `wait`, also waits for a completion.
  void SubmitPrepared(bool wait);
  // Completes `op` (calls done) and frees it.
  void Finish(Op* op, BlockCompletion::Status status);
  bool NeedsSerializing(const Op* op) const;
  AlignedBuffer TakeBounce(uint64_t size);

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
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;  // the eventfd counter, read by the ring

  // Ring thread only.
  unsigned in_ring_ = 0;       // ops started and not finished
  unsigned sqes_pending_ = 0;  // request SQEs prepared, not yet submitted
  WriteSerializer serializer_;  // cache=none writes in flight
  std::vector<AlignedBuffer> spare_;  // cache=none bounce buffers for reuse
  std::atomic<uint64_t> submit_calls_{0};

  std::mutex mu_;
  std::condition_variable idle_cv_;  // unfinished_ dropped
  std::deque<Op*> incoming_;         // submitted, not yet taken by the ring thread (owned)
  std::deque<Op*> plugged_;          // submitted while plugged (owned)
  unsigned plug_depth_ = 0;
  bool ring_sleeping_ = false;       // the ring thread sleeps (or is about to): wake it
  uint64_t unfinished_ = 0;          // submitted and not yet done
  bool stopping_ = false;
  std::thread thread_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
