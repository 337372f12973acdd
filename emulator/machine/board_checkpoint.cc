// Board: capturing and restoring checkpoints (board.h, checkpoint.h).
#include <algorithm>
#include <cstring>
#include <string>

#include "emulator/machine/board.h"

namespace tapvm {

namespace {

std::string Hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
// The memory regions in address order, as checkpoint pages are.
std::vector<const Bus::MemoryRegion*> RegionsByAddress(const Bus& bus) {
  std::vector<const Bus::MemoryRegion*> out;
  for (const Bus::MemoryRegion& m : bus.memory()) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->base() < b->base(); });
  return out;
}

}  // namespace

MachineCheckpoint::KeyValues Board::identity() const {
  MachineCheckpoint::KeyValues id;
  for (const Bus::MemoryRegion& m : bus_.memory())
    id.emplace_back(m.writable() ? "ram" : "rom", Hex(m.base()) + "+" + Hex(m.size()));
  std::string devices = std::string(clint_->name()) + "," + std::string(plic_->name()) + "," +
                        std::string(uart_->name()) + "," + std::string(finisher_->name()) + "," +
                        std::string(debug_exit_->name());
  for (const Device* d : virtio_devices_) devices += "," + std::string(d->name());
  for (const auto& m : timed_models_) devices += "," + std::string(m->name());
  id.emplace_back("devices", devices);
  id.emplace_back("time_shift", std::to_string(hart_->config().time_shift));
  id.emplace_back("digest_interval", std::to_string(config_.digest_interval));
  id.insert(id.end(), extra_identity_.begin(), extra_identity_.end());
  return id;
}

bool Board::MayHoldData(const Bus::MemoryRegion& m, uint64_t index) {
  return !m.tracks_pages() || m.Touched(index);
}

Status Board::SaveCheckpoint(MachineCheckpoint::Kind kind, MachineCheckpoint* out) {
  const bool incremental = kind == MachineCheckpoint::Kind::kIncremental;
  if (incremental && !has_checkpoint_base_)
    return Status::InvalidArgument("an incremental checkpoint needs an earlier checkpoint on this machine");
  MachineCheckpoint c;
  c.kind = kind;
  c.icount = hart_->state().icount;
  c.parent_icount = incremental ? checkpoint_base_icount_ : 0;
  c.identity = identity();
  c.identity_hash = IdentityHash(c.identity);
  StateWriter hw;
  hart_->SaveState(hw);
  c.hart = hw.Take();
  StateWriter dw;
  SaveDevices(dw);
  c.devices = dw.Take();
  for (const Bus::MemoryRegion* region : RegionsByAddress(bus_)) {
    const Bus::MemoryRegion& m = *region;
    const uint64_t pages = m.size() / Bus::kPageSize;
    for (uint64_t i = 0; i < pages; ++i) {
      // Incremental: what was written since the base, zeros included (a
      // page cleared since must be cleared on restore). ROM is never
      // written after the machine is built: only full checkpoints hold it.
      if (incremental ? !(m.tracks_pages() && m.Dirty(i)) : !MayHoldData(m, i)) continue;
      const uint8_t* p = m.host() + i * Bus::kPageSize;
      const bool zero = Bus::IsZeroPage(p);
      if (zero && !incremental) continue;
      CheckpointPage page;
      page.addr = m.base() + i * Bus::kPageSize;
      if (!zero) page.bytes.assign(p, p + Bus::kPageSize);
      c.pages.push_back(std::move(page));
    }
  }
  // The next interval starts now: stores that hit the write TLB would
  // not be seen, so every page's first store takes the slow path again.
  bus_.ClearDirty();
  hart_->DropWriteTlbs();
  has_checkpoint_base_ = true;
  checkpoint_base_icount_ = c.icount;
  *out = std::move(c);
  return Status::Ok();
}

Status Board::RestoreCheckpoint(const MachineCheckpoint& c) {
  if (c.kind != MachineCheckpoint::Kind::kFull)
    return Status::InvalidArgument("an incremental checkpoint is restored through its full one (ApplyIncrement)");
  const MachineCheckpoint::KeyValues here = identity();
  if (c.identity_hash != IdentityHash(here) || c.identity != here) {
    std::string diff = IdentityDifference(c.identity, here);
    return Status::InvalidArgument("the checkpoint is from another machine: " +
                                   (diff.empty() ? std::string("its identity hash differs") : diff));
  }
  for (const CheckpointPage& p : c.pages) {
    if (!bus_.FindMemory(p.addr, Bus::kPageSize))
      return Status::Corruption("checkpoint page " + Hex(p.addr) + " is outside this machine's memory");
    if (!p.bytes.empty() && p.bytes.size() != Bus::kPageSize)
      return Status::Corruption("checkpoint page " + Hex(p.addr) + " is not 4 KiB");
  }
  // The hart first: it changes nothing unless all of it is good.
  StateReader hr(c.hart, "checkpoint hart");
  TAPVM_RETURN_IF_ERROR(hart_->LoadState(hr));
  if (!hr.at_end()) return Status::Corruption("checkpoint hart: " + std::to_string(hr.remaining()) + " bytes left");
  StateReader dr(c.devices, "checkpoint devices");
  TAPVM_RETURN_IF_ERROR(LoadDevices(dr));
  // RAM: the listed pages; every other page that may hold data becomes
  // zeros (the board was built with images loaded, or ran on).
  size_t next = 0;
  for (const Bus::MemoryRegion* region : RegionsByAddress(bus_)) {
    const Bus::MemoryRegion& m = *region;
    const uint64_t pages = m.size() / Bus::kPageSize;
    for (uint64_t i = 0; i < pages; ++i) {
      const uint64_t addr = m.base() + i * Bus::kPageSize;
      while (next < c.pages.size() && c.pages[next].addr < addr) ++next;
      if (next < c.pages.size() && c.pages[next].addr == addr) {
        bus_.RestorePage(addr, c.pages[next].bytes);
      } else if (MayHoldData(m, i) && !Bus::IsZeroPage(m.host() + i * Bus::kPageSize)) {
        bus_.RestorePage(addr, {});
      }
    }
  }
  // Nothing decoded or translated from the old RAM may survive.
  hart_->FlushCaches();
  bus_.ClearDirty();
  has_checkpoint_base_ = true;
  checkpoint_base_icount_ = c.icount;
  return Status::Ok();
}

void Board::ResubmitInFlight() {
  for (auto& m : virtio_models_) m->ResubmitInFlight();
}

}  // namespace tapvm
