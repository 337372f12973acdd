// DebugExit: a port-I/O device that ends the run with a code, like QEMU's
// isa-debug-exit: writing value v to its port asks the machine to exit with
// status (v << 1) | 1. It is the board's port-I/O device that tests use to
// show the PIO space works end to end.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "emulator/machine/device.h"

namespace tapvm {

class DebugExit : public Device {
 public:
  static constexpr uint64_t kPort = 0x501;

  std::string_view name() const override { return "debug-exit"; }
  void HashState(StateHasher& h) const override { h.Add(exit_code_.value_or(0)); }
  void SaveState(StateWriter& w) const override {
    w.Bool(exit_code_.has_value()).Put<uint32_t>(exit_code_.value_or(0));
  }
  Status LoadState(StateReader& r) override {
    const bool has = r.Bool();
    const uint32_t code = r.Get<uint32_t>();
    if (!r.ok()) return r.status();
    exit_code_ = has ? std::optional<uint32_t>(code) : std::nullopt;
    return Status::Ok();
  }
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override {
    *value = 0;
    return true;
  }
  bool Write(uint64_t offset, unsigned size, uint64_t value) override {
    if (!exit_code_) exit_code_ = static_cast<uint32_t>(((value & 0xffffffff) << 1) | 1);
    return true;
  }
  // The requested exit status, once the guest wrote the port.
  std::optional<uint32_t> exit_code() const { return exit_code_; }

 private:
  std::optional<uint32_t> exit_code_;
};

}  // namespace tapvm
