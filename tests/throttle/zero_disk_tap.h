// ZeroDiskTap: a deterministic event tap for throttling tests. Block
// requests are answered at the next slice boundary, as if by a disk of
// zeros that forgets what is written to it; console input is queued up
// front; idle time warps straight to the next deadline. Nothing depends on
// the host, so two runs of one machine are identical to the instruction,
// and the guest-measured timings depend only on the machine's throttles.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "emulator/tap.h"

namespace tapvm::test {

class ZeroDiskTap : public EventTap {
 public:
  using ConsoleFn = std::function<void(std::span<const uint8_t>)>;
  explicit ZeroDiskTap(ConsoleFn console) : console_(std::move(console)) {}

  void TypeOnConsole(const std::string& text, TapDeviceId console_dev = 0) {
    queue_.push_back(ConsoleIn{console_dev, std::vector<uint8_t>(text.begin(), text.end())});
  }
  uint64_t requests() const { return requests_; }

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { sinks_[dev] = sink; }
  void SubmitBlock(BlockRequest r) override {
    ++requests_;
    BlockCompletion c;
    c.dev = r.dev;
    c.id = r.id;
    if (r.type == BlockRequest::Type::kRead) c.data.assign(r.length, 0);
    queue_.push_back(std::move(c));
  }
  void TransmitFrame(TapDeviceId, std::span<const uint8_t>) override {}
  void RequestEntropy(TapDeviceId dev, uint32_t) override { queue_.push_back(EntropyIn{dev, {}}); }
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t> bytes) override { console_(bytes); }
  unsigned DeliverDue(uint64_t) override {
    std::deque<TapInput> batch;
    batch.swap(queue_);
    unsigned n = 0;
    for (const TapInput& in : batch) {
      const TapDeviceId dev = std::visit([](const auto& x) { return x.dev; }, in);
      if (auto it = sinks_.find(dev); it != sinks_.end()) {
        it->second->OnInput(in);
        ++n;
      }
    }
    return n;
  }
  bool InputPending() const override { return !queue_.empty(); }
  bool InputPossible() const override { return !queue_.empty(); }
  uint64_t Idle(uint64_t now, uint64_t deadline) override { return queue_.empty() ? deadline : now; }

 private:
  ConsoleFn console_;
  std::map<TapDeviceId, TapInputSink*> sinks_;
  std::deque<TapInput> queue_;
  uint64_t requests_ = 0;
};

}  // namespace tapvm::test
