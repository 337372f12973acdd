#include "emulator/block/backends/direct_io.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <new>

namespace tapvm {

namespace {

bool PowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

DirectIoAlignment ProbeDirectIoAlignment(int fd) {
  DirectIoAlignment a;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode)) {
    int lbs = 0;
    if (ioctl(fd, BLKSSZGET, &lbs) == 0 && PowerOfTwo(static_cast<uint64_t>(lbs))) {
      a.offset = static_cast<uint64_t>(lbs);
      a.memory = a.offset;
    }
    return a;
  }
#ifdef STATX_DIOALIGN
  struct statx sx = {};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) &&
      PowerOfTwo(sx.stx_dio_offset_align) && PowerOfTwo(sx.stx_dio_mem_align)) {
    a.offset = sx.stx_dio_offset_align;
    a.memory = sx.stx_dio_mem_align;
  }
#endif
  a.memory = std::max<uint64_t>(a.memory, 8);  // never "any address"
  return a;
}

AlignedBuffer::AlignedBuffer(uint64_t size, uint64_t alignment) {
  alignment = std::max<uint64_t>(alignment, sizeof(void*));
  size_ = (size + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, size_ ? size_ : alignment);
  if (p == nullptr) throw std::bad_alloc();
  p_.reset(static_cast<uint8_t*>(p));
}

DirectPlan PlanDirectIo(BlockRequest::Type type, uint64_t offset, uint64_t length, const void* buf,
                        uint64_t image_size, const DirectIoAlignment& align) {
  DirectPlan p;
  const uint64_t b = align.offset;
  p.begin = offset / b * b;
  p.end = (offset + length + b - 1) / b * b;
  const bool range_aligned = p.begin == offset && p.end == offset + length;
  const bool mem_aligned = reinterpret_cast<uintptr_t>(buf) % align.memory == 0;
  if (p.end > image_size) {
    // The last block is partial: O_DIRECT cannot write it, nor read it
    // with a whole-block length. The buffered descriptor serves it as
    // asked; [begin, end) stays widened (what WriteSerializer must see).
    p.buffered = true;
    return p;
  }
  p.bounce = !range_aligned || !mem_aligned;
  p.rmw = type == BlockRequest::Type::kWrite && !range_aligned;
  return p;
}

bool WriteSerializer::MayStart(size_t i) const {
  const Entry& e = entries_[i];
  for (size_t j = 0; j < i; ++j) {
    const Entry& o = entries_[j];
    const bool overlap = o.begin < e.end && e.begin < o.end;
    if (overlap && (o.rmw || e.rmw)) return false;
  }
  return true;
}

bool WriteSerializer::Add(const void* who, uint64_t begin, uint64_t end, bool rmw) {
  entries_.push_back(Entry{who, begin, end, rmw, false});
  entries_.back().started = MayStart(entries_.size() - 1);
  return entries_.back().started;
}

void WriteSerializer::Remove(const void* who, std::vector<const void*>* ready) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [who](const Entry& e) { return e.who == who; });
  if (it == entries_.end()) return;
  entries_.erase(it);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].started && MayStart(i)) {
      entries_[i].started = true;
      ready->push_back(entries_[i].who);
    }
  }
}

bool WriteSerializer::Started(const void* who) const {
  for (const Entry& e : entries_)
    if (e.who == who) return e.started;
  return false;
}

}  // namespace tapvm
