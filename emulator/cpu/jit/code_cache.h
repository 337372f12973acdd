// CodeCache: one fixed region of executable memory that translated blocks
// are bump-allocated from, and flushed whole when it is full.
//
// Contract: the region is mapped once (read, write, execute) at
// construction and never moves, so code addresses stay valid until Flush.
// Flush forgets every allocation: the caller (JitEngine) must drop every
// pointer into the cache first and must never flush while translated code
// is running (it defers a flush to its dispatcher). No guest memory is ever
// mapped or protected here.
//
// Not thread-safe: CPU thread only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tapvm::jit {

class CodeCache {
 public:
  explicit CodeCache(size_t bytes);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  // False if the region could not be mapped (the engine then interprets).
  bool ok() const { return base_ != nullptr; }
  // Where the next block goes and how much room is left.
  uint8_t* cursor() const { return base_ + used_; }
  size_t free_bytes() const { return size_ - used_; }
  // Marks `bytes` at cursor() as used (16-byte aligned for the next one).
  void Commit(size_t bytes);
  // Forgets every block.
  void Flush() { used_ = 0; }
  size_t capacity() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
};

}  // namespace tapvm::jit
