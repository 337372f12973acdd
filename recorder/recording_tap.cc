#include "recorder/recording_tap.h"

#include "journal/tap_events.h"

namespace tapvm {

using journal::TapEvents;

// Stands between the inner tap and a device: the inner tap delivers to the
// tee, which journals the input at the icount of the delivery, then hands
// it on. Inputs dropped by the inner tap (no sink) never reach a tee, so
// only what a device actually consumed is journaled.
class RecordingTap::InputTee : public TapInputSink {
 public:
  InputTee(RecordingTap* tap, TapInputSink* device) : tap_(tap), device_(device) {}
  void OnInput(const TapInput& input) override {
    journal::Event e = journal::MakeInputEvent(tap_->icount(), input);
    tap_->Append(e.icount, std::move(e.body));
    device_->OnInput(input);
  }

 private:
  RecordingTap* tap_;
  TapInputSink* device_;
};

RecordingTap::RecordingTap(EventTap* inner, EventSink* sink, uint64_t first_seq)
    : inner_(inner), sink_(sink), first_seq_(first_seq), last_seq_(first_seq - 1) {}

RecordingTap::~RecordingTap() {
  for (auto& [dev, tee] : tees_) inner_->AttachDevice(dev, nullptr);
}

void RecordingTap::AttachDevice(TapDeviceId dev, TapInputSink* sink) {
  if (!sink) {
    tees_.erase(dev);
    inner_->AttachDevice(dev, nullptr);
    return;
  }
  auto tee = std::make_unique<InputTee>(this, sink);
  inner_->AttachDevice(dev, tee.get());
  tees_[dev] = std::move(tee);
}

void RecordingTap::set_icount_source(const uint64_t* icount) {
  EventTap::set_icount_source(icount);
  inner_->set_icount_source(icount);
}

void RecordingTap::Append(uint64_t icount, journal::EventBody body) {
  if (!status_.ok()) return;
  journal::Event e;
  e.seq = last_seq_ + 1;
  e.icount = icount;
  e.body = std::move(body);
  Status st = sink_->Append(std::move(e));
  if (!st.ok()) {
    status_ = st;
    if (on_error_) on_error_(status_);
    return;
  }
  ++last_seq_;
}

unsigned RecordingTap::DeliverDue(uint64_t icount) { return inner_->DeliverDue(icount); }

void RecordingTap::SubmitBlock(BlockRequest request) {
  Append(TapEvents::BlockRequested(request));
  inner_->SubmitBlock(std::move(request));
}

void RecordingTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) {
  Append(TapEvents::FrameTransmitted(dev, frame));
  inner_->TransmitFrame(dev, frame);
}

void RecordingTap::RequestEntropy(TapDeviceId dev, uint32_t max_bytes) {
  Append(TapEvents::EntropyRequested(dev, max_bytes));
  inner_->RequestEntropy(dev, max_bytes);
}

void RecordingTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) {
  Append(TapEvents::ConsoleWritten(dev, bytes));
  inner_->ConsoleOutput(dev, bytes);
}

void RecordingTap::ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {
  Append(TapEvents::IoAccessed(space, is_write, addr, size, value));
  inner_->ObserveIo(space, is_write, addr, size, value);
}

void RecordingTap::ObserveIrq(unsigned line, bool level) {
  Append(TapEvents::IrqDriven(line, level));
  inner_->ObserveIrq(line, level);
}

void RecordingTap::ObserveDigest(const MachineDigest& digest) {
  Append(TapEvents::Digested(digest));
  inner_->ObserveDigest(digest);
}

uint64_t RecordingTap::Idle(uint64_t now, uint64_t deadline) {
  uint64_t to = inner_->Idle(now, deadline);
  // A warp is an input: replay must jump exactly as far. "Nothing can wake
  // the guest" (UINT64_MAX) ends the run and is journaled as such.
  Append(TapEvents::Warped(now, to));
  return to;
}

}  // namespace tapvm
