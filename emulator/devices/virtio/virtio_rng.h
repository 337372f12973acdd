// VirtioRng: the virtio entropy device model (virtio 1.2 §5.4, device id 4):
// one request queue of 64 entries, no features, no configuration space.
//
// The device has no random source of its own: each device-writable chain
// the driver posts waits in the device, and the device asks the tap for
// entropy (EventTap::RequestEntropy, up to the chain's size, at most
// kMaxRequestBytes). The EntropyIn that answers fills the oldest waiting
// chain with the bytes it carries (truncated to the chain; fewer bytes than
// asked are fine, the used length says how many) and returns it. Because an
// EntropyIn carries no request id, at most one request is outstanding at the
// tap at any time, so answers match requests in order. The count of
// outstanding requests survives a device reset, so no second request is
// made while one from before the reset is unanswered; that answer fills the
// first chain posted after the reset (entropy is entropy), or is dropped if
// none waits. A chain with no writable bytes is returned at once with
// length 0.
//
// Not thread-safe: CPU thread only. The tap must outlive the device.
#pragma once

#include <cstdint>
#include <deque>
#include <span>

#include "emulator/devices/virtio/virtio_device.h"
#include "emulator/tap.h"

namespace tapvm {

class VirtioRng : public VirtioDeviceModel, public TapInputSink {
 public:
  static constexpr uint16_t kQueueSize = 64;
  static constexpr uint32_t kMaxRequestBytes = 4096;

  // Plain counters, for tests, stats and digests.
  struct Stats {
    uint64_t requests;        // RequestEntropy calls
    uint64_t bytes_given;     // entropy bytes written into the guest
    uint64_t stale_answers;   // EntropyIn with no chain waiting
  };

  // Registers itself with `tap` for the inputs of `dev`.
  VirtioRng(TapDeviceId dev, EventTap* tap);

  // VirtioDeviceModel.
  uint32_t device_id() const override { return kVirtioIdEntropy; }
  uint64_t device_features() const override { return 0; }
  unsigned num_queues() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 0; }
  void ReadConfig(uint32_t, std::span<uint8_t>) override {}
  void Attach(VirtioTransport* transport) override { transport_ = transport; }
  void Notify(unsigned q) override;
  void Reset() override { waiting_.clear(); }

  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  // The one entropy request outstanding (if any) is made again.
  void ResubmitInFlight() override;

  // TapInputSink.
  void OnInput(const TapInput& input) override;

  size_t waiting() const { return waiting_.size(); }
  uint32_t outstanding() const { return outstanding_; }
  const Stats& stats() const { return stats_; }

 private:
  // Asks the tap for entropy for the oldest waiting chain, if no request
  // is outstanding.
  void MaybeRequest();

  TapDeviceId dev_;
  EventTap* tap_;
  VirtioTransport* transport_ = nullptr;
  std::deque<VirtqChain> waiting_;
  uint32_t outstanding_ = 0;  // requests made and not yet answered; not reset
  Stats stats_{};
};

}  // namespace tapvm
