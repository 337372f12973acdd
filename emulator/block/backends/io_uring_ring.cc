#include "emulator/block/backends/io_uring_ring.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace tapvm {

namespace {

constexpr uint64_t kWakeTag = 0;             // user_data of the eventfd read
constexpr uint64_t kZeroChunk = 1ull << 20;  // fallback writes at most this much at a time
// Stands for "the backend's own buffer, not aligned" in PlanDirectIo.
constexpr uint64_t kAsyncReadBytes = 128 << 10;  // buffered reads this large go to io-wq
// Buffered reads this large are submitted one by one, each reaped at once
// (see SubmittedAlone in the header).
constexpr uint64_t kAloneReadBytes = 256 << 10;
constexpr size_t kSpareBounces = 16;         // bounce buffers kept for reuse
constexpr uint64_t kMaxSpareBounce = 4 << 20;  // larger ones are freed

const uint8_t* ZeroBuffer() {
  static const std::vector<uint8_t> zeros(kZeroChunk, 0);
  return zeros.data();
}

}  // namespace

struct IoUringRing::Op {
  BlockRequest request;
  BlockBackend::DoneCallback done;
  IoBytes buf;  // kRead: the bytes read (aligned for O_DIRECT, not zero-filled)
  uint64_t progress = 0;     // bytes of the current phase transferred (or zeroed)
  bool writing_zeros = false;
  // What the SQE out for this op is.
  enum class Stage : uint8_t { kIo, kImmediate, kNop, kTimeout } stage = Stage::kIo;
  BlockCompletion::Status immediate = BlockCompletion::Status::kOk;  // kImmediate
  int injected_res = 0;      // kNop: the result an injected fault stands for
  __kernel_timespec delay{};  // kTimeout
  bool skip_inject = false;  // the delay fired: issue the call as decided
  bool retry = false;        // the next call repeats one that got EAGAIN / EINTR
  // cache=none.
  DirectPlan plan;
  AlignedBuffer bounce;
  bool rmw_reading = false;  // first half of a read-modify-write
  bool serialized = false;   // in serializer_
};

// One host call: what Queue turns into an SQE.
struct IoUringRing::Call {
  enum class What : uint8_t { kTransfer, kFsync, kFallocate } what = What::kTransfer;
  HostOp::Kind kind = HostOp::Kind::kRead;
  int fd = -1;
  const uint8_t* buf = nullptr;
  uint64_t offset = 0, length = 0;
  uint64_t granularity = 1;
};

void IoUringImage::Finished(uint64_t n) {
  if (unfinished.fetch_sub(n) != n) return;
  // The last one: Drain checks the count under idle_mu, so taking it here
  // means a waiter either sees zero or is already waiting to be told.
  std::lock_guard<std::mutex> lock(idle_mu);
  idle_cv.notify_all();
}

void IoUringImage::WaitIdle() {
  std::unique_lock<std::mutex> lock(idle_mu);
  idle_cv.wait(lock, [this] { return unfinished.load() == 0; });
}

IoUringRing::Op* IoUringRing::NewOp(BlockRequest request, BlockBackend::DoneCallback done) {
  auto* op = new Op();
  op->request = std::move(request);
  op->done = std::move(done);
  return op;
}

void IoUringRing::Cancel(IoUringImage* image, Op* op) {
  std::unique_ptr<Op> owned(op);
  BlockBackend::DoneCallback done = std::move(owned->done);
  const BlockCompletion c = CompletionFor(owned->request, BlockCompletion::Status::kIoError);
  owned.reset();
  done(c);
  image->Finished(1);
}

Status IoUringRing::Open(IoUringImage* image, std::unique_ptr<IoUringRing>* out) {
  std::unique_ptr<IoUringRing> r(new IoUringRing(image));
  r->ring_.ring_fd = -1;
  // Room for every op's SQE plus the wake-up read, twice over.
  //
  // COOP_TASKRUN, for buffered images: every request io-wq runs (every
  // buffered write on ext4, which cannot write without blocking) ends with
  // io-wq handing the request back to this thread to be freed, as task
  // work. Without the flag that interrupts this thread with an IPI
  // whenever it is running: a third of an io-wq worker's time on 4 KiB
  // buffered writes went there (perf: native_write_msr under
  // kick_process; in a VM an IPI is an exit). With it the task work waits
  // for this thread's next system call, which comes soon, as it only runs
  // to submit and reap. 4 KiB buffered random writes at QD 32 through one
  // ring: 0.44 of the thread pool -> 0.79-0.90; with two rings 0.59-0.61
  // -> 0.65-0.74 (block_backend_bench). Not for cache=none: O_DIRECT
  // completions arrive as task work too, and there the IPI gets them to
  // this thread at once (4 KiB random reads with the flag: 0.91-0.96 of
  // fio, without: 1.01-1.09). Kernels before 5.19 refuse the flag; the
  // ring is then set up without it. (SINGLE_ISSUER|DEFER_TASKRUN made no
  // measurable difference, and needs completions reaped in the kernel.)
  const unsigned kEntries = 2 * (kQueueDepth + 1);
  const unsigned flags = image->direct ? 0 : IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  int rc = io_uring_queue_init(kEntries, &r->ring_, flags);
  r->coop_taskrun_ = rc == 0 && flags != 0;
  if (rc == -EINVAL) rc = io_uring_queue_init(kEntries, &r->ring_, 0);
  if (rc < 0) {
    r->ring_.ring_fd = -1;
    return Status::NotSupported(std::string("io_uring unavailable on this host: ") + std::strerror(-rc));
  }
  // The registered buffers are set up now, not at the first large read:
  // mapping and pinning them takes milliseconds, which a request must not
  // wait for.
  if (image->registered_buffers) r->registered_ = RegisteredBuffers::Create(&r->ring_);
  r->wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (r->wake_fd_ < 0) return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  r->thread_ = std::thread([p = r.get()] { p->RingLoop(); });
  *out = std::move(r);
  return Status::Ok();
}

thread_local IoUringRing* IoUringRing::current_ = nullptr;

IoUringRing* IoUringRing::CurrentFor(const IoUringImage* image) {
  return current_ != nullptr && current_->image_ == image ? current_ : nullptr;
}

IoUringRing::~IoUringRing() {
  Stop();
  if (ring_.ring_fd >= 0) io_uring_queue_exit(&ring_);
  if (registered_ != nullptr) registered_->Close();  // unmapped once the last lent buffer is back
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void IoUringRing::Enqueue(std::deque<Op*>* ops) {
  bool wake = false, taken = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && thread_.joinable()) {
      taken = true;
      for (Op* op : *ops) incoming_.push_back(op);
      load_.fetch_add(static_cast<uint32_t>(ops->size()), std::memory_order_relaxed);
      wake = ring_sleeping_;
      ring_sleeping_ = false;
    }
  }
  if (!taken) {  // stopped
    for (Op* op : *ops) Cancel(image_, op);
  } else if (wake) {
    Wake();
  }
  ops->clear();
}

void IoUringRing::Enqueue(Op* op) {
  bool wake = false, taken = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && thread_.joinable()) {
      taken = true;
      incoming_.push_back(op);
      load_.fetch_add(1, std::memory_order_relaxed);
      wake = ring_sleeping_;
      ring_sleeping_ = false;
    }
  }
  if (!taken) return Cancel(image_, op);  // stopped
  if (wake) Wake();
}

void IoUringRing::Wake() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void IoUringRing::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  std::deque<Op*> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancelled.swap(incoming_);
  }
  for (Op* op : cancelled) Cancel(image_, op);
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
}

void IoUringRing::SubmitPrepared(bool wait) {
  const bool carries_requests = sqes_pending_ > 0;
  int r;
  int tries = 0;
  do r = wait ? io_uring_submit_and_wait(&ring_, 1) : io_uring_submit(&ring_);
  while ((r == -EINTR || r == -EAGAIN || r == -EBUSY) && ++tries < 1000);
  if (r >= 0 && carries_requests) {
    submit_calls_.fetch_add(1, std::memory_order_relaxed);
    sqes_pending_ = 0;
  }
}

io_uring_sqe* IoUringRing::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {  // full: hand what is prepared to the kernel first
    SubmitPrepared(false);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void IoUringRing::ArmWakeup() {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof wake_buf_, 0);
  io_uring_sqe_set_data64(sqe, kWakeTag);
}

bool IoUringRing::OnWriteRing(const Op* op) {
  using Type = BlockRequest::Type;
  const Type t = op->request.type;
  return t == Type::kWrite || t == Type::kDiscard || t == Type::kWriteZeroes;
}

bool IoUringRing::NeedsSerializing(const IoUringImage& image, const Op* op) {
  return image.direct && OnWriteRing(op);
}

void IoUringRing::Start(Op* op) {
  using Type = BlockRequest::Type;
  using S = BlockCompletion::Status;
  const BlockRequest& r = op->request;
  S st = CheckBlockRequest(r, image_->size_bytes, image_->read_only);
  if (st != S::kOk || (r.type != Type::kFlush && r.length == 0)) {
    // Completed by the ring thread (never inside Submit) through a NOP.
    op->stage = Op::Stage::kImmediate;
    op->immediate = st;
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data(sqe, op);
    ++sqes_pending_;
    return;
  }
  // A read lands in the result's own buffer (IoBytes: not zeroed first, and
  // aligned, so cache=none reads it directly unless the range is not).
  if (r.type == Type::kRead && !TakeRegistered(r.length, &op->buf)) op->buf.resize(r.length);
  if ((r.type == Type::kDiscard && !image_->punch_hole_ok) || (r.type == Type::kWriteZeroes && !image_->zero_range_ok))
    op->writing_zeros = true;
  if (image_->direct && r.type != Type::kFlush) {
    const void* own = r.type == Type::kRead ? op->buf.data() : r.data.data();
    op->plan = PlanDirectIo(r.type, r.offset, r.length, own, image_->size_bytes, image_->align);
    const bool transfer = r.type == Type::kRead || r.type == Type::kWrite;
    if (transfer && op->plan.bounce && !op->plan.buffered) {
      op->bounce = TakeBounce(op->plan.end - op->plan.begin);
      op->rmw_reading = op->plan.rmw;
      if (r.type == Type::kWrite && !op->plan.rmw)
        std::memcpy(op->bounce.data(), r.data.data(), r.length);  // aligned range, unaligned memory
    }
    if (NeedsSerializing(*image_, op)) {
      op->serialized = true;
      if (!serializer_.Add(op, op->plan.begin, op->plan.end, op->plan.rmw)) return;  // queued when its turn comes
    }
  }
  Queue(op);
}

IoUringRing::Call IoUringRing::NextCall(const Op* op) const {
  using Type = BlockRequest::Type;
  const BlockRequest& r = op->request;
  Call c;
  if (op->writing_zeros) {
    c.kind = HostOp::Kind::kWrite;
    c.fd = image_->direct ? image_->buffered_fd : image_->fd;  // the zero buffer is not aligned
    c.buf = ZeroBuffer();
    c.offset = r.offset + op->progress;
    c.length = std::min(r.length - op->progress, kZeroChunk);
    return c;
  }
  switch (r.type) {
    case Type::kFlush:
      c.what = Call::What::kFsync;
      c.kind = HostOp::Kind::kFlush;
      c.fd = image_->fd;
      return c;
    case Type::kDiscard:
    case Type::kWriteZeroes:
      c.what = Call::What::kFallocate;
      c.kind = r.type == Type::kDiscard ? HostOp::Kind::kDiscard : HostOp::Kind::kWriteZeroes;
      c.fd = image_->fd;
      c.offset = r.offset;
      c.length = r.length;
      return c;
    case Type::kRead:
    case Type::kWrite:
      break;
  }
  const bool write = r.type == Type::kWrite;
  if (image_->direct && op->plan.bounce && !op->plan.buffered) {
    c.kind = write && !op->rmw_reading ? HostOp::Kind::kWrite : HostOp::Kind::kRead;
    c.fd = image_->fd;
    c.buf = op->bounce.data() + op->progress;
    c.offset = op->plan.begin + op->progress;
    c.length = op->plan.end - op->plan.begin - op->progress;
    c.granularity = image_->align.offset;
    return c;
  }
  c.kind = write ? HostOp::Kind::kWrite : HostOp::Kind::kRead;
  c.fd = image_->direct && op->plan.buffered ? image_->buffered_fd : image_->fd;
  c.buf = (write ? r.data.data() : op->buf.data()) + op->progress;
  c.offset = r.offset + op->progress;
  c.length = r.length - op->progress;
  c.granularity = image_->direct && !op->plan.buffered ? image_->align.offset : 1;
  return c;
}

void IoUringRing::Queue(Op* op) {
  Call c = NextCall(op);
  io_uring_sqe* sqe = NextSqe();
  io_uring_sqe_set_data(sqe, op);
  ++sqes_pending_;
  if (image_->injector && !op->skip_inject) {
    const Fault f = image_->injector->Decide(HostOp{c.kind, c.offset, c.length, c.granularity, op->retry});
    switch (f.kind) {
      case Fault::Kind::kNone:
        break;
      case Fault::Kind::kError:
      case Fault::Kind::kAgain:
        // The call is not made; a NOP carries its "result" to OnCompletion.
        op->stage = Op::Stage::kNop;
        op->injected_res = f.kind == Fault::Kind::kAgain ? -EAGAIN : -f.error;
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data(sqe, op);
        return;
      case Fault::Kind::kDelay:
        op->stage = Op::Stage::kTimeout;
        op->delay.tv_sec = static_cast<int64_t>(f.delay_ns / 1000'000'000);
        op->delay.tv_nsec = static_cast<long long>(f.delay_ns % 1000'000'000);
        io_uring_prep_timeout(sqe, &op->delay, 0, 0);
        io_uring_sqe_set_data(sqe, op);
        return;
      case Fault::Kind::kShort:
        c.length = f.length;
        break;
    }
  }
  op->skip_inject = false;
  op->stage = Op::Stage::kIo;
  const BlockRequest& r = op->request;
  switch (c.what) {
    case Call::What::kTransfer:
      if (c.kind == HostOp::Kind::kWrite) {
        io_uring_prep_write(sqe, c.fd, c.buf, static_cast<unsigned>(c.length), c.offset);
      } else {
        uint8_t* into = const_cast<uint8_t*>(c.buf);
        if (registered_ != nullptr && registered_->Contains(into, c.length)) {
          io_uring_prep_read_fixed(sqe, c.fd, into, static_cast<unsigned>(c.length), c.offset, 0);
          fixed_reads_.fetch_add(1, std::memory_order_relaxed);
        } else {
          io_uring_prep_read(sqe, c.fd, into, static_cast<unsigned>(c.length), c.offset);
        }
        // A large buffered read served from the page cache would be copied
        // inline, by this one thread; handed to io-wq (which runs reads in
        // parallel, unlike writes to one file) the copies of several
        // requests overlap. 1 MiB reads: 0.40x -> 0.55x the thread pool.
        if (image_->async_large_reads && !image_->direct && c.length >= kAsyncReadBytes)
          io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
      }
      break;
    case Call::What::kFsync:
      io_uring_prep_fsync(sqe, c.fd, IORING_FSYNC_DATASYNC);
      break;
    case Call::What::kFallocate:
      io_uring_prep_fallocate(sqe, c.fd,
                              r.type == BlockRequest::Type::kDiscard ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
                                                                      : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
                              static_cast<off_t>(c.offset), static_cast<off_t>(c.length));
      break;
  }
  io_uring_sqe_set_data(sqe, op);
}

bool IoUringRing::OnCompletion(Op* op, int res) {
  using Type = BlockRequest::Type;
  using S = BlockCompletion::Status;
  switch (op->stage) {
    case Op::Stage::kImmediate:  // op->immediate holds the status
      return true;
    case Op::Stage::kTimeout:  // the injected delay is over (res is -ETIME)
      op->skip_inject = true;
      Queue(op);
      return false;
    case Op::Stage::kNop:
      res = op->injected_res;
      break;
    case Op::Stage::kIo:
      break;
  }
  op->immediate = S::kIoError;  // the status if finished below without success
  const Type type = op->request.type;
  if (res == -EINTR || res == -EAGAIN) {
    op->retry = true;
    Queue(op);
    return false;
  }
  op->retry = false;
  const bool transfer = op->writing_zeros || type == Type::kRead || type == Type::kWrite;
  if (!transfer) {
    if ((res == -EOPNOTSUPP || res == -ENOSYS) && (type == Type::kDiscard || type == Type::kWriteZeroes)) {
      // The file system lacks the mode: remember, and write zeros instead.
      (type == Type::kDiscard ? image_->punch_hole_ok : image_->zero_range_ok) = false;
      op->writing_zeros = true;
      Queue(op);
      return false;
    }
    if (res >= 0) op->immediate = S::kOk;
    return true;
  }
  if (res <= 0) return true;  // error, or end of file inside the image
  op->progress += static_cast<uint64_t>(res);
  const bool bounced = image_->direct && op->plan.bounce && !op->plan.buffered && !op->writing_zeros;
  const uint64_t phase = bounced ? op->plan.end - op->plan.begin : op->request.length;
  if (op->progress < phase) {
    Queue(op);
    return false;
  }
  if (bounced) {
    const uint64_t skip = op->request.offset - op->plan.begin;
    if (op->rmw_reading) {  // the widened range is in: patch it and write it back
      std::memcpy(op->bounce.data() + skip, op->request.data.data(), op->request.length);
      op->rmw_reading = false;
      op->progress = 0;
      Queue(op);
      return false;
    }
    if (type == Type::kRead) std::memcpy(op->buf.data(), op->bounce.data() + skip, op->request.length);
  }
  op->immediate = S::kOk;
  return true;
}

bool IoUringRing::TakeRegistered(uint64_t size, IoBytes* out) {
  return size >= kRegisteredReadBytes && registered_ != nullptr && registered_->Take(size, out);
}

AlignedBuffer IoUringRing::TakeBounce(uint64_t size) {
  // Reusing buffers saves an allocation (for large ones an mmap, page
  // faults and an munmap) per request.
  for (size_t i = 0; i < spare_.size(); ++i) {
    if (spare_[i].size() >= size) {
      AlignedBuffer b = std::move(spare_[i]);
      spare_.erase(spare_.begin() + static_cast<ptrdiff_t>(i));
      return b;
    }
  }
  return AlignedBuffer(size, image_->align.memory);
}

void IoUringRing::Finish(Op* op, BlockCompletion::Status status) {
  std::unique_ptr<Op> owned(op);
  if (owned->bounce.data() && owned->bounce.size() <= kMaxSpareBounce) {
    if (spare_.size() >= kSpareBounces) spare_.erase(spare_.begin());
    spare_.push_back(std::move(owned->bounce));
  }
  BlockCompletion c = CompletionFor(owned->request, status);
  if (status == BlockCompletion::Status::kOk && owned->request.type == BlockRequest::Type::kRead)
    c.data = std::move(owned->buf);
  BlockBackend::DoneCallback done = std::move(owned->done);
  owned.reset();  // release the request's buffers before the callback runs
  done(std::move(c));
}

void IoUringRing::StartNowFromCallback() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!incoming_.empty() && in_ring_ < kQueueDepth) {
      Op* op = incoming_.front();
      incoming_.pop_front();
      ++in_ring_;
      Start(op);
    }
  }
  if (sqes_pending_ > 0) SubmitPrepared(false);
}

void IoUringRing::Reap() {
  completed_.clear();
  bool rearm = false;
  unsigned head, seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    if (io_uring_cqe_get_data64(cqe) == kWakeTag)
      rearm = true;
    else
      completed_.emplace_back(static_cast<Op*>(io_uring_cqe_get_data(cqe)), cqe->res);
  }
  io_uring_cq_advance(&ring_, seen);
  if (rearm) ArmWakeup();
  finished_.clear();
  for (auto& [op, res] : completed_)
    if (OnCompletion(op, res)) finished_.push_back(op);
  for (Op* op : finished_) {
    --in_ring_;
    if (op->serialized) {
      ready_.clear();
      serializer_.Remove(op, &ready_);
      for (const void* w : ready_) Queue(static_cast<Op*>(const_cast<void*>(w)));
    }
    Finish(op, op->immediate);
    // cache=none: what the callback submitted goes to the device now, not
    // after the rest of this batch of completions. The device is the
    // bottleneck, and each request handed over sooner keeps it busier
    // (4 KiB random reads and writes at QD 32: 0.84-0.95x -> 0.98-1.06x
    // fio). Buffered requests keep one submit per batch (large reads
    // aside, SubmittedAlone): a system call per request would cost more
    // than the page-cache copy they are.
    if (image_->direct) StartNowFromCallback();
  }
  if (!finished_.empty()) {
    load_.fetch_sub(static_cast<uint32_t>(finished_.size()), std::memory_order_relaxed);
    image_->Finished(finished_.size());
  }
}

bool IoUringRing::HasStartableIncoming() {
  std::lock_guard<std::mutex> lock(mu_);
  return (!incoming_.empty() && in_ring_ < kQueueDepth) || stopping_;
}

void IoUringRing::SpinForWork() {
  if (!coop_taskrun_ || in_ring_ == 0 || io_uring_cq_ready(&ring_) != 0 || HasStartableIncoming()) return;
  if (spin_skip_ > 0) {
    --spin_skip_;
    return;
  }
  // Each sched_yield is a system call, on whose way out the kernel runs
  // the task work io-wq queued for this thread.
  for (unsigned i = 0; i < kSpinYields; ++i) {
    sched_yield();
    if (io_uring_cq_ready(&ring_) != 0 || HasStartableIncoming()) {
      spin_misses_ = 0;
      spin_hits_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  spin_misses_ = std::min(spin_misses_ + 1, kMaxSpinMisses);
  spin_skip_ = (1u << spin_misses_) - 1;
}

bool IoUringRing::SubmittedAlone(const Op* op) const {
  return !image_->direct && !image_->async_large_reads && op->request.type == BlockRequest::Type::kRead &&
         op->request.length >= kAloneReadBytes;
}

void IoUringRing::RingLoop() {
  std::deque<Op*> starting;
  current_ = this;
  ArmWakeup();
  bool wait = false;
  for (;;) {
    SpinForWork();
    // New requests, as many as the ring has room for; sleep when there is
    // nothing to do (Submit wakes us only then).
    bool stop = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!incoming_.empty() && in_ring_ + starting.size() < kQueueDepth) {
        starting.push_back(incoming_.front());
        incoming_.pop_front();
      }
      stop = stopping_ && in_ring_ == 0 && starting.empty() && incoming_.empty();
      ring_sleeping_ = wait = starting.empty() && !stop && io_uring_cq_ready(&ring_) == 0;
    }
    if (stop) break;  // Stop() cancelled the rest
    for (Op* op : starting) {
      ++in_ring_;
      const bool alone = SubmittedAlone(op);
      Start(op);
      if (alone) {
        SubmitPrepared(false);
        Reap();  // op may be gone
      }
    }
    starting.clear();
    SubmitPrepared(wait);
    if (wait) {
      std::lock_guard<std::mutex> lock(mu_);
      ring_sleeping_ = false;
    }
    Reap();
  }
  // The wake-up read is still armed: io_uring_queue_exit cancels it.
}

}  // namespace tapvm
