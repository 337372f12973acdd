// IoBytes: the byte buffer block data travels in (BlockRequest::data,
// BlockCompletion::data), shaped for the host I/O that fills or drains it.
//
// - resize() leaves new bytes uninitialised. std::vector<uint8_t> writes
//   zeros over them; for a buffer the host is about to read a block into
//   (1 MiB reads, several in flight) that fill costs as much as the copy
//   the kernel then does, and it runs long before the read, so the kernel
//   copies into memory that has left the cache again. Bytes added by
//   resize(n) are indeterminate until written: grow a buffer only where
//   every byte is then written (a read into it, a copy from guest memory).
// - Storage of 512 bytes or more is aligned (4 KiB from 4 KiB up, else
//   512), what O_DIRECT asks of memory, so cache=none transfers straight
//   from and into it rather than through a bounce buffer.
// - Copies are memcpy. (A std::vector with an allocator of its own would
//   give the first two, but copies element by element.)
// Otherwise a small subset of std::vector<uint8_t>'s interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <vector>

namespace tapvm {

class IoBytes {
 public:
  // Memory lent by someone else (a pool of buffers registered with an
  // io_uring, block/backends/registered_buffers.h): an IoBytes adopting it
  // hands it back through Release, from whichever thread frees it, instead
  // of to the recycler. The owner must live until every buffer it lent is
  // released.
  class Owner {
   public:
    virtual void Release(uint8_t* data, size_t capacity) = 0;

   protected:
    ~Owner() = default;
  };
  // `size` bytes at `data` (uninitialised, as resize leaves them), out of a
  // block of `capacity` bytes that `owner` lent. Growing past `capacity`
  // moves the bytes to recycler storage and releases the block.
  static IoBytes Adopt(uint8_t* data, size_t size, size_t capacity, Owner* owner) {
    IoBytes b;
    b.data_ = Storage(data, Free{data, capacity, owner});
    b.size_ = size;
    b.capacity_ = capacity;
    return b;
  }

  IoBytes() = default;
  IoBytes(size_t n, uint8_t value) {
    resize(n);
    if (n) std::memset(data_.get(), value, n);
  }
  IoBytes(std::initializer_list<uint8_t> bytes) { assign(bytes.begin(), bytes.end()); }
  IoBytes(const uint8_t* first, const uint8_t* last) { assign(first, last); }
  template <std::input_iterator It>
  IoBytes(It first, It last) {
    assign(first, last);
  }
  IoBytes(const IoBytes& o) { assign(o.begin(), o.end()); }
  IoBytes& operator=(const IoBytes& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  IoBytes(IoBytes&& o) noexcept : data_(std::move(o.data_)), size_(o.size_), capacity_(o.capacity_) {
    o.size_ = o.capacity_ = 0;
  }
  IoBytes& operator=(IoBytes&& o) noexcept {
    data_ = std::move(o.data_);
    size_ = o.size_;
    capacity_ = o.capacity_;
    o.size_ = o.capacity_ = 0;
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  uint8_t* begin() { return data_.get(); }
  uint8_t* end() { return data_.get() + size_; }
  const uint8_t* begin() const { return data_.get(); }
  const uint8_t* end() const { return data_.get() + size_; }
  uint8_t& operator[](size_t i) { return data_[i]; }
  uint8_t operator[](size_t i) const { return data_[i]; }

  // Keeps the first min(n, size()) bytes; new bytes are uninitialised.
  void resize(size_t n) {
    if (n > capacity_) {
      Storage bigger = Allocate(n, &capacity_);
      if (size_) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
    }
    size_ = n;
  }
  void clear() { size_ = 0; }
  void assign(const uint8_t* first, const uint8_t* last) {
    const size_t n = static_cast<size_t>(last - first);
    if (n > capacity_) {
      data_.reset();
      data_ = Allocate(n, &capacity_);
    }
    size_ = n;
    if (n) std::memmove(data_.get(), first, n);
  }
  void assign(size_t n, uint8_t value) {
    resize(0);
    resize(n);
    if (n) std::memset(data_.get(), value, n);
  }
  template <std::input_iterator It>
  void assign(It first, It last) {
    if constexpr (std::is_pointer_v<It>) {
      assign(reinterpret_cast<const uint8_t*>(&*first), reinterpret_cast<const uint8_t*>(&*first) + (last - first));
    } else {
      const size_t n = static_cast<size_t>(std::distance(first, last));
      resize(0);
      resize(n);
      size_t i = 0;
      for (It it = first; it != last; ++it) data_[i++] = static_cast<uint8_t>(*it);
    }
  }

  operator std::span<const uint8_t>() const { return {data_.get(), size_}; }
  operator std::span<uint8_t>() { return {data_.get(), size_}; }

  friend bool operator==(const IoBytes& a, const IoBytes& b) { return Same(a, b.data(), b.size()); }
  friend bool operator==(const IoBytes& a, const std::vector<uint8_t>& b) { return Same(a, b.data(), b.size()); }

 private:
  // Blocks come from a process-wide recycler (io_bytes.cc): large ones are
  // kept for reuse, since a block returned to malloc is soon returned to
  // the kernel (an I/O thread frees several at once, above glibc's trim
  // threshold), and every page of the next one faults in again: a 1 MiB
  // read then costs 256 page faults besides its copy.
  struct Free {
    void* block;
    size_t capacity;
    Owner* owner;  // set: the block is lent (Adopt)
    void operator()(uint8_t* data) const {
      if (owner != nullptr)
        owner->Release(data, capacity);
      else
        ReleaseBlock(block, capacity);
    }
  };
  using Storage = std::unique_ptr<uint8_t[], Free>;
  // At least n bytes (the capacity it sets), aligned as the header says.
  static Storage Allocate(size_t n, size_t* capacity);
  static void ReleaseBlock(void* block, size_t capacity);
  static bool Same(const IoBytes& a, const uint8_t* b, size_t n) {
    return a.size_ == n && (n == 0 || std::memcmp(a.data(), b, n) == 0);
  }

  Storage data_{nullptr, Free{nullptr, 0, nullptr}};
  size_t size_ = 0;
  size_t capacity_ = 0;
};

inline IoBytes ToIoBytes(std::span<const uint8_t> b) { return IoBytes(b.data(), b.data() + b.size()); }

}  // namespace tapvm
