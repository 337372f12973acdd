#include "tools/qmp/block_io_throttle.h"

namespace tapvm::qmp {

const char* BlockIoThrottle::Name(Bucket b) {
  static const char* const kNames[kBuckets] = {"bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr"};
  return kNames[b];
}

bool BlockIoThrottle::enabled() const {
  for (const Limit& l : limits)
    if (l.avg) return true;
  return false;
}

std::vector<ArgSpec> BlockIoThrottleArgs() {
  std::vector<ArgSpec> specs{{"device", ArgType::kString, false}, {"id", ArgType::kString, false}};
  for (int b = 0; b < BlockIoThrottle::kBuckets; ++b) {
    const std::string name = BlockIoThrottle::Name(static_cast<BlockIoThrottle::Bucket>(b));
    specs.push_back({name, ArgType::kInt, true});
    specs.push_back({name + "_max", ArgType::kInt, false});
    specs.push_back({name + "_max_length", ArgType::kInt, false});
  }
  specs.push_back({"iops_size", ArgType::kInt, false});
  specs.push_back({"group", ArgType::kString, false});
  return specs;
}

std::optional<QmpError> ParseBlockIoThrottle(const QmpArgs& args, BlockIoThrottle* out) {
  BlockIoThrottle t;
  const auto device = args.str("device");
  const auto id = args.str("id");
  if (device.has_value() == id.has_value()) return QmpError::Generic("Need exactly one of 'device' and 'id'");
  t.device = device ? *device : *id;
  const std::string range = "bps/iops/max values must be within [0, " + std::to_string(kThrottleValueMax) + "]";
  for (int b = 0; b < BlockIoThrottle::kBuckets; ++b) {
    const std::string name = BlockIoThrottle::Name(static_cast<BlockIoThrottle::Bucket>(b));
    BlockIoThrottle::Limit& l = t.limits[b];
    l.avg = args.integer(name).value_or(0);
    l.max = args.integer(name + "_max").value_or(0);
    l.max_length = args.integer(name + "_max_length").value_or(1);
    if (l.avg < 0 || l.max < 0 || l.avg > kThrottleValueMax || l.max > kThrottleValueMax)
      return QmpError::Generic(range);
  }
  t.iops_size = args.integer("iops_size").value_or(0);
  t.group = args.str("group").value_or("");
  if (t.iops_size < 0) return QmpError::Generic("iops_size must not be negative");
  using B = BlockIoThrottle;
  const auto& L = t.limits;
  // A total limit and a read or write one of the same kind cannot be set
  // together (averages, and bursts).
  auto clash = [&L](B::Bucket total, B::Bucket rd, B::Bucket wr, auto field) {
    return L[total].*field && (L[rd].*field || L[wr].*field);
  };
  if (clash(B::kBpsTotal, B::kBpsRead, B::kBpsWrite, &B::Limit::avg) ||
      clash(B::kIopsTotal, B::kIopsRead, B::kIopsWrite, &B::Limit::avg) ||
      clash(B::kBpsTotal, B::kBpsRead, B::kBpsWrite, &B::Limit::max) ||
      clash(B::kIopsTotal, B::kIopsRead, B::kIopsWrite, &B::Limit::max))
    return QmpError::Generic("bps/iops/max total values and read/write values cannot be used at the same time");
  if (t.iops_size && !L[B::kIopsTotal].avg && !L[B::kIopsRead].avg && !L[B::kIopsWrite].avg)
    return QmpError::Generic("iops size requires an iops value to be set");
  for (const B::Limit& l : L) {
    if (l.max_length == 0) return QmpError::Generic("the burst length cannot be 0");
    if (l.max_length < 0) return QmpError::Generic("the burst length cannot be negative");
    if (l.max_length > 1 && !l.max) return QmpError::Generic("burst length set without burst rate");
    if (l.max && l.max_length > kThrottleValueMax / l.max)
      return QmpError::Generic("burst length too high for this burst rate");
    if (l.max && !l.avg) return QmpError::Generic("bps_max/iops_max require corresponding bps/iops values");
    if (l.max && l.max < l.avg) return QmpError::Generic("bps_max/iops_max cannot be lower than bps/iops");
  }
  *out = std::move(t);
  return std::nullopt;
}

}  // namespace tapvm::qmp
