#include "emulator/base/io_bytes.h"

#include <array>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace tapvm {
namespace {

// Blocks of 64 KiB to 16 MiB are rounded up to a power of two and, when
// released, kept in a free list of their size for the next Allocate, up to
// kKeepBytes over all sizes; smaller and larger ones go straight back to
// malloc. Every block is aligned by hand inside a plain malloc block
// (aligned_alloc would hand out a fresh mmap for each large block).
constexpr size_t kMinPooled = 64 << 10, kMaxPooled = 16 << 20;
constexpr unsigned kClasses = 9;  // 64 KiB .. 16 MiB
constexpr size_t kKeepBytes = 128 << 20;

size_t AlignmentFor(size_t n) { return n >= 4096 ? 4096 : n >= 512 ? 512 : 1; }

unsigned ClassOf(size_t capacity) {
  unsigned c = 0;
  for (size_t s = kMinPooled; s < capacity; s <<= 1) ++c;
  return c;
}

struct Recycler {
  std::mutex mu;
  std::array<std::vector<void*>, kClasses> free;  // malloc blocks of (1 << class) * kMinPooled + 4095
  size_t kept_bytes = 0;
};
Recycler& TheRecycler() {
  static Recycler* r = new Recycler();  // never destroyed: blocks may be released during exit
  return *r;
}

uint8_t* AlignIn(void* block, size_t alignment) {
  const uintptr_t p = (reinterpret_cast<uintptr_t>(block) + alignment - 1) & ~(uintptr_t{alignment} - 1);
  return reinterpret_cast<uint8_t*>(p);
}

}  // namespace

IoBytes::Storage IoBytes::Allocate(size_t n, size_t* capacity) {
  if (n < kMinPooled || n > kMaxPooled) {
    const size_t a = AlignmentFor(n);
    void* block = std::malloc(n + a - 1);
    if (block == nullptr) throw std::bad_alloc();
    *capacity = n;
    return Storage(AlignIn(block, a), Free{block, n, nullptr});
  }
  const unsigned c = ClassOf(n);
  const size_t cap = kMinPooled << c;
  void* block = nullptr;
  {
    Recycler& r = TheRecycler();
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.free[c].empty()) {
      block = r.free[c].back();
      r.free[c].pop_back();
      r.kept_bytes -= cap;
    }
  }
  if (block == nullptr) block = std::malloc(cap + 4095);
  if (block == nullptr) throw std::bad_alloc();
  *capacity = cap;
  return Storage(AlignIn(block, 4096), Free{block, cap, nullptr});
}

void IoBytes::ReleaseBlock(void* block, size_t capacity) {
  if (block == nullptr) return;
  if (capacity >= kMinPooled && capacity <= kMaxPooled) {
    Recycler& r = TheRecycler();
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.kept_bytes + capacity <= kKeepBytes) {
      r.free[ClassOf(capacity)].push_back(block);
      r.kept_bytes += capacity;
      return;
    }
  }
  std::free(block);
}

}  // namespace tapvm
