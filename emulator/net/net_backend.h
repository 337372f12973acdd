// NetBackend: the host side of a guest network interface in run and record
// mode — a wire that carries whole Ethernet frames (no virtio header, no
// FCS) in both directions.
//
// Devices never see this interface: they transmit through the event tap,
// and the run-mode tap (emulator/tap/backends/passthrough_tap.h) forwards
// to the backend attached for the device; received frames travel back as
// NetFrameIn inputs. Implementations live in emulator/net/backends/ (UDP
// datagrams, Linux TAP).
//
// The wire is lossy, like Ethernet: Send never blocks and drops a frame it
// cannot send right now; a receiver drops what it cannot take. Frames
// received from the host are untrusted: an implementation hands on only
// frames of kMinFrameBytes..kMaxFrameBytes and drops the rest.
//
// Threading: Send may be called from any thread (the CPU thread in
// practice), concurrently with the receive thread. Start and Stop are
// called by the owner, not concurrently with each other. `on_frame` runs on
// the backend's receive thread, one frame at a time, between Start and the
// return of Stop, and never after.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace tapvm {

// An Ethernet header is 14 bytes; anything shorter is not a frame.
inline constexpr size_t kMinFrameBytes = 14;
// The largest frame any backend carries (a UDP datagram's limit).
inline constexpr size_t kMaxFrameBytes = 65535;

class NetBackend {
 public:
  using FrameCallback = std::function<void(std::vector<uint8_t>)>;

  virtual ~NetBackend() = default;

  // Sends one frame to the host side; drops it (with a debug log) if it
  // cannot be sent without blocking.
  virtual void Send(std::span<const uint8_t> frame) = 0;

  // Starts the receive thread, which calls `on_frame` for every frame
  // received. Calling Start while started does nothing.
  virtual void Start(FrameCallback on_frame) = 0;

  // Stops and joins the receive thread. Idempotent; destructors of
  // implementations call it. Must not be called from `on_frame`.
  virtual void Stop() = 0;
};

}  // namespace tapvm
