// ThrottleConfig: a drive's I/O throttling as `--drive` gives it, with
// QEMU's option names:
//   throttling.bps-total|bps-read|bps-write=N       bytes per second
//   throttling.iops-total|iops-read|iops-write=N    operations per second
//   each with -max=N (burst rate) and -max-length=S (burst seconds)
//   throttling.iops-size=N   a request larger than N counts as size/N ops
//   throttling.group=NAME    drives of one group share the limits
//   throttling.clock=virtual|host   (tapvm's own; default virtual)
// and QEMU's validation (ValidateThrottleLimits): a total limit together
// with its read/write ones, a burst below its average, a burst without an
// average, a burst length without a burst, a zero burst length and values
// above 10^15 are refused, each with a message naming the option.
//
// clock=virtual (the default) throttles inside the machine on guest time,
// deterministically (emulator/block/block_throttles.h); clock=host throttles
// in host time behind the tap, to protect the host
// (emulator/block/backends/host_throttle_backend.h).
//
// Pure functions on plain values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/tap.h"

namespace tapvm {

struct ThrottleConfig {
  enum class Clock : uint8_t { kVirtual, kHost };
  ThrottleLimits limits{};
  std::string group;  // empty: a group of its own
  Clock clock = Clock::kVirtual;
  bool enabled() const { return limits.any(); }
  friend bool operator==(const ThrottleConfig&, const ThrottleConfig&) = default;
};

// The largest rate or size accepted (QEMU's THROTTLE_VALUE_MAX), and the
// longest burst.
inline constexpr uint64_t kThrottleValueMax = 1'000'000'000'000'000;
inline constexpr uint64_t kThrottleMaxBurstSeconds = 1'000'000'000;

// True when `key` (a --drive option name) is a throttling option.
bool IsThrottleOption(const std::string& key);
// Parses one `throttling.*` option into *config; the message names the
// option ("--drive: throttling.bps-read must be a whole number of bytes per
// second (got '-1')").
Status ParseThrottleOption(const std::string& key, const std::string& value, ThrottleConfig* config);
// Checks a whole configuration once every option is parsed.
Status ValidateThrottleConfig(const ThrottleConfig& config);
Status ValidateThrottleLimits(const ThrottleLimits& limits);
// Drives of one group (by name, `configs` in drive order) must give the
// same limits and clock: the group has one set of limits.
Status ValidateThrottleGroups(const std::vector<ThrottleConfig>& configs);
// The canonical options, ",throttling.bps-read=1048576,..." (empty when
// nothing is set); ParseThrottleOption reads them back.
std::string ThrottleSpec(const ThrottleConfig& config);
// QEMU's name of a bucket's option, "bps-total", "iops-write"...
const char* ThrottleBucketName(unsigned bucket);

}  // namespace tapvm
