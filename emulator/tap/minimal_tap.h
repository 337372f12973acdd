// MinimalTap: an event tap with no host backends. Console output goes to a
// callback; no input ever arrives; idle time warps straight to the next
// timer deadline. Enough for bare-metal programs that only print, and for
// unit tests; block, network and entropy requests are never answered.
#pragma once

#include <functional>

#include "emulator/tap.h"

namespace tapvm {

class MinimalTap : public EventTap {
 public:
  using ConsoleFn = std::function<void(std::span<const uint8_t>)>;
  explicit MinimalTap(ConsoleFn console = nullptr) : console_(std::move(console)) {}

  void AttachDevice(TapDeviceId, TapInputSink*) override {}
  void SubmitBlock(BlockRequest) override {}
  void TransmitFrame(TapDeviceId, std::span<const uint8_t>) override {}
  void RequestEntropy(TapDeviceId, uint32_t) override {}
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t> bytes) override {
    if (console_) console_(bytes);
  }
  unsigned DeliverDue(uint64_t) override { return 0; }

 private:
  ConsoleFn console_;
};

}  // namespace tapvm
