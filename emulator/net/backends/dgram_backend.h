// DgramBackend: Ethernet frames carried one per UDP datagram between two
// host addresses — the wire of QEMU's
//   -netdev dgram,local.type=inet,local.host=H,local.port=P,
//                 remote.type=inet,remote.host=H2,remote.port=P2
// so a tapvm guest can talk to another tapvm or a QEMU guest.
//
// The backend binds a UDP socket to the local address at Create, sends each
// frame as one datagram to the remote address, and its receive thread
// passes each datagram from the remote address to the frame callback.
// Datagrams from any other source, shorter than an Ethernet header or
// longer than kMaxFrameBytes are dropped and counted; their content is
// never interpreted, so a hostile peer can at worst make us drop frames.
// (Source filtering is not authentication — UDP sources can be forged.)
//
// Spec strings (comma-separated key=value, numeric addresses only, no name
// lookup):
//   local=127.0.0.1:5555,remote=127.0.0.1:5556
//   local.type=inet,local.host=127.0.0.1,local.port=5555,
//     remote.type=inet,remote.host=127.0.0.1,remote.port=5556   (QEMU's)
// IPv4 dotted quads and bracketed IPv6 ("[::1]:5555") are accepted; both
// ends must be of one family. Local port 0 binds an ephemeral port
// (local_port() tells which).
//
// Thread-safety: as NetBackend says.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "emulator/net/backends/frame_receiver.h"
#include "emulator/net/net_backend.h"

namespace tapvm {

// A parsed spec: both socket addresses, same family.
struct DgramSpec {
  sockaddr_storage local{};
  sockaddr_storage remote{};
  socklen_t addr_len = 0;
};

class DgramBackend final : public NetBackend {
 public:
  // Parses `spec` (see above) without touching the host.
  static Status ParseSpec(const std::string& spec, DgramSpec* out);
  // Parses `spec` and binds the local socket.
  static Status Create(const std::string& spec, std::unique_ptr<DgramBackend>* out);

  ~DgramBackend() override;
  DgramBackend(const DgramBackend&) = delete;
  DgramBackend& operator=(const DgramBackend&) = delete;

  void Send(std::span<const uint8_t> frame) override;
  void Start(FrameCallback on_frame) override;
  void Stop() override;

  // The bound local port (useful after binding port 0).
  uint16_t local_port() const;
  // Frames not sent (socket full, too large, host error) and datagrams not
  // passed on (wrong size, wrong source).
  uint64_t send_drops() const { return send_drops_.load(std::memory_order_relaxed); }
  uint64_t receive_drops() const { return receiver_.dropped(); }

 private:
  DgramBackend(int fd, const DgramSpec& spec) : fd_(fd), spec_(spec) {}
  ssize_t ReceiveOne(uint8_t* buf, size_t cap);

  const int fd_;
  const DgramSpec spec_;
  FrameReceiver receiver_{"net dgram"};
  std::atomic<uint64_t> send_drops_{0};
};

}  // namespace tapvm
