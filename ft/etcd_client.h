// EtcdClient: POSTs JSON to an etcd v3 gateway (libcurl), for the etcd
// arbiter.
//
// Contract:
// - Call returns by `deadline`: each HTTP request is bounded by what is
//   left of it, and a request that could not connect, lost its connection,
//   or found etcd unavailable (gRPC code 14) is tried again, on the next
//   endpoint in turn, while time is left.
// - Errors name the endpoint and the call: "etcd arbiter
//   http://127.0.0.1:2379: lease grant: cannot connect: Connection
//   refused". An answer that is not a JSON object (or is over 1 MiB) is
//   Corruption; an etcd error answer ({"error": ..., "code": N}) or an
//   HTTP status other than 200 is IOError.
// - A set `stop` flag aborts a request in flight and the waits between
//   tries (for a thread that is being shut down).
// - Stateless past construction: thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/base/status.h"

namespace tapvm::ft {

class EtcdClient {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EtcdClient(std::vector<std::string> endpoints);

  // POSTs `body` to `path` ("/v3/kv/txn"); `what` names the call in errors.
  Status Call(const char* what, const std::string& path, const nlohmann::json& body, Clock::time_point deadline,
              nlohmann::json* reply, const std::atomic<bool>* stop = nullptr) const;

  // "http://a:1,http://b:2".
  std::string EndpointList() const;

 private:
  std::vector<std::string> endpoints_;
};

// Reads an int64 field of a JSON object, as a number or as a decimal
// string (the gateway writes int64 as strings). False if absent or not one.
bool JsonInt64(const nlohmann::json& object, const char* field, int64_t* out);

// The start of a reply, for error messages.
std::string JsonExcerpt(const nlohmann::json& value);

}  // namespace tapvm::ft
