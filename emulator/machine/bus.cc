#include "emulator/machine/bus.h"

#include <algorithm>
#include <cstring>

namespace tapvm {

namespace {
bool RangeOverlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}
std::string Hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

bool Bus::Overlaps(uint64_t base, uint64_t size) const {
  for (const auto& m : memory_)
    if (RangeOverlap(base, size, m.base(), m.size())) return true;
  for (const auto& d : mmio_)
    if (RangeOverlap(base, size, d.base, d.size)) return true;
  return pio_window_size_ && RangeOverlap(base, size, pio_window_base_, pio_window_size_);
}

Status Bus::AddMemory(uint64_t base, uint64_t size, bool writable) {
  if (size == 0 || base + size < base || (base & 0xfff) || (size & 0xfff))
    return Status::InvalidArgument("memory region " + Hex(base) + "+" + Hex(size) + " is not page aligned");
  if (Overlaps(base, size)) return Status::InvalidArgument("memory region at " + Hex(base) + " overlaps");
  MemoryRegion r;
  r.base_ = base;
  r.size_ = size;
  r.writable_ = writable;
  r.storage_.reset(static_cast<uint8_t*>(std::calloc(size, 1)));
  if (!r.storage_) return Status::IOError("cannot allocate " + std::to_string(size >> 20) + " MiB of guest memory");
  if (writable) {
    r.touched_.assign((size / kPageSize + 63) / 64, 0);
    r.dirty_.assign(r.touched_.size(), 0);
    r.rehash_.assign(r.touched_.size(), 0);
    r.code_watch_.assign(r.touched_.size(), 0);
    r.handed_out_.assign(r.touched_.size(), ~0ull);  // unknown: drop at the first watch
  }
  memory_.push_back(std::move(r));
  return Status::Ok();
}

Status Bus::AddMmio(uint64_t base, uint64_t size, Device* dev) {
  if (size == 0 || base + size < base) return Status::InvalidArgument("empty MMIO range");
  if (Overlaps(base, size))
    return Status::InvalidArgument(std::string(dev->name()) + " at " + Hex(base) + " overlaps");
  mmio_.push_back({base, size, dev});
  return Status::Ok();
}

Status Bus::AddPio(uint64_t port, uint64_t size, Device* dev) {
  if (size == 0 || port + size < port) return Status::InvalidArgument("empty port range");
  for (const auto& d : pio_)
    if (RangeOverlap(port, size, d.base, d.size))
      return Status::InvalidArgument(std::string(dev->name()) + " port " + Hex(port) + " overlaps");
  pio_.push_back({port, size, dev});
  return Status::Ok();
}

Status Bus::SetPioWindow(uint64_t base, uint64_t size) {
  if (size == 0 || base + size < base || Overlaps(base, size)) return Status::InvalidArgument("bad port-I/O window");
  pio_window_base_ = base;
  pio_window_size_ = size;
  return Status::Ok();
}

void Bus::MemoryRegion::MarkTouched(uint64_t offset, uint64_t len) {
  if (touched_.empty()) return;
  const uint64_t first = offset / kPageSize;
  const uint64_t last = (offset + (len ? len - 1 : 0)) / kPageSize;
  for (uint64_t p = first; p <= last; ++p) {
    const uint64_t bit = uint64_t{1} << (p % 64);
    touched_[p / 64] |= bit;
    dirty_[p / 64] |= bit;
    rehash_[p / 64] |= bit;
    handed_out_[p / 64] |= bit;
    if (code_watch_[p / 64] & bit) {
      code_watch_[p / 64] &= ~bit;
      if (written_code_.size() < kMaxWrittenCode) written_code_.push_back(p * kPageSize);
      else written_code_overflow_ = true;
    }
  }
}

bool Bus::WatchCode(uint64_t pa_page) {
  for (auto& m : memory_) {
    if (pa_page < m.base_ || pa_page - m.base_ >= m.size_) continue;
    if (m.code_watch_.empty()) return false;  // ROM
    const uint64_t p = (pa_page - m.base_) / kPageSize;
    const uint64_t bit = uint64_t{1} << (p % 64);
    m.code_watch_[p / 64] |= bit;
    const bool handed_out = m.handed_out_[p / 64] & bit;
    m.handed_out_[p / 64] &= ~bit;
    return handed_out;
  }
  return false;
}

bool Bus::TakeWrittenCode(std::vector<uint64_t>* pages) {
  bool complete = true;
  for (auto& m : memory_) {
    for (uint64_t off : m.written_code_) pages->push_back(m.base_ + off);
    m.written_code_.clear();
    if (m.written_code_overflow_) complete = false;
    m.written_code_overflow_ = false;
  }
  return complete;
}

bool Bus::IsZeroPage(const uint8_t* p) {
  static const uint8_t kZero[kPageSize] = {};
  return std::memcmp(p, kZero, kPageSize) == 0;
}

void Bus::ClearDirty() {
  for (MemoryRegion& m : memory_) std::fill(m.dirty_.begin(), m.dirty_.end(), 0);
}

void Bus::ClearRehash() {
  for (MemoryRegion& m : memory_) std::fill(m.rehash_.begin(), m.rehash_.end(), 0);
}

bool Bus::RestorePage(uint64_t addr, std::span<const uint8_t> bytes) {
  if ((addr & (kPageSize - 1)) || (!bytes.empty() && bytes.size() != kPageSize)) return false;
  MemoryRegion* r = FindMemoryForWrite(addr, kPageSize);
  if (!r) return false;
  uint8_t* p = r->host() + (addr - r->base());
  if (bytes.empty()) std::memset(p, 0, kPageSize);
  else std::memcpy(p, bytes.data(), kPageSize);
  return true;
}

const Bus::MemoryRegion* Bus::FindMemory(uint64_t addr, uint64_t len) const {
  for (const auto& m : memory_) {
    if (addr >= m.base_ && addr - m.base_ < m.size_ && len <= m.size_ - (addr - m.base_)) return &m;
  }
  return nullptr;
}

Bus::MemoryRegion* Bus::FindMemoryForWrite(uint64_t addr, uint64_t len) {
  for (auto& m : memory_) {
    if (addr >= m.base_ && addr - m.base_ < m.size_ && len <= m.size_ - (addr - m.base_)) {
      m.MarkTouched(addr - m.base_, len);
      return &m;
    }
  }
  return nullptr;
}

const Bus::DeviceRange* Bus::FindRange(const std::vector<DeviceRange>& v, uint64_t addr, unsigned size) {
  for (const auto& d : v)
    if (addr >= d.base && addr - d.base < d.size && size <= d.size - (addr - d.base)) return &d;
  return nullptr;
}

bool Bus::Read(uint64_t addr, unsigned size, uint64_t* value) {
  if (const MemoryRegion* m = FindMemory(addr, size)) {
    uint64_t v = 0;
    std::memcpy(&v, m->host() + (addr - m->base()), size);  // little-endian host
    *value = v;
    return true;
  }
  if (addr - pio_window_base_ < pio_window_size_) return PioRead(addr - pio_window_base_, size, value);
  const DeviceRange* d = FindRange(mmio_, addr, size);
  bool ok = d && d->dev->Read(addr - d->base, size, value);
  if (!ok) *value = 0;
  ++device_accesses_;
  if (observer_) observer_->OnAccess(BusObserver::Space::kMmio, false, addr, size, *value, ok);
  return ok;
}

bool Bus::Write(uint64_t addr, unsigned size, uint64_t value) {
  if (MemoryRegion* m = FindMemoryForWrite(addr, size)) {
    if (!m->writable()) return false;
    std::memcpy(m->host() + (addr - m->base()), &value, size);
    return true;
  }
  if (addr - pio_window_base_ < pio_window_size_) return PioWrite(addr - pio_window_base_, size, value);
  const DeviceRange* d = FindRange(mmio_, addr, size);
  bool ok = d && d->dev->Write(addr - d->base, size, value);
  ++device_accesses_;
  if (observer_) observer_->OnAccess(BusObserver::Space::kMmio, true, addr, size, value, ok);
  return ok;
}

bool Bus::PioRead(uint64_t port, unsigned size, uint64_t* value) {
  const DeviceRange* d = FindRange(pio_, port, size);
  bool ok = d && d->dev->Read(port - d->base, size, value);
  if (!ok) *value = 0;
  ++device_accesses_;
  if (observer_) observer_->OnAccess(BusObserver::Space::kPio, false, port, size, *value, ok);
  return ok;
}

bool Bus::PioWrite(uint64_t port, unsigned size, uint64_t value) {
  const DeviceRange* d = FindRange(pio_, port, size);
  bool ok = d && d->dev->Write(port - d->base, size, value);
  ++device_accesses_;
  if (observer_) observer_->OnAccess(BusObserver::Space::kPio, true, port, size, value, ok);
  return ok;
}

}  // namespace tapvm
