// RecordingTap: the record mode of the event tap, as a decorator.
//
// It wraps any tap (the run-mode PassthroughTap with its host backends; a
// replay tap that has gone live; a test double) and changes nothing about
// how the machine runs: every call is forwarded. On the way it journals,
// with the instruction count at which it happened:
//   - every input the inner tap delivers to a device (the recording tap
//     registers itself as the inner tap's sink for each device and passes
//     the input on after journaling it), and every clock warp the inner
//     tap answers to Idle: what replay needs to reproduce the run;
//   - every request and observation (device accesses, block requests,
//     frames sent, entropy requests, console output, interrupt lines, state
//     digests): what replay compares to find a divergence.
//
// Events are numbered here, 1, 2, 3... (last_seq() is the number of the
// last one journaled), and go to an EventSink (the JournalPump, or an FT
// log channel). Output commit waits on these numbers: an output reported
// as event N may leave once the log is held up to N.
//
// Journal errors (disk full...) do not stop the machine: the first one is
// kept in status() and later events are dropped; the caller reports it.
// Not thread-safe: CPU thread only, except Wake (as EventTap).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "emulator/base/status.h"
#include "emulator/tap.h"
#include "journal/event.h"
#include "recorder/event_sink.h"

namespace tapvm {

class RecordingTap : public EventTap {
 public:
  // Both must outlive the tap. Events are numbered from first_seq (a
  // recording that continues another one's events — an FT secondary gone
  // live — starts after the last seq it holds).
  RecordingTap(EventTap* inner, EventSink* sink, uint64_t first_seq = 1);
  ~RecordingTap() override;

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override;
  void SubmitBlock(BlockRequest request) override;
  // Host-side batching hints: passed on, not journaled.
  void PlugBlock(TapDeviceId dev) override { inner_->PlugBlock(dev); }
  void UnplugBlock(TapDeviceId dev) override { inner_->UnplugBlock(dev); }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override;
  void ObserveIrq(unsigned line, bool level) override;
  void ObserveDigest(const MachineDigest& digest) override;
  void set_icount_source(const uint64_t* icount) override;
  unsigned DeliverDue(uint64_t icount) override;
  bool InputPending() const override { return inner_->InputPending(); }
  uint64_t NextInputIcount() const override { return inner_->NextInputIcount(); }
  bool WaitForInput(uint64_t host_timeout_ns) override { return inner_->WaitForInput(host_timeout_ns); }
  void Wake() override { inner_->Wake(); }
  uint64_t Idle(uint64_t now, uint64_t deadline) override;
  bool IdleAnswerReady() const override { return inner_->IdleAnswerReady(); }
  bool InputPossible() const override { return inner_->InputPossible(); }

  // The first journal error, if any.
  const Status& status() const { return status_; }
  // Called once, on the CPU thread, when the first journal error is seen
  // (the recorder stops the guest: a recording that cannot be kept is not
  // worth running on).
  void set_on_error(std::function<void(const Status&)> fn) { on_error_ = std::move(fn); }
  // Events journaled by this tap; the seq of the last one journaled
  // (first_seq - 1 before any).
  uint64_t events() const { return last_seq_ - first_seq_ + 1; }
  uint64_t last_seq() const { return last_seq_; }

 private:
  class InputTee;  // journals an input, then hands it to the device
  void Append(journal::EventBody body) { Append(icount(), std::move(body)); }
  void Append(uint64_t icount, journal::EventBody body);

  EventTap* inner_;
  EventSink* sink_;
  Status status_;
  uint64_t first_seq_ = 1;
  uint64_t last_seq_ = 0;
  std::map<TapDeviceId, std::unique_ptr<InputTee>> tees_;
  std::function<void(const Status&)> on_error_;
};

}  // namespace tapvm
