#include "replayer/replay_tap.h"

#include <cinttypes>

namespace tapvm {

std::string Divergence::ToString() const {
  char head[160];
  if (seq)
    snprintf(head, sizeof head, "divergence at event #%" PRIu64 ", icount %" PRIu64, seq, icount);
  else
    snprintf(head, sizeof head, "divergence after the last recorded event, at icount %" PRIu64, icount);
  std::string s = std::string(head) + "\n  expected: " + expected + "\n  actual:   " + actual;
  char tail[160];
  if (last_digest_seq)
    snprintf(tail, sizeof tail, "\n  last matching state digest: event #%" PRIu64 " at icount %" PRIu64,
             last_digest_seq, last_digest_icount);
  else
    snprintf(tail, sizeof tail, "\n  no state digest matched before it");
  return s + tail;
}

ReplayTap::ReplayTap(journal::JournalReader* reader, DisplayFn display, std::function<void()> on_divergence)
    : reader_(reader), display_(std::move(display)), on_divergence_(std::move(on_divergence)) {
  truncated_ = !reader_->header().clean_close;
  Advance();
}

void ReplayTap::Advance() {
  if (end_ || !status_.ok()) return;
  Status st = reader_->Next(&next_, &end_);
  if (!st.ok()) {
    status_ = st;
    end_ = true;
    if (on_divergence_) on_divergence_();
  }
}

void ReplayTap::Diverge(const std::string& expected, const std::string& actual) {
  if (divergence_) return;
  Divergence d;
  d.seq = end_ ? 0 : next_.seq;
  d.icount = icount();
  d.expected = expected;
  d.actual = actual;
  d.last_digest_seq = last_digest_seq_;
  d.last_digest_icount = last_digest_icount_;
  divergence_ = d;
  if (on_divergence_) on_divergence_();
}

void ReplayTap::Expect(journal::EventBody actual_body) {
  if (divergence_ || !status_.ok()) return;
  journal::Event actual;
  actual.icount = icount();
  actual.body = std::move(actual_body);
  if (end_) {
    // A cut-short journal: its committed prefix has been reproduced.
    if (truncated_ && status_.ok()) {
      if (on_divergence_) on_divergence_();
      return;
    }
    return Diverge("(end of journal)", journal::DescribeEvent(actual));
  }
  if (journal::IsInput(journal::KindOf(next_)) || next_.icount != actual.icount ||
      !journal::SameBody(next_.body, actual.body)) {
    actual.seq = next_.seq;
    return Diverge(journal::DescribeEvent(next_), journal::DescribeEvent(actual));
  }
  if (journal::KindOf(next_) == journal::EventKind::kStateDigest) {
    last_digest_seq_ = next_.seq;
    last_digest_icount_ = next_.icount;
  }
  ++consumed_;
  Advance();
}

void ReplayTap::SubmitBlock(BlockRequest request) { Expect(journal::EventBody{std::move(request)}); }

void ReplayTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) {
  Expect(journal::EventBody{journal::NetFrameOut{dev, std::vector<uint8_t>(frame.begin(), frame.end())}});
}

void ReplayTap::RequestEntropy(TapDeviceId dev, uint32_t max_bytes) {
  Expect(journal::EventBody{journal::EntropyRequest{dev, max_bytes}});
}

void ReplayTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) {
  if (display_) display_(bytes);
  Expect(journal::EventBody{journal::ConsoleOut{dev, std::vector<uint8_t>(bytes.begin(), bytes.end())}});
}

void ReplayTap::ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {
  journal::IoAccess io;
  io.space = space == IoSpace::kPio ? journal::IoAccess::Space::kPio : journal::IoAccess::Space::kMmio;
  io.is_write = is_write;
  io.dev = journal::kMachineDevice;
  io.addr = addr;
  io.size = static_cast<uint8_t>(size);
  io.value = value;
  Expect(journal::EventBody{io});
}

void ReplayTap::ObserveIrq(unsigned line, bool level) {
  Expect(journal::EventBody{journal::IrqLine{journal::kMachineDevice, line, level}});
}

void ReplayTap::ObserveDigest(const MachineDigest& digest) {
  journal::StateDigest d;
  d.value = digest.value;
  d.parts = journal::DigestParts{digest.hart, digest.ram, digest.devices};
  Expect(journal::EventBody{d});
}

bool ReplayTap::InputPending() const {
  if (divergence_ || end_) return divergence_.has_value();
  journal::EventKind k = journal::KindOf(next_);
  return journal::IsInput(k) && k != journal::EventKind::kClockWarp;
}

uint64_t ReplayTap::NextInputIcount() const {
  if (end_ || divergence_) return UINT64_MAX;
  journal::EventKind k = journal::KindOf(next_);
  return journal::IsInput(k) && k != journal::EventKind::kClockWarp ? next_.icount : UINT64_MAX;
}

unsigned ReplayTap::DeliverDue(uint64_t icount) {
  unsigned delivered = 0;
  while (!end_ && !divergence_ && status_.ok()) {
    journal::EventKind k = journal::KindOf(next_);
    if (!journal::IsInput(k) || k == journal::EventKind::kClockWarp) break;
    if (next_.icount > icount) break;
    if (next_.icount < icount) {
      char buf[96];
      snprintf(buf, sizeof buf, "(machine already at icount %" PRIu64 ")", icount);
      Diverge(journal::DescribeEvent(next_), buf);
      break;
    }
    TapInput input;
    journal::ToTapInput(next_, &input);
    TapDeviceId dev = journal::DeviceOf(next_.body);
    auto it = sinks_.find(dev);
    if (it == sinks_.end()) {
      Diverge(journal::DescribeEvent(next_), "(no device " + std::to_string(dev) + " in the replayed machine)");
      break;
    }
    ++consumed_;
    ++delivered;
    // Consume first: the device reacts at once (an interrupt line, a
    // request), and those are the journal's next events.
    Advance();
    it->second->OnInput(input);
  }
  return delivered;
}

uint64_t ReplayTap::Idle(uint64_t now, uint64_t deadline) {
  if (divergence_ || !status_.ok()) return UINT64_MAX;
  if (end_ && truncated_) return UINT64_MAX;
  if (end_ || journal::KindOf(next_) != journal::EventKind::kClockWarp) {
    Diverge(end_ ? "(end of journal)" : journal::DescribeEvent(next_),
            "the guest idles (wfi) at mtime " + std::to_string(now));
    return UINT64_MAX;
  }
  const auto& w = std::get<journal::ClockWarp>(next_.body);
  if (w.from_mtime != now || next_.icount != icount()) {
    Diverge(journal::DescribeEvent(next_), "the guest idles (wfi) at mtime " + std::to_string(now));
    return UINT64_MAX;
  }
  uint64_t to = w.to_mtime;
  ++consumed_;
  Advance();
  return to;
}

}  // namespace tapvm
