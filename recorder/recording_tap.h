// RecordingTap: the record mode of the event tap.
//
// It runs the machine exactly as run mode does (every request and idle
// decision goes to the wrapped pass-through tap and its host backends) and
// journals, with the instruction count at which it happened:
//   - every input delivered to a device (through the pass-through tap's
//     input observer, just before delivery), and every clock warp taken
//     while the guest idled: what replay needs to reproduce the run;
//   - every request and observation (device accesses, block requests,
//     frames sent, entropy requests, console output, interrupt lines, state
//     digests): what replay compares to find a divergence.
//
// Events go to a JournalPump, which writes them on its own thread.
// Journal errors (disk full...) do not stop the machine: the first one is
// kept in status() and later events are dropped; the caller reports it.
// Not thread-safe: CPU thread only (the pass-through tap's own threads never
// call into it).
#pragma once

#include <cstdint>

#include "emulator/base/status.h"
#include "emulator/tap.h"
#include "emulator/tap/backends/passthrough_tap.h"
#include "journal/event.h"
#include "recorder/journal_pump.h"

namespace tapvm {

class RecordingTap : public EventTap {
 public:
  // Both must outlive the tap. Installs itself as `inner`'s input observer.
  RecordingTap(PassthroughTap* inner, JournalPump* journal);

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { inner_->AttachDevice(dev, sink); }
  void SubmitBlock(BlockRequest request) override;
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override;
  void ObserveIrq(unsigned line, bool level) override;
  void ObserveDigest(const MachineDigest& digest) override;
  unsigned DeliverDue(uint64_t icount) override { return inner_->DeliverDue(icount); }
  bool InputPending() const override { return inner_->InputPending(); }
  bool WaitForInput(uint64_t host_timeout_ns) override { return inner_->WaitForInput(host_timeout_ns); }
  uint64_t Idle(uint64_t now, uint64_t deadline) override;

  // The first journal error, if any.
  const Status& status() const { return status_; }
  uint64_t events() const { return events_; }

 private:
  void Append(journal::EventBody body);
  void Append(journal::Event event);

  PassthroughTap* inner_;
  JournalPump* journal_;
  Status status_;
  uint64_t events_ = 0;
};

}  // namespace tapvm
