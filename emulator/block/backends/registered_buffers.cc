#include "emulator/block/backends/registered_buffers.h"

#include <sys/mman.h>
#include <sys/uio.h>

namespace tapvm {

RegisteredBuffers* RegisteredBuffers::Create(io_uring* ring, uint64_t bytes) {
  for (; bytes >= kMinBytes; bytes /= 2) {
    // Populated now: registration pins the pages anyway, and a read must
    // not fault them in one by one.
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) continue;
    iovec region{p, bytes};
    if (io_uring_register_buffers(ring, &region, 1) == 0)
      return new RegisteredBuffers(static_cast<uint8_t*>(p), bytes);
    ::munmap(p, bytes);
  }
  return nullptr;
}

RegisteredBuffers::RegisteredBuffers(uint8_t* base, uint64_t bytes)
    : base_(base), bytes_(bytes), used_(bytes / kGranule, false) {}

RegisteredBuffers::~RegisteredBuffers() { ::munmap(base_, bytes_); }

long RegisteredBuffers::FindRun(unsigned n) const {
  unsigned run = 0;
  for (size_t i = 0; i < used_.size(); ++i) {
    run = used_[i] ? 0 : run + 1;
    if (run == n) return static_cast<long>(i + 1 - n);
  }
  return -1;
}

bool RegisteredBuffers::Take(uint64_t size, IoBytes* out) {
  if (size == 0 || size > bytes_) return false;
  const auto n = static_cast<unsigned>((size + kGranule - 1) / kGranule);
  long first;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || (first = FindRun(n)) < 0) return false;
    for (unsigned i = 0; i < n; ++i) used_[static_cast<size_t>(first) + i] = true;
    lent_ += n;
  }
  *out = IoBytes::Adopt(base_ + static_cast<uint64_t>(first) * kGranule, size, n * kGranule, this);
  return true;
}

void RegisteredBuffers::Release(uint8_t* data, size_t capacity) {
  const size_t first = static_cast<size_t>(data - base_) / kGranule;
  const size_t n = capacity / kGranule;
  bool last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < n; ++i) used_[first + i] = false;
    lent_ -= static_cast<unsigned>(n);
    last = closed_ && lent_ == 0;
  }
  if (last) delete this;
}

unsigned RegisteredBuffers::lent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lent_;
}

void RegisteredBuffers::Close() {
  bool now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    now = lent_ == 0;
  }
  if (now) delete this;
}

}  // namespace tapvm
