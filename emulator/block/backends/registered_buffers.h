// RegisteredBuffers: memory registered with one io_uring as its fixed
// buffer 0, lent out as IoBytes that large reads land in
// (IORING_OP_READ_FIXED).
//
// Why: a read into a registered buffer is copied by the kernel into pages
// it pinned once, at registration, through its own mapping of them; a read
// into ordinary memory is copied to user addresses, page by page checked.
// For 1 MiB reads served from the page cache, on the 6.18 host of
// block_backend_bench, that made one thread's reads about 9% faster
// (pread 8,310-8,465 IOPS, IORING_OP_READ 8,275-8,309, READ_FIXED
// 9,010-9,232), which the thread pool, limited to read(2), cannot match.
//
// The region is mapped and registered when the ring is set up, split
// into 64 KiB granules, and lent in runs of whole granules. A buffer goes
// back (Release, any thread) when the IoBytes holding it is freed, which
// may be long after the request completed: the consumer owns the data. A
// request that finds no free run reads into ordinary memory, as before.
//
// Lifetime: the ring owns the pool until it Closes it; lent buffers stay
// valid after that, and the last one released unmaps the region.
// Registration pins the region's pages (counted against RLIMIT_MEMLOCK
// without CAP_IPC_LOCK): Create tries smaller regions before giving up.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "emulator/base/io_bytes.h"

namespace tapvm {

class RegisteredBuffers final : public IoBytes::Owner {
 public:
  static constexpr uint64_t kGranule = 64 << 10;
  // The region a ring asks for, and the smallest it settles for.
  static constexpr uint64_t kDefaultBytes = 8 << 20;
  static constexpr uint64_t kMinBytes = 1 << 20;

  // Maps a region of `bytes` (halved down to kMinBytes while the kernel
  // refuses to register it) and registers it with `ring` as fixed buffer 0.
  // Returns nullptr when no size could be registered (no memlock room, or
  // a kernel without fixed buffers); the ring then reads without it.
  static RegisteredBuffers* Create(io_uring* ring, uint64_t bytes = kDefaultBytes);

  RegisteredBuffers(const RegisteredBuffers&) = delete;
  RegisteredBuffers& operator=(const RegisteredBuffers&) = delete;

  // Lends `size` bytes (rounded up to granules), page-aligned, as an
  // IoBytes of that size; false when no run of free granules is long
  // enough (`out` untouched).
  bool Take(uint64_t size, IoBytes* out);
  // Whether [p, p + n) lies inside the region (a READ_FIXED may target it).
  bool Contains(const uint8_t* p, uint64_t n) const {
    return p >= base_ && n <= bytes_ && static_cast<uint64_t>(p - base_) <= bytes_ - n;
  }
  uint64_t bytes() const { return bytes_; }
  // Granules lent now (tests).
  unsigned lent() const;

  // The owner is done with the pool (its ring is gone): it deletes itself
  // now if nothing is lent, else when the last buffer comes back. The
  // pointer must not be used after this.
  void Close();

  void Release(uint8_t* data, size_t capacity) override;

 private:
  RegisteredBuffers(uint8_t* base, uint64_t bytes);
  ~RegisteredBuffers();
  // First run of `n` free granules, or -1; under mu_.
  long FindRun(unsigned n) const;

  uint8_t* const base_;
  const uint64_t bytes_;
  mutable std::mutex mu_;
  std::vector<bool> used_;  // one per granule
  unsigned lent_ = 0;       // granules lent
  bool closed_ = false;
};

}  // namespace tapvm
