// The etcd arbiter: a key in an etcd v3 cluster, spoken to through etcd's
// JSON gateway (HTTP POST /v3/...).
//
// The claim for run R is the key "tapvm/ft/" + R.ToHex(), its value the
// winner's role ("primary" / "secondary"). A claim grants a lease, then in
// one transaction puts the key with that lease if the key was never
// created, else reads it: the put won, or the stored role decides. The
// winner's lease is kept alive by a thread of the arbiter (every third of
// the TTL) until the arbiter is destroyed; then the key lives on for up
// to one TTL and goes. A lease this claim did not need is revoked.
//
// Every HTTP call is bounded by what is left of the claim's timeout; a
// call that cannot connect or loses its connection is retried, on the
// next endpoint, until then. Replies are untrusted: anything not shaped
// like etcd's answer is a Corruption status, never a crash.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ft/arbiter.h"

namespace tapvm::ft {

struct EtcdArbiterOptions {
  // The winner's lease. etcd may raise a TTL below its minimum (about 1.5
  // election timeouts).
  std::chrono::seconds lease_ttl{60};
};

// `endpoints` are "http://HOST:PORT" (checked by OpenArbiter); nothing is
// contacted before the first Claim.
std::unique_ptr<Arbiter> NewEtcdArbiter(std::vector<std::string> endpoints, const EtcdArbiterOptions& options);

}  // namespace tapvm::ft
