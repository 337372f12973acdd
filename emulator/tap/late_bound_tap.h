// LateBoundTap: the tap a machine is built on before the tap it will run
// with can exist — a machine about to be restored from a checkpoint.
//
// Building a machine talks to its tap: devices attach themselves, the board
// sets the icount source, and devices drive their interrupt lines low,
// which the board reports as observations. A replay that starts at a
// checkpoint must not see those (the journal has them at its start, not at
// the checkpoint's position), and its tap is positioned only once the
// checkpoint is known. So: build on a LateBoundTap, restore the checkpoint,
// make the real tap, Bind it. Until Bind, attachments and the icount source
// are remembered and everything else is dropped (no input is pending, idle
// never wakes: do not Run before Bind); Bind hands the attachments and the
// icount source to the real tap, and from then on every call is forwarded.
//
// Not thread-safe before Bind; after it, as the bound tap (Wake from any
// thread once bound).
#pragma once

#include <atomic>
#include <map>

#include "emulator/tap.h"

namespace tapvm {

class LateBoundTap : public EventTap {
 public:
  // `tap` must outlive this one. Call once, on the CPU thread, between runs.
  void Bind(EventTap* tap) {
    for (const auto& [dev, sink] : sinks_) tap->AttachDevice(dev, sink);
    if (icount_source_) tap->set_icount_source(icount_source_);
    bound_.store(tap, std::memory_order_release);
  }
  EventTap* bound() const { return bound_.load(std::memory_order_acquire); }

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override {
    if (EventTap* t = bound()) return t->AttachDevice(dev, sink);
    sinks_[dev] = sink;
  }
  void set_icount_source(const uint64_t* icount) override {
    EventTap::set_icount_source(icount);
    icount_source_ = icount;
    if (EventTap* t = bound()) t->set_icount_source(icount);
  }
  void SubmitBlock(BlockRequest request) override {
    if (EventTap* t = bound()) t->SubmitBlock(std::move(request));
  }
  void PlugBlock(TapDeviceId dev) override {
    if (EventTap* t = bound()) t->PlugBlock(dev);
  }
  void UnplugBlock(TapDeviceId dev) override {
    if (EventTap* t = bound()) t->UnplugBlock(dev);
  }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override {
    if (EventTap* t = bound()) t->TransmitFrame(dev, frame);
  }
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override {
    if (EventTap* t = bound()) t->RequestEntropy(dev, max_bytes);
  }
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override {
    if (EventTap* t = bound()) t->ConsoleOutput(dev, bytes);
  }
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override {
    if (EventTap* t = bound()) t->ObserveIo(space, is_write, addr, size, value);
  }
  void ObserveIrq(unsigned line, bool level) override {
    if (EventTap* t = bound()) t->ObserveIrq(line, level);
  }
  void ObserveDigest(const MachineDigest& digest) override {
    if (EventTap* t = bound()) t->ObserveDigest(digest);
  }
  unsigned DeliverDue(uint64_t icount) override {
    EventTap* t = bound();
    return t ? t->DeliverDue(icount) : 0;
  }
  bool InputPending() const override {
    EventTap* t = bound();
    return t && t->InputPending();
  }
  uint64_t NextInputIcount() const override {
    EventTap* t = bound();
    return t ? t->NextInputIcount() : UINT64_MAX;
  }
  uint64_t StopIcount() const override {
    EventTap* t = bound();
    return t ? t->StopIcount() : UINT64_MAX;
  }
  bool WaitForInput(uint64_t host_timeout_ns) override {
    EventTap* t = bound();
    return t && t->WaitForInput(host_timeout_ns);
  }
  void Wake() override {
    if (EventTap* t = bound()) t->Wake();
  }
  bool InputPossible() const override {
    EventTap* t = bound();
    return t && t->InputPossible();
  }
  bool IdleAnswerReady() const override {
    EventTap* t = bound();
    return t && t->IdleAnswerReady();
  }
  uint64_t Idle(uint64_t now, uint64_t deadline) override {
    EventTap* t = bound();
    return t ? t->Idle(now, deadline) : UINT64_MAX;
  }

 private:
  std::atomic<EventTap*> bound_{nullptr};
  std::map<TapDeviceId, TapInputSink*> sinks_;
  const uint64_t* icount_source_ = nullptr;
};

}  // namespace tapvm
