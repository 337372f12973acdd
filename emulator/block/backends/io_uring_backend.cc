#include "emulator/block/backends/io_uring_backend.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "emulator/block/backends/image_file.h"

namespace tapvm {

namespace {

constexpr uint64_t kWakeTag = 0;             // user_data of the eventfd poll
constexpr uint64_t kZeroChunk = 1ull << 20;  // fallback writes at most this much at a time

const uint8_t* ZeroBuffer() {
  static const std::vector<uint8_t> zeros(kZeroChunk, 0);
  return zeros.data();
}

BlockCompletion CompletionFor(const BlockRequest& request, BlockCompletion::Status status) {
  BlockCompletion c;
  c.dev = request.dev;
  c.id = request.id;
  c.status = status;
  return c;
}

}  // namespace

struct IoUringBackend::Op {
  BlockRequest request;
  DoneCallback done;
  std::vector<uint8_t> buf;  // kRead: the bytes read
  uint64_t progress = 0;     // bytes transferred (or zeroed) so far
  bool writing_zeros = false;
};

Status IoUringBackend::Open(const std::string& path, bool read_only, std::unique_ptr<IoUringBackend>* out) {
  int fd = -1;
  uint64_t size = 0;
  TAPVM_RETURN_IF_ERROR(OpenImageFile(path, read_only, &fd, &size));
  std::unique_ptr<IoUringBackend> b(new IoUringBackend(fd, size, read_only));
  // Room for every op's SQE plus the wake-up poll, twice over.
  int rc = io_uring_queue_init(2 * (kQueueDepth + 1), &b->ring_, 0);
  if (rc < 0) {
    b->ring_.ring_fd = -1;
    return Status::NotSupported(std::string("io_uring unavailable on this host: ") + std::strerror(-rc));
  }
  b->wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (b->wake_fd_ < 0) return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  b->thread_ = std::thread([p = b.get()] { p->RingLoop(); });
  *out = std::move(b);
  return Status::Ok();
}

IoUringBackend::IoUringBackend(int fd, uint64_t size_bytes, bool read_only)
    : fd_(fd), size_bytes_(size_bytes), read_only_(read_only) {
  ring_.ring_fd = -1;
}

IoUringBackend::~IoUringBackend() {
  Stop();
  if (ring_.ring_fd >= 0) io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  ::close(fd_);
}

void IoUringBackend::Submit(BlockRequest request, DoneCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && thread_.joinable()) {
      auto op = std::make_unique<Op>();
      op->request = std::move(request);
      op->done = std::move(done);
      queue_.push_back(std::move(op));
      ++unfinished_;
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof one);
      return;
    }
  }
  done(CompletionFor(request, BlockCompletion::Status::kIoError));
}

void IoUringBackend::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return unfinished_ == 0; });
}

void IoUringBackend::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  std::deque<std::unique_ptr<Op>> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancelled.swap(queue_);
  }
  for (auto& op : cancelled) op->done(CompletionFor(op->request, BlockCompletion::Status::kIoError));
  {
    std::lock_guard<std::mutex> lock(mu_);
    unfinished_ -= cancelled.size();
    if (unfinished_ == 0) idle_cv_.notify_all();
  }
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
}

io_uring_sqe* IoUringBackend::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {  // full: hand what is queued to the kernel first
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void IoUringBackend::ArmWakeup() {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof wake_buf_, 0);
  io_uring_sqe_set_data64(sqe, kWakeTag);
}

void IoUringBackend::Start(std::unique_ptr<Op> op) {
  using Type = BlockRequest::Type;
  const BlockRequest& r = op->request;
  BlockCompletion::Status st = CheckBlockRequest(r, size_bytes_, read_only_);
  Op* raw = op.release();
  ++in_ring_;  // until Finish, whichever path
  if (st != BlockCompletion::Status::kOk) return Finish(raw, st);
  if (r.type != Type::kFlush && r.length == 0) return Finish(raw, BlockCompletion::Status::kOk);
  if (r.type == Type::kRead) raw->buf.resize(r.length);
  if ((r.type == Type::kDiscard && !punch_hole_ok_) || (r.type == Type::kWriteZeroes && !zero_range_ok_))
    raw->writing_zeros = true;
  Queue(raw);
}

void IoUringBackend::Queue(Op* op) {
  using Type = BlockRequest::Type;
  const BlockRequest& r = op->request;
  io_uring_sqe* sqe = NextSqe();
  const uint64_t at = r.offset + op->progress;
  const uint64_t left = r.length - op->progress;
  if (op->writing_zeros) {
    io_uring_prep_write(sqe, fd_, ZeroBuffer(), static_cast<unsigned>(std::min(left, kZeroChunk)), at);
  } else {
    switch (r.type) {
      case Type::kRead:
        io_uring_prep_read(sqe, fd_, op->buf.data() + op->progress, static_cast<unsigned>(left), at);
        break;
      case Type::kWrite:
        io_uring_prep_write(sqe, fd_, r.data.data() + op->progress, static_cast<unsigned>(left), at);
        break;
      case Type::kFlush:
        io_uring_prep_fsync(sqe, fd_, IORING_FSYNC_DATASYNC);
        break;
      case Type::kDiscard:
        io_uring_prep_fallocate(sqe, fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(r.offset),
                                static_cast<off_t>(r.length));
        break;
      case Type::kWriteZeroes:
        io_uring_prep_fallocate(sqe, fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(r.offset),
                                static_cast<off_t>(r.length));
        break;
    }
  }
  io_uring_sqe_set_data(sqe, op);
}

void IoUringBackend::OnCompletion(Op* op, int res) {
  using Type = BlockRequest::Type;
  using S = BlockCompletion::Status;
  const Type type = op->request.type;
  if (res == -EINTR || res == -EAGAIN) return Queue(op);
  const bool transfer = op->writing_zeros || type == Type::kRead || type == Type::kWrite;
  if (!transfer) {
    if ((res == -EOPNOTSUPP || res == -ENOSYS) && (type == Type::kDiscard || type == Type::kWriteZeroes)) {
      // The file system lacks the mode: remember, and write zeros instead.
      (type == Type::kDiscard ? punch_hole_ok_ : zero_range_ok_) = false;
      op->writing_zeros = true;
      return Queue(op);
    }
    return Finish(op, res < 0 ? S::kIoError : S::kOk);
  }
  if (res <= 0) return Finish(op, S::kIoError);  // error, or end of file inside the image
  op->progress += static_cast<uint64_t>(res);
  if (op->progress < op->request.length) return Queue(op);
  Finish(op, S::kOk);
}

void IoUringBackend::Finish(Op* op, BlockCompletion::Status status) {
  std::unique_ptr<Op> owned(op);
  BlockCompletion c = CompletionFor(owned->request, status);
  if (status == BlockCompletion::Status::kOk && owned->request.type == BlockRequest::Type::kRead)
    c.data = std::move(owned->buf);
  DoneCallback done = std::move(owned->done);
  owned.reset();  // release the request's buffers before the callback runs
  --in_ring_;
  done(std::move(c));
  std::lock_guard<std::mutex> lock(mu_);
  if (--unfinished_ == 0) idle_cv_.notify_all();
}

void IoUringBackend::RingLoop() {
  ArmWakeup();
  for (;;) {
    std::deque<std::unique_ptr<Op>> starting;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!queue_.empty() && in_ring_ + starting.size() < kQueueDepth) {
        starting.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stopping = stopping_;
    }
    for (auto& op : starting) Start(std::move(op));
    if (stopping && in_ring_ == 0) break;  // Stop() cancelled the rest
    io_uring_submit_and_wait(&ring_, 1);
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    std::vector<std::pair<Op*, int>> completed;
    bool rearm = false;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      if (io_uring_cqe_get_data64(cqe) == kWakeTag)
        rearm = true;
      else
        completed.emplace_back(static_cast<Op*>(io_uring_cqe_get_data(cqe)), cqe->res);
    }
    io_uring_cq_advance(&ring_, seen);
    if (rearm) ArmWakeup();
    for (auto& [op, res] : completed) OnCompletion(op, res);
  }
  // The wake-up read is still armed: io_uring_queue_exit cancels it.
}

}  // namespace tapvm
