// The arguments of QMP's block_set_io_throttle (QEMU's BlockIOThrottle),
// parsed and checked the way QEMU checks them (util/throttle.c's rules),
// as a plain value for whatever applies the limits.
//
// Six leaky buckets: total, read and write bytes per second (bps, bps_rd,
// bps_wr) and operations per second (iops, iops_rd, iops_wr). Each has an
// average rate, an optional burst rate (*_max) and the burst's length in
// seconds (*_max_length, default 1). 0 means "no limit"; all six averages
// 0 turns throttling off for the drive. iops_size: an operation larger than
// this counts as several (0: each counts once). group: drives of one group
// share their limits (QEMU's throttle groups).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/qmp/qmp_protocol.h"

namespace tapvm::qmp {

struct BlockIoThrottle {
  enum Bucket { kBpsTotal, kBpsRead, kBpsWrite, kIopsTotal, kIopsRead, kIopsWrite, kBuckets };
  struct Limit {
    int64_t avg = 0;         // per second
    int64_t max = 0;         // burst rate per second (0: no burst)
    int64_t max_length = 1;  // seconds the burst may last
    friend bool operator==(const Limit&, const Limit&) = default;
  };
  // QEMU's names of the buckets: "bps", "bps_rd", ... "iops_wr".
  static const char* Name(Bucket b);

  std::string device;  // the drive, as `device` or `id` named it (exactly one is given)
  std::array<Limit, kBuckets> limits{};
  int64_t iops_size = 0;
  std::string group;  // empty: none

  bool enabled() const;
  friend bool operator==(const BlockIoThrottle&, const BlockIoThrottle&) = default;
};

// QEMU's largest accepted rate (THROTTLE_VALUE_MAX).
inline constexpr int64_t kThrottleValueMax = 1'000'000'000'000'000;

// The command's argument declaration (for QmpDispatcher::Register).
std::vector<ArgSpec> BlockIoThrottleArgs();
// Fills `out` from arguments the dispatcher checked against
// BlockIoThrottleArgs; a GenericError with QEMU's wording when the values
// do not make a valid configuration.
std::optional<QmpError> ParseBlockIoThrottle(const QmpArgs& args, BlockIoThrottle* out);

}  // namespace tapvm::qmp
