// `tapvm ft primary` and `tapvm ft secondary`: the two halves of a
// fault-tolerant pair (docs/ft.md). The machine options are those of
// `tapvm run`; the FT options are below. The mechanisms live in ft/ (the
// log channel, output commit, arbiters, the pair's identity); this is the
// orchestration a user runs: start, lockstep, failover, the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/machine/machine_builder.h"
#include "ft/arbiter.h"
#include "ft/channel_options.h"
#include "ft/pair_identity.h"
#include "tools/tapvm/vm_options.h"

namespace tapvm::cli {

struct FtOptions {
  RunOptions run;              // the machine, as `run` takes it
  std::string endpoint;        // --listen (primary) / --connect (secondary): HOST:PORT
  std::string arbiter;         // file:PATH | etcd:http://HOST:PORT
  std::string journal;         // -o
  bool overwrite = false;      // --force
  uint64_t max_lag = 20'000'000;        // --max-lag, instructions
  uint64_t heartbeat_ms = 500;          // --heartbeat-ms: the peer is lost after this much silence
  double connect_timeout_s = 60;        // --connect-timeout
  double arbiter_timeout_s = 5;         // --arbiter-timeout
};

// Exit status of the side that lost the arbiter (it stops its guest).
inline constexpr int kExitLostArbiter = 3;

int RunFtPrimary(FtOptions& o);
int RunFtSecondary(FtOptions& o);

// Shared by both sides.
namespace ft_pair {
// What both sides make from their options before they meet.
struct Setup {
  BootImages images;
  ft::PairIdentity identity;
  std::unique_ptr<ft::Arbiter> arbiter;
};
// Resolves the machine options, reads the boot images, hashes the pair's
// identity, opens the arbiter, and fills the channel options both ends
// share (endpoint, identity, heartbeats, timeouts). Errors are the user's.
Status Prepare(FtOptions& o, ft::ChannelOptions* channel, Setup* out);
// "HOST:PORT" (IPv4 or localhost) -> host, port; false when malformed.
bool ParseEndpoint(const std::string& s, std::string* host, uint16_t* port);
// One status line on standard error: "tapvm: ft: <role>: <text>".
void Say(const char* role, const std::string& text);
std::chrono::milliseconds Ms(double seconds);
}  // namespace ft_pair

}  // namespace tapvm::cli
