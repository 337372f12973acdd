#include "emulator/block/backends/thread_pool_backend.h"

#include "emulator/block/backends/image_file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace tapvm {

namespace {

BlockCompletion CompletionFor(const BlockRequest& request, BlockCompletion::Status status) {
  BlockCompletion c;
  c.dev = request.dev;
  c.id = request.id;
  c.status = status;
  return c;
}

}  // namespace

Status ThreadPoolBackend::Open(const std::string& path, bool read_only, unsigned num_threads,
                               std::unique_ptr<ThreadPoolBackend>* out) {
  if (num_threads == 0 || num_threads > kMaxThreads) {
    return Status::InvalidArgument("thread pool backend: num_threads must be 1.." +
                                   std::to_string(kMaxThreads));
  }
  int fd = -1;
  uint64_t size = 0;
  TAPVM_RETURN_IF_ERROR(OpenImageFile(path, read_only, &fd, &size));
  std::unique_ptr<ThreadPoolBackend> backend(new ThreadPoolBackend(fd, size, read_only));
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
    p.done(Serve(p.request));
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
      c.data.resize(request.length);
      ok = ReadFully(c.data.data(), request.length, request.offset);
      if (!ok) c.data.clear();
      break;
    case Type::kWrite:
      ok = WriteFully(request.data.data(), request.length, request.offset);
      break;
    case Type::kFlush:
      // Nothing was written through a read-only descriptor.
      if (!read_only_) {
        int r;
        do r = fdatasync(fd_); while (r != 0 && errno == EINTR);
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

bool ThreadPoolBackend::ReadFully(uint8_t* buf, uint64_t length, uint64_t offset) {
  while (length > 0) {
    ssize_t n = pread(fd_, buf, length, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {  // the file shrank under us
      errno = EIO;
      return false;
    }
    buf += n;
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return true;
}

bool ThreadPoolBackend::WriteFully(const uint8_t* buf, uint64_t length, uint64_t offset) {
  while (length > 0) {
    ssize_t n = pwrite(fd_, buf, length, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    buf += n;
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return true;
}

bool ThreadPoolBackend::WriteZeros(uint64_t offset, uint64_t length) {
  static constexpr uint64_t kChunk = 1 << 20;
  const std::vector<uint8_t> zeros(std::min(length, kChunk), 0);
  while (length > 0) {
    uint64_t n = std::min(length, kChunk);
    if (!WriteFully(zeros.data(), n, offset)) return false;
    offset += n;
    length -= n;
  }
  return true;
}

bool ThreadPoolBackend::FallocateOrZero(int mode, std::atomic<bool>* supported, uint64_t offset,
                                        uint64_t length) {
  if (length == 0) return true;  // fallocate rejects an empty range
  if (supported->load(std::memory_order_relaxed)) {
    int r;
    do r = fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(length));
    while (r != 0 && errno == EINTR);
    if (r == 0) return true;
    if (errno != EOPNOTSUPP && errno != ENOSYS) return false;
    spdlog::debug("block: fallocate mode {:#x} not supported here, writing zeros instead", mode);
    supported->store(false, std::memory_order_relaxed);
  }
  return WriteZeros(offset, length);
}

}  // namespace tapvm
