#include "emulator/devices/virtio/virtio_net.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tapvm {

VirtioNet::VirtioNet(TapDeviceId dev, EventTap* tap, Options options) : dev_(dev), tap_(tap), options_(options) {
  tap_->AttachDevice(dev_, this);
}

void VirtioNet::SetLinkUp(bool up) {
  if (options_.link_up == up) return;
  options_.link_up = up;
  if (!up) rx_backlog_.clear();
  if (transport_) transport_->ConfigChanged();
}

void VirtioNet::ReadConfig(uint32_t offset, std::span<uint8_t> data) {
  uint8_t cfg[kConfigSize] = {};
  std::memcpy(cfg, options_.mac.data(), 6);
  const uint16_t status = options_.link_up ? kStatusLinkUp : 0;
  std::memcpy(cfg + 6, &status, 2);
  const uint16_t pairs = 1;
  std::memcpy(cfg + 8, &pairs, 2);
  if (offset >= kConfigSize) return;
  std::memcpy(data.data(), cfg + offset, std::min<size_t>(data.size(), kConfigSize - offset));
}

void VirtioNet::Reset() { rx_backlog_.clear(); }

void VirtioNet::Notify(unsigned q) {
  if (!transport_) return;
  if (q == kTxQueue) Transmit();
  if (q == kRxQueue) DeliverRx();
}

void VirtioNet::Transmit() {
  const Bus& bus = transport_->bus();
  bool any = false;
  VirtqChain chain;
  std::vector<uint8_t> frame;
  while (transport_->PopChain(kTxQueue, &chain)) {
    any = true;
    if (chain.readable_bytes < kHeaderBytes || chain.readable_bytes - kHeaderBytes > kMaxFrameBytes) {
      ++stats_.tx_dropped;
    } else {
      frame.resize(chain.readable_bytes - kHeaderBytes);
      if (chain.CopyFrom(bus, kHeaderBytes, frame) == frame.size()) {
        tap_->TransmitFrame(dev_, frame);
        ++stats_.tx_frames;
      } else {
        ++stats_.tx_dropped;
      }
    }
    transport_->PushUsed(kTxQueue, chain.head, 0);
  }
  if (any) transport_->NotifyUsed(kTxQueue);
}

void VirtioNet::DeliverRx() {
  Bus& bus = transport_->bus();
  bool any = false;
  VirtqChain chain;
  while (!rx_backlog_.empty() && transport_->PopChain(kRxQueue, &chain)) {
    any = true;
    const std::vector<uint8_t>& frame = rx_backlog_.front();
    uint32_t used = 0;
    if (chain.writable_bytes >= kHeaderBytes + frame.size()) {
      uint8_t hdr[kHeaderBytes] = {};
      hdr[kNumBuffersOffset] = 1;  // num_buffers = 1, little-endian
      if (chain.CopyTo(bus, 0, hdr) == kHeaderBytes && chain.CopyTo(bus, kHeaderBytes, frame) == frame.size()) {
        used = static_cast<uint32_t>(kHeaderBytes + frame.size());
        ++stats_.rx_frames;
      } else {
        ++stats_.rx_dropped;
      }
    } else {
      ++stats_.rx_too_big;
    }
    rx_backlog_.pop_front();
    transport_->PushUsed(kRxQueue, chain.head, used);
  }
  if (any) transport_->NotifyUsed(kRxQueue);
}

void VirtioNet::OnInput(const TapInput& input) {
  const auto* in = std::get_if<NetFrameIn>(&input);
  if (!in || in->dev != dev_) return;
  if (!transport_ || !transport_->live() || !options_.link_up || in->frame.size() > kMaxFrameBytes ||
      rx_backlog_.size() >= kMaxRxBacklog) {
    ++stats_.rx_dropped;
    return;
  }
  rx_backlog_.push_back(in->frame);
  DeliverRx();
}

void VirtioNet::SaveState(StateWriter& w) const {
  w.Bool(options_.link_up).Put<uint64_t>(rx_backlog_.size());
  for (const auto& frame : rx_backlog_) w.Bytes(frame);
  w.Put(stats_.tx_frames).Put(stats_.tx_dropped).Put(stats_.rx_frames).Put(stats_.rx_dropped).Put(stats_.rx_too_big);
}

Status VirtioNet::LoadState(StateReader& r) {
  const bool link_up = r.Bool();
  std::deque<std::vector<uint8_t>> backlog;
  const uint64_t n = r.Count(kMaxRxBacklog, 8);
  for (uint64_t i = 0; i < n && r.ok(); ++i) backlog.push_back(r.Bytes(kMaxFrameBytes));
  Stats stats{};
  r.Get(&stats.tx_frames);
  r.Get(&stats.tx_dropped);
  r.Get(&stats.rx_frames);
  r.Get(&stats.rx_dropped);
  r.Get(&stats.rx_too_big);
  if (!r.ok()) return r.status();
  options_.link_up = link_up;
  rx_backlog_ = std::move(backlog);
  stats_ = stats;
  return Status::Ok();
}

void VirtioNet::HashState(StateHasher& h) const {
  h.Add(options_.link_up).Add(rx_backlog_.size());
  for (const auto& frame : rx_backlog_) h.AddBytes(frame);
  h.Add(stats_.tx_frames).Add(stats_.tx_dropped).Add(stats_.rx_frames).Add(stats_.rx_dropped);
  h.Add(stats_.rx_too_big);
}

}  // namespace tapvm
