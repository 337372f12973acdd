#include "emulator/cpu/jit/code_cache.h"

#include <sys/mman.h>

namespace tapvm::jit {

CodeCache::CodeCache(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<uint8_t*>(p);
  size_ = bytes;
}

CodeCache::~CodeCache() {
  if (base_) munmap(base_, size_);
}

void CodeCache::Commit(size_t bytes) {
  used_ += (bytes + 15) & ~size_t{15};
  if (used_ > size_) used_ = size_;
}

}  // namespace tapvm::jit
