#include "replayer/replay_tap.h"

#include <cinttypes>

#include "journal/tap_events.h"

namespace tapvm {

using journal::TapEvents;

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

ReplayTap::ReplayTap(EventSource* source, DisplayFn display, std::function<void()> on_divergence)
    : source_(source), display_(std::move(display)), on_divergence_(std::move(on_divergence)) {
  Advance();
}

void ReplayTap::Advance() {
  if (end_ || !status_.ok()) return;
  Status st = source_->Next(&next_, &end_);
  if (!st.ok()) {
    status_ = st;
    end_ = true;
    if (on_divergence_) on_divergence_();
  } else if (end_ && !source_->closed_cleanly()) {
    if (on_divergence_) on_divergence_();  // stop where the recording does
  }
}

void ReplayTap::KeepForLive(std::function<void(EventTap*)> call) {
  if (after_end_.size() >= kMaxCallsAfterEnd) {
    after_end_overflow_ = true;
    return;
  }
  after_end_.push_back({icount(), std::move(call)});
}

void ReplayTap::HoldOutput(uint64_t seq, bool is_frame, TapDeviceId dev, std::span<const uint8_t> bytes) {
  if (!released_) return;
  const uint64_t released = released_();
  while (!held_.empty() && held_.front().seq <= released) held_.pop_front();
  if (seq > released) held_.push_back({seq, is_frame, dev, std::vector<uint8_t>(bytes.begin(), bytes.end())});
}

std::vector<ReplayTap::HeldOutput> ReplayTap::TakeHeldOutputs() {
  const uint64_t released = released_ ? released_() : 0;
  std::vector<HeldOutput> out;
  for (HeldOutput& h : held_)
    if (h.seq > released) out.push_back(std::move(h));
  held_.clear();
  return out;
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
    // A cut-short recording: its prefix has been reproduced.
    if (!source_->closed_cleanly()) {
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
  last_matched_seq_ = next_.seq;
  ++consumed_;
  Advance();
}

// ------------------------------------------------------------- going live

void ReplayTap::KeepDiskCopy(TapDeviceId dev, BlockBackend* backend) { disk_copies_[dev] = backend; }

void ReplayTap::UpdateDiskCopy(const BlockCompletion& done) {
  auto it = std::find_if(blocks_in_flight_.begin(), blocks_in_flight_.end(),
                         [&](const BlockRequest& r) { return r.dev == done.dev && r.id == done.id; });
  if (it == blocks_in_flight_.end()) return;
  BlockRequest request = std::move(*it);
  blocks_in_flight_.erase(it);
  auto copy = disk_copies_.find(done.dev);
  if (copy == disk_copies_.end() || done.status != BlockCompletion::Status::kOk) return;
  if (request.type == BlockRequest::Type::kRead) return;
  // One request at a time, in completion order: the copy sees the writes
  // in the order the recorded disk finished them.
  BlockCompletion::Status result = BlockCompletion::Status::kOk;
  copy->second->Submit(std::move(request), [&result](BlockCompletion c) { result = c.status; });
  copy->second->Drain();
  if (result != BlockCompletion::Status::kOk && disk_copy_status_.ok())
    disk_copy_status_ = Status::IOError("writing the disk copy of device " + std::to_string(done.dev) + " failed");
}

Status ReplayTap::GoLive(EventTap* live, EventTap* resubmit) {
  if (live_.load()) return Status::InvalidArgument("the replay is already live");
  if (!disk_copy_status_.ok()) return disk_copy_status_;
  if (after_end_overflow_)
    return Status::OutOfRange("the machine ran on too far past the end of the recording (over " +
                              std::to_string(kMaxCallsAfterEnd) + " tap calls) to go live from it");
  if (resubmit == nullptr) resubmit = live;
  live->set_icount_source(icount_source_);
  for (const auto& [dev, sink] : sinks_) live->AttachDevice(dev, sink);
  live_.store(live, std::memory_order_release);
  for (BlockRequest& r : blocks_in_flight_) resubmit->SubmitBlock(std::move(r));
  for (const EntropyAsk& e : entropy_in_flight_) resubmit->RequestEntropy(e.dev, e.max_bytes);
  blocks_in_flight_.clear();
  entropy_in_flight_.clear();
  // Calls made after a cut-short end, each at the icount it was made at
  // (a recording live tap stamps its events with them).
  for (AfterEndCall& c : after_end_) {
    const uint64_t at = c.icount;
    live->set_icount_source(&at);
    c.call(live);
  }
  after_end_.clear();
  live->set_icount_source(icount_source_);
  return Status::Ok();
}

// ------------------------------------------------------------- the tap

void ReplayTap::AttachDevice(TapDeviceId dev, TapInputSink* sink) {
  sinks_[dev] = sink;
  if (EventTap* l = Live()) l->AttachDevice(dev, sink);
}

void ReplayTap::set_icount_source(const uint64_t* icount) {
  EventTap::set_icount_source(icount);
  icount_source_ = icount;
  if (EventTap* l = Live()) l->set_icount_source(icount);
}

void ReplayTap::SubmitBlock(BlockRequest request) {
  if (EventTap* l = Live()) return l->SubmitBlock(std::move(request));
  if (AfterCutShortEnd())
    return KeepForLive([r = std::move(request)](EventTap* t) mutable { t->SubmitBlock(std::move(r)); });
  blocks_in_flight_.push_back(request);
  Expect(TapEvents::BlockRequested(std::move(request)));
}

void ReplayTap::TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) {
  if (EventTap* l = Live()) return l->TransmitFrame(dev, frame);
  if (AfterCutShortEnd())
    return KeepForLive([dev, f = std::vector<uint8_t>(frame.begin(), frame.end())](EventTap* t) {
      t->TransmitFrame(dev, f);
    });
  const uint64_t matched = consumed_;
  Expect(TapEvents::FrameTransmitted(dev, frame));
  if (consumed_ != matched) HoldOutput(last_matched_seq_, true, dev, frame);
}

void ReplayTap::RequestEntropy(TapDeviceId dev, uint32_t max_bytes) {
  if (EventTap* l = Live()) return l->RequestEntropy(dev, max_bytes);
  if (AfterCutShortEnd()) return KeepForLive([dev, max_bytes](EventTap* t) { t->RequestEntropy(dev, max_bytes); });
  entropy_in_flight_.push_back({dev, max_bytes});
  Expect(TapEvents::EntropyRequested(dev, max_bytes));
}

void ReplayTap::ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) {
  if (EventTap* l = Live()) return l->ConsoleOutput(dev, bytes);
  if (AfterCutShortEnd())
    return KeepForLive([dev, b = std::vector<uint8_t>(bytes.begin(), bytes.end())](EventTap* t) {
      t->ConsoleOutput(dev, b);
    });
  if (display_) display_(bytes);
  const uint64_t matched = consumed_;
  Expect(TapEvents::ConsoleWritten(dev, bytes));
  if (consumed_ != matched) HoldOutput(last_matched_seq_, false, dev, bytes);
}

void ReplayTap::ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {
  if (EventTap* l = Live()) return l->ObserveIo(space, is_write, addr, size, value);
  if (AfterCutShortEnd())
    return KeepForLive([=](EventTap* t) { t->ObserveIo(space, is_write, addr, size, value); });
  Expect(TapEvents::IoAccessed(space, is_write, addr, size, value));
}

void ReplayTap::ObserveIrq(unsigned line, bool level) {
  if (EventTap* l = Live()) return l->ObserveIrq(line, level);
  if (AfterCutShortEnd()) return KeepForLive([=](EventTap* t) { t->ObserveIrq(line, level); });
  Expect(TapEvents::IrqDriven(line, level));
}

void ReplayTap::ObserveDigest(const MachineDigest& digest) {
  if (EventTap* l = Live()) return l->ObserveDigest(digest);
  if (AfterCutShortEnd()) return KeepForLive([=](EventTap* t) { t->ObserveDigest(digest); });
  Expect(TapEvents::Digested(digest));
}

bool ReplayTap::MissedObservation() const {
  if (Live() || divergence_ || end_ || !status_.ok()) return false;
  const journal::EventKind k = journal::KindOf(next_);
  return !journal::IsInput(k) && icount() > next_.icount;
}

bool ReplayTap::InputPending() const {
  if (EventTap* l = Live()) return l->InputPending();
  if (divergence_ || end_) return divergence_.has_value();
  // A missed observation stops the run too: DeliverDue reports it.
  if (MissedObservation()) return true;
  journal::EventKind k = journal::KindOf(next_);
  return journal::IsInput(k) && k != journal::EventKind::kClockWarp;
}

uint64_t ReplayTap::NextInputIcount() const {
  if (EventTap* l = Live()) return l->NextInputIcount();
  if (end_ || divergence_) return UINT64_MAX;
  journal::EventKind k = journal::KindOf(next_);
  return journal::IsInput(k) && k != journal::EventKind::kClockWarp ? next_.icount : UINT64_MAX;
}

uint64_t ReplayTap::StopIcount() const {
  if (Live() || !stop_at_digests_ || end_ || divergence_) return UINT64_MAX;
  return journal::KindOf(next_) == journal::EventKind::kStateDigest ? next_.icount : UINT64_MAX;
}

bool ReplayTap::WaitForInput(uint64_t host_timeout_ns) {
  EventTap* l = Live();
  return l ? l->WaitForInput(host_timeout_ns) : false;
}

void ReplayTap::Wake() {
  // From any thread: a replay never waits, a live tap may.
  if (EventTap* l = live_.load(std::memory_order_acquire)) l->Wake();
}

unsigned ReplayTap::DeliverDue(uint64_t icount) {
  if (EventTap* l = Live()) return l->DeliverDue(icount);
  if (MissedObservation()) {
    // The machine ran past the recorded access (or request, output,
    // digest) without making it: report it now, not at the next access.
    Diverge(journal::DescribeEvent(next_), "(nothing: the machine ran past icount " + std::to_string(next_.icount) +
                                               " without it, to icount " + std::to_string(icount) + ")");
    return 0;
  }
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
    if (it == sinks_.end() || it->second == nullptr) {
      Diverge(journal::DescribeEvent(next_), "(no device " + std::to_string(dev) + " in the replayed machine)");
      break;
    }
    if (const auto* done = std::get_if<BlockCompletion>(&input)) UpdateDiskCopy(*done);
    if (const auto* in = std::get_if<EntropyIn>(&input)) {
      auto e = std::find_if(entropy_in_flight_.begin(), entropy_in_flight_.end(),
                            [&](const EntropyAsk& a) { return a.dev == in->dev; });
      if (e != entropy_in_flight_.end()) entropy_in_flight_.erase(e);
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

bool ReplayTap::InputPossible() const {
  EventTap* l = Live();
  return l ? l->InputPossible() : !end_;
}

bool ReplayTap::IdleAnswerReady() const {
  if (EventTap* l = Live()) return l->IdleAnswerReady();
  return !end_ && !divergence_ && status_.ok() && journal::KindOf(next_) == journal::EventKind::kClockWarp &&
         next_.icount == icount();
}

uint64_t ReplayTap::Idle(uint64_t now, uint64_t deadline) {
  if (EventTap* l = Live()) return l->Idle(now, deadline);
  if (divergence_ || !status_.ok()) return UINT64_MAX;
  if (end_ && !source_->closed_cleanly()) return UINT64_MAX;
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
