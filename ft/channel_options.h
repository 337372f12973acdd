// Options shared by both ends of the FT log channel (ft/log_sender.h,
// ft/log_receiver.h). Plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "ft/wire.h"

namespace tapvm::ft {

struct ChannelOptions {
  // Either end may listen or connect (the pair may start in either order:
  // the connecting end retries until the listening one is there).
  bool listen = true;
  std::string host = "127.0.0.1";  // IPv4
  uint16_t port = 0;               // 0 with listen: an ephemeral port (see port())

  // The pair's identity, checked in the Hello exchange. A secondary may
  // leave run_id zero: it adopts the primary's (see run_id() of each end).
  RunId run_id;
  uint64_t config_hash = 0;
  Identity identity;  // what config_hash covers, to name a difference

  // The primary sends a heartbeat this often; the secondary answers each.
  std::chrono::milliseconds heartbeat{100};
  // Nothing heard from the peer for this long: the peer is gone.
  std::chrono::milliseconds peer_timeout{1000};
  // Bound on accepting / connecting and on the Hello exchange.
  std::chrono::milliseconds connect_timeout{10'000};

  uint32_t max_frame_bytes = kMaxFrameBytes;
  // Events queued between the CPU thread and the socket thread, in payload
  // bytes plus kEventCostBytes per event.
  uint64_t max_queued_bytes = 64ull << 20;
};

inline constexpr uint64_t kEventCostBytes = 64;

}  // namespace tapvm::ft
