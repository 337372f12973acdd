// VirtioNet: the virtio network device model (virtio 1.2 §5.1, device id
// 1): one receive queue (0) and one transmit queue (1), 256 entries each.
//
// Features offered: MAC (config mac) and STATUS (config status, LINK_UP);
// no offloads, no mergeable receive buffers, no control queue. With
// VERSION_1 every frame on both queues is preceded by the 12-byte
// virtio_net_hdr (flags, gso_type, hdr_len, gso_size, csum_start,
// csum_offset, num_buffers).
//
// Transmit: each chain's device-readable bytes are the header and the
// frame; the header is skipped and the frame goes out through
// EventTap::TransmitFrame. The chain is returned with length 0. A chain
// shorter than the header, or a frame larger than kMaxFrameBytes, is
// dropped (returned, counted, not sent).
//
// Receive: a NetFrameIn is queued in the device (at most kMaxRxBacklog
// frames; more are dropped) and delivered into receive chains as the
// driver provides them: a zeroed header with num_buffers = 1 (required
// without MRG_RXBUF), then the frame; used length 12 + frame length. A
// frame that does not fit the chain is dropped and the chain returned with
// length 0 (Linux counts it as a length error and reposts the buffer).
// Frames waiting for buffers are delivered when the driver notifies the
// receive queue. Frames arriving while the device is not live or the link
// is down are dropped.
//
// Not thread-safe: CPU thread only. The tap must outlive the device.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "emulator/devices/virtio/virtio_device.h"
#include "emulator/tap.h"

namespace tapvm {

class VirtioNet : public VirtioDeviceModel, public TapInputSink {
 public:
  static constexpr uint64_t kFMac = 1ull << 5, kFStatus = 1ull << 16;
  static constexpr uint16_t kStatusLinkUp = 1;
  static constexpr unsigned kRxQueue = 0, kTxQueue = 1;
  static constexpr uint16_t kQueueSize = 256;
  static constexpr uint32_t kHeaderBytes = 12;
  static constexpr uint32_t kNumBuffersOffset = 10;
  // The largest frame either way: a 65535-byte MTU plus the Ethernet header
  // and a VLAN tag (Linux's virtio_net allows MTUs up to 65535 without
  // VIRTIO_NET_F_MTU).
  static constexpr uint32_t kMaxFrameBytes = 65535 + 14 + 4;
  static constexpr size_t kMaxRxBacklog = 256;
  // mac[6], status, max_virtqueue_pairs (read as 1).
  static constexpr uint32_t kConfigSize = 10;

  struct Options {
    std::array<uint8_t, 6> mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    bool link_up = true;
  };

  // Plain counters, for tests, stats and digests.
  struct Stats {
    uint64_t tx_frames;
    uint64_t tx_dropped;
    uint64_t rx_frames;       // delivered to the guest
    uint64_t rx_dropped;      // not live, link down, too large, backlog full
    uint64_t rx_too_big;      // did not fit the receive chain
  };

  // Registers itself with `tap` for the inputs of `dev`.
  VirtioNet(TapDeviceId dev, EventTap* tap, Options options);

  // Link state changes send a configuration change notification.
  void SetLinkUp(bool up);

  // VirtioDeviceModel.
  uint32_t device_id() const override { return kVirtioIdNet; }
  uint64_t device_features() const override { return kFMac | kFStatus; }
  unsigned num_queues() const override { return 2; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return kConfigSize; }
  void ReadConfig(uint32_t offset, std::span<uint8_t> data) override;
  void Attach(VirtioTransport* transport) override { transport_ = transport; }
  void Notify(unsigned q) override;
  void Reset() override;

  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;

  // TapInputSink.
  void OnInput(const TapInput& input) override;

  size_t rx_backlog() const { return rx_backlog_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  void Transmit();
  void DeliverRx();

  TapDeviceId dev_;
  EventTap* tap_;
  Options options_;
  VirtioTransport* transport_ = nullptr;
  std::deque<std::vector<uint8_t>> rx_backlog_;
  Stats stats_{};
};

}  // namespace tapvm
