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
  struct MemoryRegion {
    uint64_t base = 0;
    uint64_t size = 0;
    bool writable = true;
    uint8_t* host = nullptr;  // owned by `storage`
    struct Free {
      void operator()(uint8_t* p) const { std::free(p); }
    };
    // calloc'd: the host hands out zero pages lazily, so a large guest RAM
    // costs nothing until the guest touches it.
    std::unique_ptr<uint8_t, Free> storage;
    // One bit per 4 KiB page of a writable region: set once a host pointer
    // into the page has been handed out (FindMemory / HostPtr), which every
    // write to RAM needs. A page whose bit is clear still holds the zeros
    // it started with, so the state digest skips it without reading it
    // (first reads of untouched pages are what cost, not the hashing).
    mutable std::vector<uint64_t> touched;
    bool Touched(uint64_t page_index) const { return (touched[page_index / 64] >> (page_index % 64)) & 1; }
  };
  static constexpr uint64_t kPageSize = 4096;

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

  // The memory region containing [addr, addr+len), or nullptr. Marks the
  // pages of [addr, addr+len) touched: callers may write through the
  // region's host pointer there, and nowhere else.
  const MemoryRegion* FindMemory(uint64_t addr, uint64_t len = 1) const;
  // Host pointer for [addr, addr+len) if it lies inside one memory region.
  uint8_t* HostPtr(uint64_t addr, uint64_t len) const {
    const MemoryRegion* r = FindMemory(addr, len);
    return r ? r->host + (addr - r->base) : nullptr;
  }
  const std::vector<MemoryRegion>& memory() const { return memory_; }

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
