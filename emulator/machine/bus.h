// Bus: the physical address space of the machine.
//
// Two kinds of things live on it: memory regions (RAM, ROM) backed by host
// memory that the hart's TLB may map directly, and devices reached through
// the single dispatch point Read/Write. Port I/O is a second, separate
// address space (ports, not addresses) with its own devices, reached by the
// guest through an MMIO window that the board maps (see ARCHITECTURE.md).
//
// The event tap wraps Read/Write/PioRead/PioWrite; nothing else dispatches a
// device access. The bus does not own devices; the board does.
//
// Not thread-safe: used only from the CPU thread.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/device.h"

namespace tapvm {

// Observes every device access after it happens. The event tap implements
// this; the default bus has none.
class BusObserver {
 public:
  virtual ~BusObserver() = default;
  enum class Space : uint8_t { kMmio, kPio };
  virtual void OnAccess(Space space, bool is_write, uint64_t addr, unsigned size, uint64_t value,
                        bool ok) = 0;
};

class Bus {
 public:
  // Host-backed guest memory. Its bytes can be written only through a
  // non-const region, and the bus hands those out only from
  // FindMemoryForWrite, which marks the pages.
  class MemoryRegion {
   public:
    uint64_t base() const { return base_; }
    uint64_t size() const { return size_; }
    // Whether the guest may write it (ROM may not; the board fills ROM
    // through host() when it builds the machine).
    bool writable() const { return writable_; }
    const uint8_t* host() const { return storage_.get(); }
    uint8_t* host() { return storage_.get(); }
    // Writable regions keep one bit per 4 KiB page, set once a writable
    // host pointer into the page has been handed out, which every write to
    // RAM needs. A page whose bit is clear still holds the zeros it started
    // with, so the state digest skips it without reading it (first reads
    // of untouched pages are what cost, not the hashing). ROM keeps none
    // and is hashed whole.
    bool tracks_pages() const { return !touched_.empty(); }
    bool Touched(uint64_t page_index) const { return (touched_[page_index / 64] >> (page_index % 64)) & 1; }
    // The dirty-page tracker (incremental checkpoints): a second bit per
    // page, set with the touched bit, cleared by Bus::ClearDirty. A page
    // whose bit is clear has not been written since. This holds only if
    // nothing keeps a writable pointer across ClearDirty: the hart's write
    // TLB does, so ClearDirty's caller drops it too (Hart::DropWriteTlbs);
    // every other writer asks FindMemoryForWrite per access.
    bool Dirty(uint64_t page_index) const { return (dirty_[page_index / 64] >> (page_index % 64)) & 1; }
    // The same once more for the state digest's page-hash cache
    // (Board::ComputeDigest): set with the touched bit, cleared by
    // Bus::ClearRehash, under the same rule about writable pointers.
    bool Rehash(uint64_t page_index) const { return (rehash_[page_index / 64] >> (page_index % 64)) & 1; }
    // The code watch (Bus::WatchCode) holds for the same reason: a writable
    // pointer kept across WatchCode would write unseen, so WatchCode says
    // when one may exist and its caller drops it.

   private:
    friend class Bus;
    struct Free {
      void operator()(uint8_t* p) const { std::free(p); }
    };
    void MarkTouched(uint64_t offset, uint64_t len);

    uint64_t base_ = 0;
    uint64_t size_ = 0;
    bool writable_ = true;
    // calloc'd: the host hands out zero pages lazily, so a large guest RAM
    // costs nothing until the guest touches it.
    std::unique_ptr<uint8_t, Free> storage_;
    std::vector<uint64_t> touched_;
    std::vector<uint64_t> dirty_;
    std::vector<uint64_t> rehash_;
    // The code watch: a page's bit is set while it is watched; set in
    // handed_out_ whenever a writable pointer into the page is handed out.
    std::vector<uint64_t> code_watch_;
    std::vector<uint64_t> handed_out_;
    // Watched pages written since, as offsets (each listed once per watch),
    // and whether some were not listed (the list was full).
    std::vector<uint64_t> written_code_;
    bool written_code_overflow_ = false;
  };
  static constexpr uint64_t kPageSize = 4096;
  // Whether the kPageSize bytes at `p` are all zero.
  static bool IsZeroPage(const uint8_t* p);

  Bus() = default;
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Adds zero-filled host-backed memory. Regions must not overlap anything.
  Status AddMemory(uint64_t base, uint64_t size, bool writable);
  // Registers `dev` for [base, base+size) in the MMIO space.
  Status AddMmio(uint64_t base, uint64_t size, Device* dev);
  // Registers `dev` for ports [port, port+size) in the port-I/O space.
  Status AddPio(uint64_t port, uint64_t size, Device* dev);
  // Maps the port-I/O space into MMIO at [base, base+size): an access at
  // base + N is an access to port N (observed as port I/O).
  Status SetPioWindow(uint64_t base, uint64_t size);

  // The memory region containing [addr, addr+len), or nullptr. No side
  // effect: for callers that only read guest memory (loads, instruction
  // fetch, page-table reads, device reads of guest buffers, the digest, a
  // debugger).
  const MemoryRegion* FindMemory(uint64_t addr, uint64_t len = 1) const;
  // The same region, for callers that may write through its host pointer
  // in [addr, addr+len) and nowhere else: marks those pages touched, so the
  // digest reads them: a page is hashed if anything may have written it.
  MemoryRegion* FindMemoryForWrite(uint64_t addr, uint64_t len = 1);
  // Host pointer for [addr, addr+len) if it lies inside one memory region:
  // read-only and without side effect, or writable and marking, as above.
  const uint8_t* HostPtr(uint64_t addr, uint64_t len) const {
    const MemoryRegion* r = FindMemory(addr, len);
    return r ? r->host() + (addr - r->base()) : nullptr;
  }
  uint8_t* HostPtrForWrite(uint64_t addr, uint64_t len) {
    MemoryRegion* r = FindMemoryForWrite(addr, len);
    return r ? r->host() + (addr - r->base()) : nullptr;
  }
  const std::vector<MemoryRegion>& memory() const { return memory_; }
  // Forgets which pages were written (Dirty() turns false everywhere).
  void ClearDirty();
  // The same for Rehash().
  void ClearRehash();
  // The code watch, for a hart that caches decoded instructions: after
  // WatchCode(pa_page), the first writable pointer handed out into that
  // page (a store's slow path, an AMO, a device's DMA, a restore) ends the
  // watch and lists the page for TakeWrittenCode. So fence.i need drop only
  // the decoded pages listed, not all of them.
  // Returns whether a writable pointer into the page was handed out since
  // its last WatchCode: then one may still be held (a write TLB entry), and
  // the caller must drop it, or writes through it would go unseen. Pages
  // outside writable RAM are never written by the guest: false, no watch.
  bool WatchCode(uint64_t pa_page);
  // Appends the guest-physical addresses of the pages written since
  // watched to *pages and forgets them. Returns false if some were not
  // recorded (more than kMaxWrittenCode since the last call): then the
  // caller must treat every watched page as written.
  bool TakeWrittenCode(std::vector<uint64_t>* pages);
  static constexpr size_t kMaxWrittenCode = 4096;

  // Checkpoint restore: sets the 4 KiB page at `addr` (page aligned, in a
  // memory region, ROM included: a restore is not a guest write) to
  // `bytes`, or to zeros when `bytes` is empty, marking it touched and
  // dirty. False when no region holds the page or `bytes` is not a page.
  bool RestorePage(uint64_t addr, std::span<const uint8_t> bytes);

  // Device dispatch. Returns false on an unmapped address or a device
  // refusal; the hart turns that into an access fault. Also used for memory
  // when the hart takes the slow path (misaligned, not in TLB).
  bool Read(uint64_t addr, unsigned size, uint64_t* value);
  bool Write(uint64_t addr, unsigned size, uint64_t value);
  bool PioRead(uint64_t port, unsigned size, uint64_t* value);
  bool PioWrite(uint64_t port, unsigned size, uint64_t value);

  void set_observer(BusObserver* obs) { observer_ = obs; }

  // Counts device accesses, so the CPU loop can end a slice after one (a
  // device write may change interrupt state or timer deadlines).
  uint64_t device_access_count() const { return device_accesses_; }

 private:
  struct DeviceRange {
    uint64_t base;
    uint64_t size;
    Device* dev;
  };
  static const DeviceRange* FindRange(const std::vector<DeviceRange>& v, uint64_t addr, unsigned size);
  bool Overlaps(uint64_t base, uint64_t size) const;

  std::vector<MemoryRegion> memory_;
  std::vector<DeviceRange> mmio_;
  std::vector<DeviceRange> pio_;
  uint64_t pio_window_base_ = 0, pio_window_size_ = 0;
  BusObserver* observer_ = nullptr;
  uint64_t device_accesses_ = 0;
};

}  // namespace tapvm
