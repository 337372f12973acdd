#include "emulator/devices/virtio/virtqueue.h"

#include <algorithm>
#include <cstring>

namespace tapvm {

namespace {

std::string Hex(uint64_t v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xf]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

// [gpa, gpa+len) inside one memory region, writable if asked. len 0 is
// accepted anywhere: nothing is accessed.
bool InRam(const Bus& bus, uint64_t gpa, uint64_t len, bool writable) {
  if (len == 0) return true;
  const Bus::MemoryRegion* r = bus.FindMemory(gpa, len);
  return r && (!writable || r->writable());
}

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};

}  // namespace

// ------------------------------------------------------------- VirtqChain

size_t VirtqChain::CopyFrom(const Bus& bus, uint64_t offset, std::span<uint8_t> out) const {
  size_t done = 0;
  for (const VirtqSegment& s : segments) {
    if (done == out.size() || s.writable) break;
    if (offset >= s.len) {
      offset -= s.len;
      continue;
    }
    const uint64_t n = std::min<uint64_t>(s.len - offset, out.size() - done);
    const uint8_t* src = bus.HostPtr(s.gpa + offset, n);
    if (!src) break;
    std::memcpy(out.data() + done, src, n);
    done += n;
    offset = 0;
  }
  return done;
}

size_t VirtqChain::CopyTo(Bus& bus, uint64_t offset, std::span<const uint8_t> in) const {
  size_t done = 0;
  for (const VirtqSegment& s : segments) {
    if (done == in.size()) break;
    if (!s.writable) continue;
    if (offset >= s.len) {
      offset -= s.len;
      continue;
    }
    const uint64_t n = std::min<uint64_t>(s.len - offset, in.size() - done);
    Bus::MemoryRegion* r = bus.FindMemoryForWrite(s.gpa + offset, n);
    if (!r || !r->writable()) break;
    std::memcpy(r->host() + (s.gpa + offset - r->base()), in.data() + done, n);
    done += n;
    offset = 0;
  }
  return done;
}

// -------------------------------------------------------------- Virtqueue

Virtqueue::Virtqueue(Bus* bus, uint16_t max_size) : bus_(bus), max_size_(max_size) {}

void Virtqueue::Reset() { state_ = State{}; }

std::string Virtqueue::SetSize(uint32_t num) {
  if (num == 0 || num > max_size_ || (num & (num - 1)) != 0)
    return "queue size " + std::to_string(num) + " is not a power of 2 in 1.." + std::to_string(max_size_);
  state_.size = static_cast<uint16_t>(num);
  return {};
}

void Virtqueue::SetFeatures(bool indirect, bool event_idx) {
  state_.indirect = indirect;
  state_.event_idx = event_idx;
}

std::string Virtqueue::Enable(bool indirect, bool event_idx) {
  const uint64_t n = state_.size;
  if (n == 0) return "queue enabled without a size";
  // Alignments and sizes of virtio 1.2 §2.7 (the event fields included,
  // whether or not EVENT_IDX is negotiated: the driver allocates them).
  if (state_.desc_addr % 16 || !InRam(*bus_, state_.desc_addr, 16 * n, false))
    return "descriptor table at " + Hex(state_.desc_addr) + " is misaligned or outside RAM";
  if (state_.driver_addr % 2 || !InRam(*bus_, state_.driver_addr, 6 + 2 * n, false))
    return "available ring at " + Hex(state_.driver_addr) + " is misaligned or outside RAM";
  if (state_.device_addr % 4 || !InRam(*bus_, state_.device_addr, 6 + 8 * n, true))
    return "used ring at " + Hex(state_.device_addr) + " is misaligned or outside writable RAM";
  state_.ready = 1;
  state_.last_avail_idx = state_.used_idx = state_.signalled_used = state_.in_flight = 0;
  SetFeatures(indirect, event_idx);
  return {};
}

bool Virtqueue::Load16(uint64_t gpa, uint16_t* v) const {
  const uint8_t* p = bus_->HostPtr(gpa, 2);
  if (!p) return false;
  std::memcpy(v, p, 2);  // little-endian host, little-endian ring
  return true;
}

bool Virtqueue::Store16(uint64_t gpa, uint16_t v) const {
  uint8_t* p = bus_->HostPtrForWrite(gpa, 2);
  if (!p) return false;
  std::memcpy(p, &v, 2);
  return true;
}

bool Virtqueue::Store32(uint64_t gpa, uint32_t v) const {
  uint8_t* p = bus_->HostPtrForWrite(gpa, 4);
  if (!p) return false;
  std::memcpy(p, &v, 4);
  return true;
}

Virtqueue::PopResult Virtqueue::Pop(VirtqChain* chain, std::string* error) {
  chain->segments.clear();
  chain->readable_bytes = chain->writable_bytes = 0;
  if (!state_.ready) return PopResult::kEmpty;
  const uint16_t n = state_.size;
  uint16_t avail_idx = 0;
  if (!Load16(state_.driver_addr + 2, &avail_idx)) {
    *error = "available ring is outside RAM";
    return PopResult::kError;
  }
  const uint16_t pending = static_cast<uint16_t>(avail_idx - state_.last_avail_idx);
  if (pending > n) {
    *error = "available index " + std::to_string(avail_idx) + " is " + std::to_string(pending) +
             " entries ahead of the device (queue size " + std::to_string(n) + ")";
    return PopResult::kError;
  }
  if (pending == 0) {
    // Ask to be told about the next entry (re-armed on every pop).
    if (state_.event_idx) Store16(AvailEventAddr(), state_.last_avail_idx);
    return PopResult::kEmpty;
  }
  if (state_.in_flight >= n) {
    *error = "more than " + std::to_string(n) + " chains in flight";
    return PopResult::kError;
  }
  uint16_t head = 0;
  if (!Load16(state_.driver_addr + 4 + 2ull * (state_.last_avail_idx % n), &head)) {
    *error = "available ring is outside RAM";
    return PopResult::kError;
  }
  ++state_.last_avail_idx;
  if (state_.event_idx) Store16(AvailEventAddr(), state_.last_avail_idx);
  const PopResult r = WalkChain(head, chain, error);
  if (r == PopResult::kChain) ++state_.in_flight;
  return r;
}

Virtqueue::PopResult Virtqueue::WalkChain(uint16_t head, VirtqChain* chain, std::string* error) const {
  auto fail = [&](const std::string& why) {
    *error = "chain " + std::to_string(head) + ": " + why;
    chain->segments.clear();
    return PopResult::kError;
  };
  chain->head = head;
  uint64_t table = state_.desc_addr;
  uint32_t table_entries = state_.size;
  bool in_indirect = false;
  bool seen_writable = false;
  uint32_t index = head;
  uint32_t count = 0;
  if (head >= state_.size) return fail("head index out of range (queue size " + std::to_string(state_.size) + ")");
  for (;;) {
    if (++count > table_entries)
      return fail(std::string("longer than its ") + (in_indirect ? "indirect table" : "queue") + " (" +
                  std::to_string(table_entries) + " descriptors): a loop?");
    const uint8_t* p = bus_->HostPtr(table + uint64_t{kDescSize} * index, kDescSize);
    if (!p) return fail("descriptor table is outside RAM");
    Desc d;
    std::memcpy(&d.addr, p, 8);
    std::memcpy(&d.len, p + 8, 4);
    std::memcpy(&d.flags, p + 12, 2);
    std::memcpy(&d.next, p + 14, 2);

    if (d.flags & kDescFIndirect) {
      // The WRITE flag of the descriptor naming the table is ignored (§2.7.5.3.2).
      if (!state_.indirect) return fail("INDIRECT descriptor without VIRTIO_F_RING_INDIRECT_DESC");
      if (in_indirect) return fail("INDIRECT descriptor inside an indirect table");
      if (d.flags & kDescFNext) return fail("INDIRECT together with NEXT");
      if (d.len == 0 || d.len % kDescSize != 0)
        return fail("indirect table length " + std::to_string(d.len) + " is not a non-zero multiple of 16");
      if (d.len / kDescSize > kMaxIndirectEntries)
        return fail("indirect table of " + std::to_string(d.len / kDescSize) + " entries (limit " +
                    std::to_string(kMaxIndirectEntries) + ")");
      if (!InRam(*bus_, d.addr, d.len, false)) return fail("indirect table at " + Hex(d.addr) + " is outside RAM");
      table = d.addr;
      table_entries = d.len / kDescSize;
      in_indirect = true;
      index = 0;
      count = 0;
      continue;
    }

    const bool writable = (d.flags & kDescFWrite) != 0;
    if (d.addr + d.len < d.addr) return fail("buffer " + Hex(d.addr) + "+" + Hex(d.len) + " wraps");
    if (writable) {
      if (!InRam(*bus_, d.addr, d.len, true))
        return fail("writable buffer " + Hex(d.addr) + "+" + Hex(d.len) + " is outside writable RAM");
      seen_writable = true;
    } else {
      if (seen_writable) return fail("device-readable descriptor after a device-writable one");
      if (!InRam(*bus_, d.addr, d.len, false))
        return fail("buffer " + Hex(d.addr) + "+" + Hex(d.len) + " is outside RAM");
    }
    if (d.len) {
      chain->segments.push_back({d.addr, d.len, writable});
      (writable ? chain->writable_bytes : chain->readable_bytes) += d.len;
    }
    if (!(d.flags & kDescFNext)) return PopResult::kChain;
    if (d.next >= table_entries)
      return fail("next index " + std::to_string(d.next) + " out of range (" + std::to_string(table_entries) +
                  " descriptors)");
    index = d.next;
  }
}

bool Virtqueue::Push(uint16_t head, uint32_t len, std::string* error) {
  if (!state_.ready || state_.in_flight == 0) {
    *error = "used buffer pushed with no chain in flight";
    return false;
  }
  const uint64_t elem = state_.device_addr + 4 + 8ull * (state_.used_idx % state_.size);
  if (!Store32(elem, head) || !Store32(elem + 4, len)) {
    *error = "used ring is outside RAM";
    return false;
  }
  ++state_.used_idx;
  Store16(state_.device_addr + 2, state_.used_idx);
  --state_.in_flight;
  return true;
}

bool Virtqueue::ShouldInterrupt() {
  const uint16_t new_idx = state_.used_idx;
  const uint16_t old_idx = state_.signalled_used;
  state_.signalled_used = new_idx;
  if (!state_.ready || new_idx == old_idx) return false;
  if (state_.event_idx) {
    // Interrupt when used_event lies in [old_idx, new_idx) (virtio 1.2
    // §2.7.10, the vring_need_event rule, in 16-bit arithmetic).
    uint16_t used_event = 0;
    if (!Load16(UsedEventAddr(), &used_event)) return true;
    return static_cast<uint16_t>(new_idx - used_event - 1) < static_cast<uint16_t>(new_idx - old_idx);
  }
  uint16_t flags = 0;
  if (!Load16(state_.driver_addr, &flags)) return true;
  return (flags & kAvailFNoInterrupt) == 0;
}

void VirtqChain::HashState(StateHasher& h) const {
  h.Add(head).Add(segments.size());
  for (const VirtqSegment& s : segments) h.Add(s.gpa).Add(s.len).Add(s.writable);
}

void VirtqChain::SaveState(StateWriter& w) const {
  w.Put(head).Put<uint64_t>(segments.size());
  for (const VirtqSegment& s : segments) w.Put(s.gpa).Put(s.len).Bool(s.writable);
}

bool VirtqChain::LoadState(StateReader& r, VirtqChain* out) {
  VirtqChain c;
  r.Get(&c.head);
  const uint64_t n = r.Count(Virtqueue::kMaxQueueSize + Virtqueue::kMaxIndirectEntries, 13);
  c.segments.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    VirtqSegment s;
    r.Get(&s.gpa);
    r.Get(&s.len);
    s.writable = r.Bool();
    if (!s.writable && c.writable_bytes) r.Fail("a device-readable segment after a device-writable one");
    (s.writable ? c.writable_bytes : c.readable_bytes) += s.len;
    c.segments.push_back(s);
  }
  if (!r.ok()) return false;
  *out = std::move(c);
  return true;
}

void Virtqueue::SaveState(StateWriter& w) const {
  const State& s = state_;
  w.Put(max_size_).Put(s.desc_addr).Put(s.driver_addr).Put(s.device_addr).Put(s.size).Put(s.ready);
  w.Put(s.indirect).Put(s.event_idx).Put(s.last_avail_idx).Put(s.used_idx).Put(s.signalled_used).Put(s.in_flight);
}

bool Virtqueue::ReadState(StateReader& r, State* out) const {
  State s{};
  if (r.Get<uint16_t>() != max_size_ && r.ok()) r.Fail("a queue of another maximum size");
  r.Get(&s.desc_addr);
  r.Get(&s.driver_addr);
  r.Get(&s.device_addr);
  r.Get(&s.size);
  r.Get(&s.ready);
  r.Get(&s.indirect);
  r.Get(&s.event_idx);
  r.Get(&s.last_avail_idx);
  r.Get(&s.used_idx);
  r.Get(&s.signalled_used);
  r.Get(&s.in_flight);
  if (!r.ok()) return false;
  if (s.ready > 1 || s.indirect > 1 || s.event_idx > 1) r.Fail("a queue flag is not 0 or 1");
  if (s.size > max_size_ || (s.size & (s.size - 1)) != 0) r.Fail("queue size " + std::to_string(s.size) + " is invalid");
  if (s.ready && s.size == 0) r.Fail("a ready queue without a size");
  if (s.in_flight > s.size) r.Fail("more chains in flight than the queue holds");
  if (!r.ok()) return false;
  *out = s;
  return true;
}

void Virtqueue::HashState(StateHasher& h) const {
  const State& s = state_;
  h.Add(max_size_).Add(s.desc_addr).Add(s.driver_addr).Add(s.device_addr).Add(s.size).Add(s.ready);
  h.Add(s.indirect).Add(s.event_idx).Add(s.last_avail_idx).Add(s.used_idx).Add(s.signalled_used);
  h.Add(s.in_flight);
}

}  // namespace tapvm
