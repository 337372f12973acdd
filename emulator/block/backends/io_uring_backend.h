// IoUringBackend: a BlockBackend over a raw image file, served through
// io_uring (liburing).
//
// Rings: the backend runs `rings` IoUringRing instances (io_uring_ring.h),
// each with a thread of its own, and spreads reads and flushes over them:
// each one submitted outside Plug/Unplug goes to the ring with the fewest
// requests in hand (IoUringRing::load; round robin among equals), and
// each plugged batch (one guest notification) goes whole to that ring, so
// one kick still costs one io_uring_submit. Balancing by load, not turn,
// matters for large buffered reads, which a ring thread copies one after
// another: with turns, one ring's queue grows while the other idles (1 MiB
// reads at QD 8 from a separate submitting thread: 0.86-0.90 of the pool
// -> 0.99-1.06). Writes, discards and
// write-zeroes all go to ring 0, the write ring, in both cache modes
// (cache=none serialises them against each other there; buffered writes
// are faster on one ring, below). With a fault injector there is one
// ring, so the injector is asked in submission order and its decisions
// repeat run to run. Requests in flight on different rings complete in
// any order, as on any backend; a flush (fdatasync of the file) covers
// every write completed before it, whichever ring ran it.
//
// Between Plug and Unplug, requests are held back and Unplug hands them
// to their ring in one go, which submits them with one io_uring_submit —
// virtio-blk brackets each queue notification that way. The exception is
// buffered reads of 256 KiB or more: the ring submits those one by one and
// reaps each at once, because one served from the page cache is copied
// during its own submit, and its buffer is then free, and cache-hot, for
// the next (io_uring_ring.h, SubmittedAlone). A system call is a small
// part of such a read.
//
// Why io_uring writes were slower than the thread pool under
// cache=writeback: ext4 cannot do a buffered write without blocking (no
// FMODE_BUF_WASYNC), so io_uring punts every buffered write to an io-wq
// worker, and io-wq hashes writes to one inode so that a single worker
// runs them one after another, posting each completion and waking the
// ring thread inside that serial path (perf: 62% ext4_block_write_begin,
// 12% try_to_wake_up from the iou-wrk thread). fio's io_uring engine hits
// the same wall. A ring's io-wq worker runs the writes one after
// another; with several rings several workers would, but the file system
// takes the inode lock for each buffered write whoever issues it, so they
// only contend for it (4 KiB buffered random writes at QD 32: 0.57-0.63
// of the pool spread over two rings, 0.73-0.92 all on one). Every request
// io-wq runs also ends with task work on the ring thread (freeing the
// request); buffered rings are set up with COOP_TASKRUN so that this work
// waits for the ring thread's next system call instead of interrupting it
// with an IPI (io_uring_ring.cc, Open: 0.44 -> 0.79-0.90 of the pool on
// one ring). And a buffered ring thread with requests in flight yields
// the CPU for a while before it sleeps, so that the worker need not wake
// it after every write (io_uring_ring.h, SpinForWork: 4 KiB writes
// 0.77-0.86 of the pool -> 0.88-1.06, 1 MiB 0.90-0.92 -> 0.99-1.09).
// A read made by a completion callback stays on its ring (awake: no
// wake-up). With one ring, large buffered reads (>= 128 KiB)
// go to io-wq with IOSQE_ASYNC so that their page-cache copies overlap;
// with several, each ring thread copies inline. Reads of 64 KiB and more
// land in buffers registered with their ring (registered_buffers.h), which
// the kernel copies into faster than into plain user memory; with large
// buffered reads submitted one by one (above), that is what puts io_uring
// ahead of the pool on 1 MiB buffered reads (0.96 of the pool -> 1.05 with
// registered buffers -> 1.13 with both, in block_backend_bench).
// cache=none avoids io-wq
// altogether: O_DIRECT I/O is issued asynchronously in the submitting
// call, and io_uring beats the pool there (its queue depth is not capped
// by a thread count). Tried and dropped: IOSQE_ASYNC on writes, waiting
// for several completions at once, SINGLE_ISSUER|DEFER_TASKRUN, and
// submitting from the caller's thread (each inline completion then wakes
// the ring thread, and the kernel cancels requests when that thread
// exits). tests/bench/block_backend_bench.cc measures it against fio.
//
// How requests become host calls (and fault injection, cache=none):
// io_uring_ring.h. Same request contract, image size and read-only rules
// as every BlockBackend (block_backend.h).
//
// The backend owns the descriptors and the rings; the destructor stops
// them. Thread-safe as BlockBackend says.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/backends/io_uring_ring.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/block_options.h"

namespace tapvm {

class IoUringBackend final : public BlockBackend {
 public:
  // Opens `path` (read-write unless `read_only`) with the default number
  // of rings. NotSupported when the host has no io_uring (old kernel, or
  // disabled by sysctl / seccomp).
  static Status Open(const std::string& path, bool read_only, std::unique_ptr<IoUringBackend>* out);
  // The same from options (path, read_only, cache, rings, injector).
  static Status Open(const BlockBackendOptions& options, std::unique_ptr<IoUringBackend>* out);
  // The rings a backend runs when options.rings is 0: one with an
  // injector, else one per host CPU, 2 to 4.
  static unsigned DefaultRings(const BlockBackendOptions& options);

  ~IoUringBackend() override;
  IoUringBackend(const IoUringBackend&) = delete;
  IoUringBackend& operator=(const IoUringBackend&) = delete;

  void Submit(BlockRequest request, DoneCallback done) override;
  void Plug() override;
  void Unplug() override;
  uint64_t size_bytes() const override { return image_.size_bytes; }
  bool read_only() const override { return image_.read_only; }
  void Drain() override;
  void Stop() override;

  unsigned rings() const { return static_cast<unsigned>(rings_.size()); }
  // io_uring_submit calls, over all rings, that handed the kernel at least
  // one request's SQE (tests check the batching with it).
  uint64_t submit_calls() const;
  // The same for one ring (0 .. rings()-1).
  uint64_t submit_calls(unsigned ring) const { return rings_.at(ring)->submit_calls(); }
  // Reads issued into the rings' registered buffers (READ_FIXED), over all rings.
  uint64_t fixed_reads() const;
  // Rings set up with IORING_SETUP_COOP_TASKRUN (buffered images only;
  // io_uring_ring.cc, IoUringRing::Open, says why).
  unsigned coop_taskrun_rings() const;
  // Waits, over all rings, that a ring thread ended by yielding rather
  // than sleeping (io_uring_ring.h, SpinForWork).
  uint64_t spin_hits() const;

  // Makes discard and write-zeroes skip fallocate and write zeros, so tests
  // can exercise the fallback on any file system.
  void DisableFallocateForTesting() {
    image_.punch_hole_ok = false;
    image_.zero_range_ok = false;
  }

 private:
  using Op = IoUringRing::Op;
  IoUringBackend() = default;
  // A plugged batch at least this long is spread over the rings.
  static constexpr size_t kSplitBatch = 8;
  // The ring for a request submitted alone; under mu_.
  IoUringRing* RingFor(const Op* op);
  // The index of the ring with the smallest load(); under mu_.
  size_t LeastLoadedRing();
  // plugged_ taken apart into what each ring gets (index = ring); under mu_.
  std::vector<std::deque<Op*>> SplitBatch();

  IoUringImage image_;
  std::vector<std::unique_ptr<IoUringRing>> rings_;

  std::mutex mu_;
  size_t next_ring_ = 0;      // round robin among equally loaded rings
  std::deque<Op*> plugged_;   // submitted while plugged (owned)
  unsigned plug_depth_ = 0;
  bool stopping_ = false;
  std::mutex stop_mu_;  // serialises Stop callers
};

}  // namespace tapvm
