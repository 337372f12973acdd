#include "recorder/recording_tap.h"

namespace tapvm {

RecordingTap::RecordingTap(PassthroughTap* inner, JournalPump* journal) : inner_(inner), journal_(journal) {
  inner_->SetInputObserver([this](uint64_t icount, const TapInput& input) {
    Append(journal::MakeInputEvent(icount, input));
  });
}

void RecordingTap::Append(journal::Event event) {
  if (!status_.ok()) return;
  Status st = journal_->Append(std::move(event));
  if (!st.ok()) {
    status_ = st;
    return;
  }
  ++events_;
}

void RecordingTap::Append(journal::EventBody body) {
  journal::Event e;
  e.icount = icount();
  e.body = std::move(body);
  Append(std::move(e));
}

void RecordingTap::SubmitBlock(BlockRequest request) {
  Append(journal::EventBody{request});
  inner_->SubmitBlock(std::move(request));
}

void RecordingTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) {
  Append(journal::EventBody{journal::NetFrameOut{dev, std::vector<uint8_t>(frame.begin(), frame.end())}});
  inner_->TransmitFrame(dev, frame);
}

void RecordingTap::RequestEntropy(TapDeviceId dev, uint32_t max_bytes) {
  Append(journal::EventBody{journal::EntropyRequest{dev, max_bytes}});
  inner_->RequestEntropy(dev, max_bytes);
}

void RecordingTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) {
  Append(journal::EventBody{journal::ConsoleOut{dev, std::vector<uint8_t>(bytes.begin(), bytes.end())}});
  inner_->ConsoleOutput(dev, bytes);
}

void RecordingTap::ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {
  journal::IoAccess io;
  io.space = space == IoSpace::kPio ? journal::IoAccess::Space::kPio : journal::IoAccess::Space::kMmio;
  io.is_write = is_write;
  io.dev = journal::kMachineDevice;
  io.addr = addr;
  io.size = static_cast<uint8_t>(size);
  io.value = value;
  Append(journal::EventBody{io});
}

void RecordingTap::ObserveIrq(unsigned line, bool level) {
  Append(journal::EventBody{journal::IrqLine{journal::kMachineDevice, line, level}});
}

void RecordingTap::ObserveDigest(const MachineDigest& digest) {
  journal::StateDigest d;
  d.value = digest.value;
  d.parts = journal::DigestParts{digest.hart, digest.ram, digest.devices};
  Append(journal::EventBody{d});
}

uint64_t RecordingTap::Idle(uint64_t now, uint64_t deadline) {
  uint64_t to = inner_->Idle(now, deadline);
  // A warp is an input: replay must jump exactly as far. "Nothing can wake
  // the guest" (UINT64_MAX) ends the run and is journaled as such.
  Append(journal::EventBody{journal::ClockWarp{now, to}});
  return to;
}

}  // namespace tapvm
