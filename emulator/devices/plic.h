// Plic: the platform-level interrupt controller of the virt board (SiFive
// PLIC layout, as QEMU's virt machine maps it at 0xc000000).
//
// Sources 1..num_sources-1 (source 0 does not exist: its priority, pending
// and enable bits are hardwired to 0). Two contexts, both on hart 0:
// context 0 drives mip.MEIP, context 1 drives mip.SEIP.
//
// Registers (all 32-bit):
//   0x000000 + 4*src              priority, WARL 0..7 (the value mod 8)
//   0x001000 + 4*word             pending bits, read-only (writes ignored)
//   0x002000 + 0x80*ctx + 4*word  enable bits of context ctx
//   0x200000 + 0x1000*ctx         priority threshold, WARL 0..7
//   0x200004 + 0x1000*ctx         claim (read) / complete (write)
// Like QEMU, only aligned 4-byte accesses are accepted; anything else returns
// false (access fault). Any other aligned word in the 0x4000000 range (absent
// sources, words and contexts, reserved gaps) reads 0 and ignores writes.
//
// Gateway (level-triggered, one per source, shared by the contexts): a
// source is pending exactly while its line is high and it is not in service.
// A claim returns the pending source enabled for the context with the
// highest priority above the context's threshold (ties: lowest id), clears
// its pending bit and puts it in service; 0 when there is none. A complete
// of a source id takes it out of service, and it is pending again at once
// if its line is still high. As on QEMU, a complete is accepted whatever
// the context's enables are, and completing a source that is not in service
// does nothing. A line that drops while pending withdraws the request (QEMU
// does the same), so a claim does not return a source that no longer asks.
//
// A context's output (MEIP/SEIP) is high while a claim would return non-zero.
// Outputs are re-evaluated after every change and the hart's line is driven
// only when the level changes.
//
// Not thread-safe: CPU thread only. The HartPort must outlive the Plic and be
// usable from the constructor on.
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/machine/device.h"

namespace tapvm {

class Plic : public Device, public IrqSink {
 public:
  static constexpr uint64_t kSize = 0x4000000;
  static constexpr unsigned kMaxSources = 1024;  // the PLIC spec's limit
  static constexpr unsigned kWords = kMaxSources / 32;
  static constexpr unsigned kNumContexts = 2;
  static constexpr uint32_t kPriorityMask = 7;

  static constexpr uint64_t kPendingBase = 0x1000;
  static constexpr uint64_t kEnableBase = 0x2000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x200000;
  static constexpr uint64_t kContextStride = 0x1000;

  // Plain data: saved, restored and hashed as it is. Bit arrays are indexed
  // by source id (bit s%32 of word s/32).
  struct State {
    uint32_t priority[kMaxSources];
    uint32_t line[kWords];     // input line levels
    uint32_t pending[kWords];  // == line & ~in_service, kept explicitly
    uint32_t in_service[kWords];
    uint32_t enable[kNumContexts][kWords];
    uint32_t threshold[kNumContexts];
    uint8_t output[kNumContexts];  // the level last driven to the hart
  };

  // `num_sources` counts source 0; it is clamped to [1, kMaxSources].
  explicit Plic(HartPort* hart, unsigned num_sources = 96);

  // Back to the reset state (everything 0, lines low) and drives both
  // outputs low.
  void Reset();

  std::string_view name() const override { return "plic"; }
  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override;
  bool Write(uint64_t offset, unsigned size, uint64_t value) override;

  // IrqSink: a device drives source `line` (1..num_sources-1; others are
  // ignored).
  void SetIrq(unsigned line, bool level) override;

  unsigned num_sources() const { return num_sources_; }
  const State& state() const { return state_; }

 private:
  // The source a claim on `ctx` would return, or 0.
  unsigned Best(unsigned ctx) const;
  uint32_t Claim(unsigned ctx);
  void Complete(uint32_t source);
  // Recomputes the pending bit of `source` from its line and service state.
  void UpdatePending(unsigned source);
  // Re-evaluates both outputs and drives the hart lines that changed.
  void UpdateOutputs();
  // Mask of the valid source bits in word `w` (source 0 and ids past
  // num_sources_ are 0).
  uint32_t WordMask(unsigned w) const;
  unsigned NumWords() const { return (num_sources_ + 31) / 32; }

  HartPort* hart_;
  unsigned num_sources_;
  State state_{};
};

}  // namespace tapvm
