// TapBackend: a guest network interface wired to a Linux TAP device.
//
// Create opens /dev/net/tun and attaches to (or creates) the TAP interface
// `ifname` with IFF_TAP|IFF_NO_PI, so every read and write on the
// descriptor is exactly one Ethernet frame. Creating an interface needs
// CAP_NET_ADMIN; an existing persistent interface may be usable without it
// if its owner allows. The interface is the host's to configure (address,
// bridge, up/down); the backend only moves frames. A non-persistent
// interface disappears when the backend is destroyed.
//
// Frames the host sends are untrusted like any received frame: sizes
// outside kMinFrameBytes..kMaxFrameBytes are dropped. Thread-safety: as
// NetBackend says.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "emulator/net/backends/frame_receiver.h"
#include "emulator/net/net_backend.h"

namespace tapvm {

class TapBackend final : public NetBackend {
 public:
  // `ifname` may hold a "%d" for the kernel to pick a number ("tap%d"), or
  // be empty for the kernel's default; ifname() tells the name given.
  static Status Create(const std::string& ifname, std::unique_ptr<TapBackend>* out);

  ~TapBackend() override;
  TapBackend(const TapBackend&) = delete;
  TapBackend& operator=(const TapBackend&) = delete;

  void Send(std::span<const uint8_t> frame) override;
  void Start(FrameCallback on_frame) override;
  void Stop() override;

  const std::string& ifname() const { return ifname_; }
  uint64_t send_drops() const { return send_drops_.load(std::memory_order_relaxed); }
  uint64_t receive_drops() const { return receiver_.dropped(); }

 private:
  TapBackend(int fd, std::string ifname) : fd_(fd), ifname_(std::move(ifname)) {}

  const int fd_;
  const std::string ifname_;
  FrameReceiver receiver_{"net tap"};
  std::atomic<uint64_t> send_drops_{0};
};

}  // namespace tapvm
