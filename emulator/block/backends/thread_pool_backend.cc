#include "emulator/block/backends/thread_pool_backend.h"

#include "emulator/block/backends/image_file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

namespace tapvm {

Status ThreadPoolBackend::Open(const std::string& path, bool read_only, unsigned num_threads,
                               std::unique_ptr<ThreadPoolBackend>* out) {
  BlockBackendOptions o;
  o.path = path;
  o.read_only = read_only;
  o.threads = num_threads;
  return Open(o, out);
}

Status ThreadPoolBackend::Open(const BlockBackendOptions& options, std::unique_ptr<ThreadPoolBackend>* out) {
  const unsigned num_threads = options.threads;
  if (num_threads == 0 || num_threads > kMaxThreads) {
    return Status::InvalidArgument("thread pool backend: num_threads must be 1.." +
                                   std::to_string(kMaxThreads));
  }
  const bool direct = options.cache == BlockCache::kNone;
  int fd = -1;
  uint64_t size = 0;
  TAPVM_RETURN_IF_ERROR(OpenImageFile(options.path, options.read_only, direct, &fd, &size));
  std::unique_ptr<ThreadPoolBackend> backend(new ThreadPoolBackend(fd, size, options.read_only));
  backend->injector_ = options.injector;
  if (direct) {
    backend->direct_ = true;
    backend->align_ = ProbeDirectIoAlignment(fd);
    TAPVM_RETURN_IF_ERROR(ReopenBuffered(fd, options.path, options.read_only, &backend->buffered_fd_));
  }
  backend->workers_.reserve(num_threads);
  for (unsigned i = 0; i < num_threads; ++i) {
    backend->workers_.emplace_back([b = backend.get()] { b->WorkerLoop(); });
  }
  *out = std::move(backend);
  return Status::Ok();
}

ThreadPoolBackend::ThreadPoolBackend(int fd, uint64_t size_bytes, bool read_only)
    : fd_(fd), size_bytes_(size_bytes), read_only_(read_only) {}

ThreadPoolBackend::~ThreadPoolBackend() {
  Stop();
  if (buffered_fd_ >= 0) ::close(buffered_fd_);
  ::close(fd_);
}

void ThreadPoolBackend::Submit(BlockRequest request, DoneCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      ++unfinished_;
      work_cv_.notify_one();
      return;
    }
  }
  done(CompletionFor(request, BlockCompletion::Status::kIoError));
}

void ThreadPoolBackend::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return unfinished_ == 0; });
}

void ThreadPoolBackend::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  std::deque<Pending> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancelled.swap(queue_);
    work_cv_.notify_all();
  }
  for (Pending& p : cancelled) {
    p.done(CompletionFor(p.request, BlockCompletion::Status::kIoError));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    unfinished_ -= cancelled.size();
    if (unfinished_ == 0) idle_cv_.notify_all();
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void ThreadPoolBackend::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left to serve
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Serialize(p.request);
    BlockCompletion c = Serve(p.request);
    Unserialize(p.request);
    p.done(std::move(c));
    p = Pending{};  // release the request's buffers and the callback's captures
    lock.lock();
    if (--unfinished_ == 0) idle_cv_.notify_all();
  }
}

BlockCompletion ThreadPoolBackend::Serve(BlockRequest& request) {
  using Type = BlockRequest::Type;
  using S = BlockCompletion::Status;
  BlockCompletion c = CompletionFor(request, CheckBlockRequest(request, size_bytes_, read_only_));
  if (c.status != S::kOk) {
    spdlog::debug("block: request {} type {} at {}+{} rejected (image {} bytes{})", request.id,
                  static_cast<int>(request.type), request.offset, request.length, size_bytes_,
                  read_only_ ? ", read-only" : "");
    return c;
  }
  bool ok = true;
  switch (request.type) {
    case Type::kRead:
      if (direct_) {
        ok = ReadDirect(request, &c.data);
      } else {
        c.data.resize(request.length);
        ok = TransferFully(false, fd_, c.data.data(), request.length, request.offset, 1);
      }
      if (!ok) c.data.clear();
      break;
    case Type::kWrite:
      ok = direct_ ? TransferDirect(request, request.data.data())
                   : TransferFully(true, fd_, request.data.data(), request.length, request.offset, 1);
      break;
    case Type::kFlush:
      // Nothing was written through a read-only descriptor.
      if (!read_only_) {
        int r;
        bool retry = false;
        for (;;) {
          uint64_t unused = 0;
          r = Consult(HostOp{HostOp::Kind::kFlush, 0, 0, 1, retry}, &unused) ? fdatasync(fd_) : -1;
          if (r == 0 || (errno != EINTR && errno != EAGAIN)) break;
          retry = true;
        }
        ok = r == 0;
      }
      break;
    case Type::kDiscard:
      ok = FallocateOrZero(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, &punch_hole_ok_,
                           request.offset, request.length);
      break;
    case Type::kWriteZeroes:
      ok = FallocateOrZero(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, &zero_range_ok_,
                           request.offset, request.length);
      break;
  }
  if (!ok) {
    spdlog::debug("block: request {} type {} at {}+{} failed: {}", request.id,
                  static_cast<int>(request.type), request.offset, request.length,
                  std::strerror(errno));
    c.status = S::kIoError;
  }
  return c;
}

bool ThreadPoolBackend::Consult(HostOp op, uint64_t* length) {
  if (!injector_) return true;
  const Fault f = injector_->Decide(op);
  switch (f.kind) {
    case Fault::Kind::kNone: return true;
    case Fault::Kind::kError: errno = f.error; return false;
    case Fault::Kind::kAgain: errno = EAGAIN; return false;
    case Fault::Kind::kShort: *length = f.length; return true;
    case Fault::Kind::kDelay:
      std::this_thread::sleep_for(std::chrono::nanoseconds(f.delay_ns));
      return true;
  }
  return true;
}

bool ThreadPoolBackend::TransferFully(bool write, int fd, uint8_t* buf, uint64_t length, uint64_t offset,
                                      uint64_t granularity) {
  bool retry = false;
  while (length > 0) {
    uint64_t ask = length;
    const HostOp op{write ? HostOp::Kind::kWrite : HostOp::Kind::kRead, offset, length, granularity, retry};
    ssize_t n = -1;
    if (Consult(op, &ask))
      n = write ? pwrite(fd, buf, ask, static_cast<off_t>(offset)) : pread(fd, buf, ask, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        retry = true;
        continue;
      }
      return false;
    }
    retry = false;
    if (n == 0) {  // a read at the end of a file that shrank under us; a write that wrote nothing
      errno = EIO;
      return false;
    }
    buf += n;
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return true;
}

namespace {

// Each worker keeps its last bounce buffer (up to 4 MiB): an allocation
// per request, for large ones an mmap with its page faults, costs more
// than the I/O of a cached block.
AlignedBuffer& WorkerBounce(uint64_t size, uint64_t alignment) {
  thread_local AlignedBuffer spare;
  if (spare.size() < size || reinterpret_cast<uintptr_t>(spare.data()) % alignment != 0) {
    spare = AlignedBuffer(size, alignment);
  }
  return spare;
}

void TrimWorkerBounce(AlignedBuffer& b) {
  if (b.size() > (4u << 20)) b = AlignedBuffer();
}

}  // namespace

bool ThreadPoolBackend::ReadDirect(BlockRequest& request, IoBytes* out) {
  // IoBytes is aligned and not zeroed by resize: an aligned range is read
  // straight into it, anything else through the bounce buffer.
  out->resize(request.length);
  const DirectPlan plan = PlanDirectIo(request.type, request.offset, request.length, out->data(), size_bytes_, align_);
  if (plan.buffered) return TransferFully(false, buffered_fd_, out->data(), request.length, request.offset, 1);
  if (!plan.bounce) return TransferFully(false, fd_, out->data(), request.length, request.offset, align_.offset);
  const uint64_t span = plan.end - plan.begin, skip = request.offset - plan.begin;
  AlignedBuffer& bounce = WorkerBounce(span, align_.memory);
  const bool ok = TransferFully(false, fd_, bounce.data(), span, plan.begin, align_.offset);
  if (ok) std::memcpy(out->data(), bounce.data() + skip, request.length);
  TrimWorkerBounce(bounce);
  return ok;
}

bool ThreadPoolBackend::TransferDirect(BlockRequest& request, uint8_t* buf) {
  const bool write = request.type == BlockRequest::Type::kWrite;
  const DirectPlan plan = PlanDirectIo(request.type, request.offset, request.length, buf, size_bytes_, align_);
  if (plan.buffered) return TransferFully(write, buffered_fd_, buf, request.length, request.offset, 1);
  if (!plan.bounce) return TransferFully(write, fd_, buf, request.length, request.offset, align_.offset);
  const uint64_t span = plan.end - plan.begin, skip = request.offset - plan.begin;
  AlignedBuffer& bounce = WorkerBounce(span, align_.memory);
  bool ok = true;
  if (!write || plan.rmw) ok = TransferFully(false, fd_, bounce.data(), span, plan.begin, align_.offset);
  if (ok && !write) std::memcpy(buf, bounce.data() + skip, request.length);
  if (ok && write) {
    std::memcpy(bounce.data() + skip, buf, request.length);
    ok = TransferFully(true, fd_, bounce.data(), span, plan.begin, align_.offset);
  }
  TrimWorkerBounce(bounce);
  return ok;
}

// Only requests that will reach the file are serialised (a rejected one
// has no sensible range).
static bool SerializedType(const BlockRequest& r) {
  return r.type != BlockRequest::Type::kRead && r.type != BlockRequest::Type::kFlush;
}

void ThreadPoolBackend::Serialize(const BlockRequest& request) {
  if (!direct_ || !SerializedType(request) ||
      CheckBlockRequest(request, size_bytes_, read_only_) != BlockCompletion::Status::kOk)
    return;
  const DirectPlan plan = PlanDirectIo(request.type, request.offset, request.length, request.data.data(),
                                       size_bytes_, align_);
  std::unique_lock<std::mutex> lock(mu_);
  if (!serializer_.Add(&request, plan.begin, plan.end, plan.rmw))
    serial_cv_.wait(lock, [&] { return serializer_.Started(&request); });
}

void ThreadPoolBackend::Unserialize(const BlockRequest& request) {
  if (!direct_ || !SerializedType(request)) return;
  std::vector<const void*> ready;
  std::lock_guard<std::mutex> lock(mu_);
  serializer_.Remove(&request, &ready);
  if (!ready.empty()) serial_cv_.notify_all();
}

bool ThreadPoolBackend::WriteZeros(uint64_t offset, uint64_t length) {
  static constexpr uint64_t kChunk = 1 << 20;
  const std::vector<uint8_t> zeros(std::min(length, kChunk), 0);
  while (length > 0) {
    uint64_t n = std::min(length, kChunk);
    // Buffered under cache=none too: the zero buffer is not aligned.
    if (!TransferFully(true, direct_ ? buffered_fd_ : fd_, const_cast<uint8_t*>(zeros.data()), n, offset, 1))
      return false;
    offset += n;
    length -= n;
  }
  return true;
}

bool ThreadPoolBackend::FallocateOrZero(int mode, std::atomic<bool>* supported, uint64_t offset,
                                        uint64_t length) {
  if (length == 0) return true;  // fallocate rejects an empty range
  if (supported->load(std::memory_order_relaxed)) {
    const HostOp op{(mode & FALLOC_FL_PUNCH_HOLE) ? HostOp::Kind::kDiscard : HostOp::Kind::kWriteZeroes, offset,
                    length, 1, false};
    int r;
    for (HostOp o = op;; o.retry = true) {
      uint64_t unused = length;
      r = Consult(o, &unused) ? fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(length)) : -1;
      if (r == 0 || (errno != EINTR && errno != EAGAIN)) break;
    }
    if (r == 0) return true;
    if (errno != EOPNOTSUPP && errno != ENOSYS) return false;
    spdlog::debug("block: fallocate mode {:#x} not supported here, writing zeros instead", mode);
    supported->store(false, std::memory_order_relaxed);
  }
  return WriteZeros(offset, length);
}

}  // namespace tapvm
