// ForwardingTap: a decorator's base that passes every EventTap call on to
// the tap it wraps. A decorator (the control socket's block watch, FT's
// output commit) derives from it and overrides only what it changes, so a
// call added to EventTap later reaches the inner tap through every
// decorator without each having to remember it (PlugBlock and StopIcount
// were each once dropped by a hand-written decorator).
#pragma once

#include "emulator/tap.h"

namespace tapvm {

class ForwardingTap : public EventTap {
 public:
  // `inner` must outlive this tap.
  explicit ForwardingTap(EventTap* inner) : inner_(inner) {}

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { inner_->AttachDevice(dev, sink); }
  void SubmitBlock(BlockRequest request) override { inner_->SubmitBlock(std::move(request)); }
  void PlugBlock(TapDeviceId dev) override { inner_->PlugBlock(dev); }
  void UnplugBlock(TapDeviceId dev) override { inner_->UnplugBlock(dev); }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override { inner_->TransmitFrame(dev, frame); }
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override { inner_->RequestEntropy(dev, max_bytes); }
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override { inner_->ConsoleOutput(dev, bytes); }
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override {
    inner_->ObserveIo(space, is_write, addr, size, value);
  }
  void ObserveIrq(unsigned line, bool level) override { inner_->ObserveIrq(line, level); }
  void ObserveDigest(const MachineDigest& digest) override { inner_->ObserveDigest(digest); }
  void set_icount_source(const uint64_t* icount) override {
    EventTap::set_icount_source(icount);
    inner_->set_icount_source(icount);
  }
  unsigned DeliverDue(uint64_t icount) override { return inner_->DeliverDue(icount); }
  bool InputPending() const override { return inner_->InputPending(); }
  uint64_t NextInputIcount() const override { return inner_->NextInputIcount(); }
  uint64_t StopIcount() const override { return inner_->StopIcount(); }
  bool WaitForInput(uint64_t host_timeout_ns) override { return inner_->WaitForInput(host_timeout_ns); }
  void Wake() override { inner_->Wake(); }
  bool InputPossible() const override { return inner_->InputPossible(); }
  bool IdleAnswerReady() const override { return inner_->IdleAnswerReady(); }
  uint64_t Idle(uint64_t now, uint64_t deadline) override { return inner_->Idle(now, deadline); }

 protected:
  EventTap* const inner_;
};

}  // namespace tapvm
