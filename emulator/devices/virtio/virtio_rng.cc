#include "emulator/devices/virtio/virtio_rng.h"

#include <algorithm>
#include <utility>

namespace tapvm {

VirtioRng::VirtioRng(TapDeviceId dev, EventTap* tap) : dev_(dev), tap_(tap) { tap_->AttachDevice(dev_, this); }

void VirtioRng::Notify(unsigned q) {
  if (q != 0 || !transport_) return;
  bool returned = false;
  VirtqChain chain;
  while (transport_->PopChain(0, &chain)) {
    if (chain.writable_bytes == 0) {
      transport_->PushUsed(0, chain.head, 0);
      returned = true;
    } else {
      waiting_.push_back(std::move(chain));
    }
  }
  if (returned) transport_->NotifyUsed(0);
  MaybeRequest();
}

void VirtioRng::MaybeRequest() {
  if (outstanding_ != 0 || waiting_.empty() || !transport_ || !transport_->live()) return;
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(waiting_.front().writable_bytes, kMaxRequestBytes));
  ++outstanding_;
  ++stats_.requests;
  tap_->RequestEntropy(dev_, n);
}

void VirtioRng::OnInput(const TapInput& input) {
  const auto* in = std::get_if<EntropyIn>(&input);
  if (!in || in->dev != dev_) return;
  if (outstanding_ > 0) --outstanding_;
  if (waiting_.empty() || !transport_ || !transport_->live()) {
    ++stats_.stale_answers;
    MaybeRequest();
    return;
  }
  const VirtqChain chain = std::move(waiting_.front());
  waiting_.pop_front();
  const size_t n = static_cast<size_t>(std::min<uint64_t>(in->bytes.size(), chain.writable_bytes));
  const size_t written = chain.CopyTo(transport_->bus(), 0, std::span<const uint8_t>(in->bytes.data(), n));
  stats_.bytes_given += written;
  transport_->PushUsed(0, chain.head, static_cast<uint32_t>(written));
  transport_->NotifyUsed(0);
  MaybeRequest();
}

void VirtioRng::SaveState(StateWriter& w) const {
  w.Put<uint64_t>(waiting_.size());
  for (const VirtqChain& c : waiting_) c.SaveState(w);
  w.Put(outstanding_).Put(stats_.requests).Put(stats_.bytes_given).Put(stats_.stale_answers);
}

Status VirtioRng::LoadState(StateReader& r) {
  std::deque<VirtqChain> waiting;
  const uint64_t n = r.Count(kQueueSize, 10);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    VirtqChain c;
    if (VirtqChain::LoadState(r, &c)) waiting.push_back(std::move(c));
  }
  const uint32_t outstanding = r.Get<uint32_t>();
  Stats stats{};
  r.Get(&stats.requests);
  r.Get(&stats.bytes_given);
  r.Get(&stats.stale_answers);
  if (r.ok() && outstanding > 1) r.Fail("more than one entropy request outstanding");
  if (!r.ok()) return r.status();
  waiting_ = std::move(waiting);
  outstanding_ = outstanding;
  stats_ = stats;
  return Status::Ok();
}

void VirtioRng::ResubmitInFlight() {
  outstanding_ = 0;
  MaybeRequest();
}

void VirtioRng::HashState(StateHasher& h) const {
  h.Add(waiting_.size());
  for (const VirtqChain& c : waiting_) c.HashState(h);
  h.Add(outstanding_).Add(stats_.requests).Add(stats_.bytes_given).Add(stats_.stale_answers);
}

}  // namespace tapvm
