// Arbiter: the referee that keeps an FT pair from splitting its brain.
//
// Before either side of a pair goes on alone (the secondary taking over
// from a dead primary, the primary running on without its secondary) it
// must win Claim on the pair's arbiter; the loser stops. Both sides name
// the same arbiter (a spec, see OpenArbiter).
//
// Contract (every implementation; tests/ft/ft_arbiter_test.cc holds one
// contract suite run against each):
// - Claim is an atomic test-and-set per run id: the first role to claim a
//   run wins; any later claim by the other role loses; claims by the
//   winning role win again (any number of claimers of one role agree).
// - Only the same run id counts: what an earlier run left behind is
//   replaced (file) or lives under another key (etcd).
// - Bounded: Claim returns within about `timeout`. An arbiter that cannot
//   be reached in that time, is locked, or answers nonsense gives an error
//   Status naming the arbiter and what failed, and *won = false: the
//   caller cannot prove it may go on, so it stops.
// - Threads: Claim may be called from any thread, also concurrently.
//   Destroying an Arbiter does not withdraw a won claim.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "ft/wire.h"

namespace tapvm::ft {

class Arbiter {
 public:
  virtual ~Arbiter() = default;
  // The atomic test-and-set for pair run `run_id` (see above).
  virtual Status Claim(const RunId& run_id, Role role, std::chrono::milliseconds timeout, bool* won) = 0;
  // "file:/path" / "etcd:http://127.0.0.1:2379", for messages.
  virtual std::string Describe() const = 0;
};

// Parses an arbiter spec and makes its arbiter, connecting to nothing yet:
//   file:PATH                        a lock file both sides can reach (one
//                                    host, or a shared filesystem)
//   etcd:http://HOST:PORT[,...]      an etcd v3 cluster (one or more
//                                    endpoints, tried in turn)
// A bad spec is InvalidArgument naming the spec and what is accepted.
Status OpenArbiter(const std::string& spec, std::unique_ptr<Arbiter>* out);

}  // namespace tapvm::ft
