// IoUringRing: one io_uring instance and the thread that owns it. An
// IoUringBackend (io_uring_backend.h) serves an image through one or more
// of them; this is where the requests are actually carried out.
//
// The ring thread takes the ops handed to it (at most kQueueDepth in the
// ring at a time; more wait in its queue), turns them into SQEs, submits,
// reaps completions and calls `done` on that thread. It also issues what
// follows a completion: the rest of a short transfer, a retry after EINTR
// / EAGAIN, the write half of a read-modify-write, the zero-writing
// fallback.
//
// Waking the ring thread: it sleeps in io_uring_enter with a read of an
// eventfd armed. Enqueue writes the eventfd only when the ring thread is
// asleep (or about to be); while it is awake it picks new ops up before
// sleeping again. Everything one Enqueue hands over is submitted with one
// io_uring_submit. A buffered ring with requests in flight yields for a
// while before it sleeps (SpinForWork says why).
//
// Reads and writes are IORING_OP_READ / WRITE (reads of 64 KiB or more are
// READ_FIXED into the ring's registered buffers while those have room:
// registered_buffers.h); flush is IORING_OP_FSYNC
// with DATASYNC; discard and write-zeroes are IORING_OP_FALLOCATE
// (PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE), falling back to writes from a zero
// buffer where the file system lacks the mode (learned once, for every
// ring of the image). Any host error completes the request with kIoError.
//
// cache=none: the image is open O_DIRECT (direct_io.h: bounce buffers,
// read-modify-write). Writes are serialised per ring (WriteSerializer), so
// the backend sends every cache=none write to one ring. An optional
// FaultInjector is asked before every host call: an injected error or
// EAGAIN becomes a NOP whose completion carries that result into the
// normal completion path; a delay is an IORING_OP_TIMEOUT before the call;
// a short transfer shortens the SQE, so the kernel really transfers less.
#pragma once

#include <liburing.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/backends/direct_io.h"
#include "emulator/block/backends/registered_buffers.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/inject.h"

namespace tapvm {

// What every ring serving one image shares. The backend owns it and
// outlives its rings.
struct IoUringImage {
  int fd = -1;
  int buffered_fd = -1;  // cache=none: the image's partial last block, the zero fallback
  uint64_t size_bytes = 0;
  bool read_only = false;
  bool direct = false;  // cache=none
  DirectIoAlignment align;
  std::atomic<bool> punch_hole_ok{true};
  std::atomic<bool> zero_range_ok{true};
  std::shared_ptr<FaultInjector> injector;
  // Large buffered reads go to io-wq (IOSQE_ASYNC), so that their
  // page-cache copies overlap; worth it only with a single ring.
  bool async_large_reads = true;
  // Reads of kRegisteredReadBytes or more land in each ring's registered
  // buffers (registered_buffers.h) while they have room.
  bool registered_buffers = true;

  // Requests submitted to the backend whose `done` has not returned yet,
  // over every ring; Drain waits for zero.
  std::atomic<uint64_t> unfinished{0};
  std::mutex idle_mu;
  std::condition_variable idle_cv;
  // `n` requests are done (their callbacks returned).
  void Finished(uint64_t n);
  void WaitIdle();
};

class IoUringRing {
 public:
  static constexpr unsigned kQueueDepth = 64;

  // A request in a ring's care. Created by NewOp, owned by whoever holds
  // it until Enqueue, then by the ring.
  struct Op;
  static Op* NewOp(BlockRequest request, BlockBackend::DoneCallback done);
  // Completes `op` with kIoError without running it, frees it, and counts
  // it finished in `image`.
  static void Cancel(IoUringImage* image, Op* op);
  // Whether `op` must go to the ring that serialises cache=none writes.
  static bool NeedsSerializing(const IoUringImage& image, const Op* op);
  // Whether `op` goes to the image's write ring (ring 0): every write,
  // discard and write-zeroes, in either cache mode. cache=none needs it
  // (NeedsSerializing); buffered writes are faster that way
  // (io_uring_backend.h says why).
  static bool OnWriteRing(const Op* op);

  // Sets up a ring for `image` and starts its thread. NotSupported when
  // the host has no io_uring (old kernel, or disabled by sysctl/seccomp).
  static Status Open(IoUringImage* image, std::unique_ptr<IoUringRing>* out);
  ~IoUringRing();  // Stop()s
  IoUringRing(const IoUringRing&) = delete;
  IoUringRing& operator=(const IoUringRing&) = delete;

  // Hands every op in `ops` to the ring thread (ops is left empty), to be
  // submitted together. After Stop the ops are cancelled instead.
  void Enqueue(std::deque<Op*>* ops);
  // The same for one op (no container built per request).
  void Enqueue(Op* op);
  // The ring whose thread is calling (from inside a `done` callback) if it
  // serves `image`, else nullptr.
  static IoUringRing* CurrentFor(const IoUringImage* image);

  // Cancels the ops not yet started, lets those in the ring finish, joins
  // the thread. Idempotent.
  void Stop();

  // Ops handed to this ring (Enqueue) whose `done` has not returned yet:
  // what the backend balances reads by.
  uint32_t load() const { return load_.load(std::memory_order_relaxed); }

  // io_uring_submit calls that handed the kernel at least one request's SQE.
  uint64_t submit_calls() const { return submit_calls_.load(); }
  // Reads issued as IORING_OP_READ_FIXED into the registered buffers.
  uint64_t fixed_reads() const { return fixed_reads_.load(); }
  // Whether the ring was set up with IORING_SETUP_COOP_TASKRUN (buffered
  // images, on kernels that have it: Open says why).
  bool coop_taskrun() const { return coop_taskrun_; }
  // Waits in which the ring thread found its next completion or request
  // by yielding instead of sleeping (SpinForWork).
  uint64_t spin_hits() const { return spin_hits_.load(); }

  // Reads at least this large try the registered buffers.
  static constexpr uint64_t kRegisteredReadBytes = 64 << 10;

 private:
  struct Call;

  explicit IoUringRing(IoUringImage* image) : image_(image) {}
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
  // Writes the eventfd the sleeping ring thread waits on (any thread).
  void Wake();
  // Submits the SQEs prepared; with `wait`, also waits for a completion.
  void SubmitPrepared(bool wait);
  // Completes `op` (calls done) and frees it.
  void Finish(Op* op, BlockCompletion::Status status);
  // Starts and submits what callbacks just enqueued on this ring.
  void StartNowFromCallback();
  // Takes every CQE there is and completes the ops they finish.
  void Reap();
  // Called when the thread has nothing to do. On a buffered ring with
  // requests in flight, yields the CPU (sched_yield) up to kSpinYields
  // times, looking for a completion or a new request after each, before
  // the caller sleeps in the kernel. Why: io-wq runs a buffered ring's
  // writes to one file on a single worker, one after another; when the
  // ring thread sleeps, that worker wakes it after every write (an IPI,
  // in a VM an exit), inside its serial path, and the free task work of
  // the request wakes it again. A thread that is runnable needs neither.
  // Yielding, unlike a busy loop, leaves the CPU to any other thread that
  // wants it. 4 KiB buffered random writes at QD 32
  // (block_backend_bench, completions refilling): 0.77-0.86 of the thread
  // pool -> 0.88-1.06; with a CPU-bound process beside it 0.48-0.54 ->
  // 0.72-1.02; a separate submitting thread (tapvm's shape) is unchanged
  // (0.86-0.99 either way). The window is long enough for a 1 MiB
  // buffered write (~100 us): 1 MiB sequential writes at QD 8, 0.90-0.92
  // of the pool with 50 yields -> 0.99-1.09 with 200-250; with a
  // separate submitting thread 1.09-1.14 -> 1.25. Adaptive: after a
  // spin that found nothing, the next 1, 3, 7 ... 63 waits sleep at once,
  // so requests slower than the spin (reads from the disk) cost a spin
  // per 64 waits at most. Not on cache=none rings, whose completions come
  // from the device.
  void SpinForWork();
  // Whether a request waits in incoming_ that the ring has room for, or
  // Stop was called.
  bool HasStartableIncoming();
  // Whether `op` is a large buffered read to submit by itself and reap at
  // once. Served from the page cache, such a read is copied inside the
  // submitting io_uring_enter, so its completion is already there: its
  // callback runs and the consumer frees the buffer before the next read
  // takes one, and the next copy lands in memory still in this core's
  // cache, as a thread pool's serial reads do. Submitted together, N reads
  // copy into N buffers and each copy meets a cold one (1 MiB reads from a
  // 64 MiB image, closed loop at QD 8: 0.78 -> 1.09 of the pool; 512 MiB:
  // 1.04 -> 1.13; 256 KiB reads gain alike, 128 KiB ones lose a few
  // percent to the extra system calls, hence kAloneReadBytes). A read
  // that misses the page cache does not complete inline and goes on in the
  // kernel while the next one is submitted. Not with one ring, where large
  // reads go to io-wq (async_large_reads).
  bool SubmittedAlone(const Op* op) const;
  AlignedBuffer TakeBounce(uint64_t size);
  // Lends `out` a buffer of `size` bytes from the registered buffers;
  // false if the read must use memory of its own.
  bool TakeRegistered(uint64_t size, IoBytes* out);

  static thread_local IoUringRing* current_;  // the ring of this ring thread
  IoUringImage* const image_;
  io_uring ring_{};
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;  // the eventfd counter, read by the ring

  // Ring thread only.
  unsigned in_ring_ = 0;       // ops started and not finished
  unsigned sqes_pending_ = 0;  // request SQEs prepared, not yet submitted
  WriteSerializer serializer_;  // cache=none writes in flight
  std::vector<AlignedBuffer> spare_;  // cache=none bounce buffers for reuse
  bool coop_taskrun_ = false;
  static constexpr unsigned kSpinYields = 200;   // ~100 us with nothing else to run
  static constexpr unsigned kMaxSpinMisses = 6;  // back off to a spin per 64 waits
  unsigned spin_misses_ = 0;  // spins in a row that found nothing
  unsigned spin_skip_ = 0;    // waits left to sleep without spinning
  std::atomic<uint64_t> spin_hits_{0};
  RegisteredBuffers* registered_ = nullptr;  // null: none (off, or refused); Closed by the destructor
  std::atomic<uint32_t> load_{0};
  std::atomic<uint64_t> submit_calls_{0};
  std::atomic<uint64_t> fixed_reads_{0};
  // Reap's scratch, kept to save allocations.
  std::vector<std::pair<Op*, int>> completed_;
  std::vector<Op*> finished_;
  std::vector<const void*> ready_;

  std::mutex mu_;
  std::deque<Op*> incoming_;    // enqueued, not yet taken by the ring thread (owned)
  bool ring_sleeping_ = false;  // the ring thread sleeps (or is about to): wake it
  bool stopping_ = false;
  std::thread thread_;
  std::mutex stop_mu_;  // serialises Stop (join) callers
};

}  // namespace tapvm
