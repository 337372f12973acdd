// SifiveTest: the "sifive,test0" finisher of the virt board (at 0x100000),
// through which a guest asks the machine to stop or reset.
//
// A write at offset 0 is a command; its low 16 bits select it:
//   0x5555              pass (exit status 0)
//   0x3333              fail, with the code in bits 31..16
//   0x7777              reset the machine
// other values, and writes at other offsets, are ignored. Reads return 0.
// As on QEMU, only aligned 2- and 4-byte accesses are accepted (any other
// size or a misaligned access returns false); a 2-byte write therefore
// carries a command with code 0.
//
// The device only records the request; the machine polls request() after
// device accesses, acts on it and calls Clear(). The first request stands
// until it is cleared: a guest cannot overwrite a pass with a later fail
// before the machine has seen it.
//
// Not thread-safe: CPU thread only.
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/machine/device.h"

namespace tapvm {

struct FinishRequest {
  enum Kind : uint32_t { kNone, kPass, kFail, kReset } kind = kNone;
  uint32_t code = 0;  // the guest's failure code (kFail only)
};

class SifiveTest : public Device {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kPass = 0x5555, kFail = 0x3333, kReset = 0x7777;

  // Plain data: saved, restored and hashed as it is.
  struct State {
    FinishRequest request;
  };

  std::string_view name() const override { return "sifive_test"; }
  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override { w.Put(state_.request.kind).Put(state_.request.code); }
  Status LoadState(StateReader& r) override;
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override;
  bool Write(uint64_t offset, unsigned size, uint64_t value) override;

  FinishRequest request() const { return state_.request; }
  void Clear() { state_.request = FinishRequest{}; }

  const State& state() const { return state_; }

 private:
  static bool Valid(uint64_t offset, unsigned size) {
    return (size == 2 || size == 4) && (offset & (size - 1)) == 0 && offset < kSize;
  }

  State state_{};
};

}  // namespace tapvm
