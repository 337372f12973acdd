// Clint: the core-local interruptor of the virt board (SiFive CLINT layout,
// as QEMU's virt machine maps it at 0x2000000).
//
// Registers, per hart h (only hart 0 exists; the layout leaves room for more):
//   0x0000 + 4*h   msip      32-bit; bit 0 drives mip.MSIP, other bits read 0
//   0x4000 + 8*h   mtimecmp  64-bit; 8-byte access, or 4-byte halves
//   0xbff8         mtime     64-bit; 8-byte access, or 4-byte halves
// The range is 0x10000 bytes, but like QEMU only [0, 0xc000) decodes: any
// access at 0xc000 or above, a misaligned access, a size other than 4 in the
// msip block, or a size other than 4 or 8 in the timer block returns false
// (access fault). Registers of absent harts read 0 and ignore writes.
//
// Time: mtime is the hart's virtual time (HartPort::Mtime(), derived from the
// instruction count) plus `mtime_offset`. A guest write to mtime changes only
// the offset, so mtime then reads back the value written and keeps counting.
// Every `mtime` argument of Tick/NextDeadline is the hart's time, as the hart
// passes it; the CLINT adds its offset itself.
//
// mip.MTIP is high exactly when mtime >= mtimecmp (unsigned). It is
// re-evaluated on every mtimecmp or mtime write and on Tick; NextDeadline
// tells the hart when it next would rise, so the interrupt lands at a
// deterministic instruction count. mtimecmp resets to 0 as on QEMU, so MTIP
// is high out of reset (QEMU 7.2 shows the same: firmware writes mtimecmp
// before it enables MTIE).
//
// Not thread-safe: CPU thread only. The HartPort must outlive the Clint and be
// usable from the constructor on (it drives the initial line levels).
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/machine/device.h"

namespace tapvm {

class Clint : public Device, public TimedDevice {
 public:
  static constexpr unsigned kNumHarts = 1;
  static constexpr uint64_t kSize = 0x10000;
  static constexpr uint64_t kMsipBase = 0x0;
  static constexpr uint64_t kMtimecmpBase = 0x4000;
  static constexpr uint64_t kMtimeOffset = 0xbff8;
  static constexpr uint64_t kDecodedEnd = 0xc000;

  // Everything that changes while the machine runs; plain data so it can be
  // saved, restored and hashed as it is.
  struct State {
    uint64_t mtimecmp[kNumHarts];
    uint64_t mtime_offset;  // guest mtime = hart Mtime() + mtime_offset
    uint32_t msip[kNumHarts];  // 0 or 1
    uint8_t mtip[kNumHarts];   // the MTIP level last driven to the hart
  };

  explicit Clint(HartPort* hart);

  // Back to the reset state (msip 0, mtimecmp 0, mtime = hart time) and drives
  // both lines of every hart to their reset levels.
  void Reset();

  std::string_view name() const override { return "clint"; }
  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override;
  bool Write(uint64_t offset, unsigned size, uint64_t value) override;

  void Tick(uint64_t mtime) override;
  uint64_t NextDeadline(uint64_t mtime) const override;

  // The mtime the guest sees when the hart's time is `hart_mtime`.
  uint64_t GuestMtime(uint64_t hart_mtime) const { return hart_mtime + state_.mtime_offset; }

  const State& state() const { return state_; }

 private:
  // Recomputes every hart's MTIP for hart time `hart_mtime` and drives the
  // lines that changed.
  void UpdateTimer(uint64_t hart_mtime);
  // Merges a 4- or 8-byte write at byte `lane` (0 or 4) of a 64-bit register.
  static uint64_t Merge(uint64_t old, unsigned lane, unsigned size, uint64_t value);

  HartPort* hart_;
  State state_{};
};

}  // namespace tapvm
