// Direct I/O (cache=none) support shared by the block backends: the
// image's alignment rules, aligned bounce buffers, the plan for serving one
// read or write through O_DIRECT, and the serialisation that keeps
// read-modify-write cycles from losing concurrent writes.
//
// O_DIRECT wants the file offset, the length and the memory address of a
// transfer aligned (to the device's logical block size, typically 512 or
// 4096; statx STATX_DIOALIGN says, BLKSSZGET for block devices, else 4096
// is assumed). A request that is aligned in all three goes straight to the
// kernel from its own buffer. Otherwise it goes through an aligned bounce
// buffer covering the request's range widened to whole blocks: a read
// reads the widened range and copies the middle out; a write whose
// range is not whole blocks first reads the widened range, patches it and
// writes it back (read-modify-write). A widened range that reaches past
// the end of an image whose size is not a multiple of the block cannot be
// written with O_DIRECT at all: such requests use a buffered descriptor.
//
// Not thread-safe: each helper's owner serialises access.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "emulator/tap.h"

namespace tapvm {

struct DirectIoAlignment {
  uint64_t memory = 4096;  // buffer address alignment
  uint64_t offset = 4096;  // file offset and length alignment
};

// The alignment O_DIRECT needs on `fd` (open, regular file or block
// device); 4096 for whatever the host does not report.
DirectIoAlignment ProbeDirectIoAlignment(int fd);

// A heap buffer aligned for O_DIRECT; its size is rounded up to the
// alignment.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(uint64_t size, uint64_t alignment);
  uint8_t* data() const { return p_.get(); }
  uint64_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> p_;
  uint64_t size_ = 0;
};

// How one read or write is served under cache=none.
struct DirectPlan {
  bool buffered = false;  // through the buffered descriptor (the unaligned image tail)
  bool bounce = false;    // through an aligned buffer rather than the request's own
  bool rmw = false;       // a write that must read its widened range first
  uint64_t begin = 0;     // the request's range widened to whole blocks: what
  uint64_t end = 0;       // the host calls cover (unless buffered: then as asked)
};

// `buf` is the request's own buffer (the write's data, the read's result).
DirectPlan PlanDirectIo(BlockRequest::Type type, uint64_t offset, uint64_t length, const void* buf,
                        uint64_t image_size, const DirectIoAlignment& align);

// Keeps a read-modify-write from overlapping any other write in flight
// (either could undo the other's bytes in a shared block), first come
// first served. Every write under cache=none is added before it is issued
// and removed when it completes; an entry may start when no earlier entry
// that overlaps it is a read-modify-write, nor is it one itself overlapping
// an earlier entry.
class WriteSerializer {
 public:
  // Adds `who`'s range; true if it may start now.
  bool Add(const void* who, uint64_t begin, uint64_t end, bool rmw);
  // Removes `who` (finished); appends the entries that may start now.
  void Remove(const void* who, std::vector<const void*>* ready);
  bool Started(const void* who) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    const void* who;
    uint64_t begin, end;
    bool rmw, started;
  };
  bool MayStart(size_t i) const;
  std::vector<Entry> entries_;  // in arrival order
};

}  // namespace tapvm
