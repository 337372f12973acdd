#include "emulator/block/throttle_config.h"

#include "emulator/base/parse_number.h"

namespace tapvm {

namespace {

constexpr const char* kPrefix = "throttling.";
constexpr const char* kBucketNames[ThrottleLimits::kBucketCount] = {"bps-total", "bps-read", "bps-write",
                                                                    "iops-total", "iops-read", "iops-write"};

Status Bad(const std::string& option, const std::string& what) {
  return Status::InvalidArgument("--drive: " + std::string(kPrefix) + option + " " + what);
}

}  // namespace

const char* ThrottleBucketName(unsigned bucket) {
  return bucket < ThrottleLimits::kBucketCount ? kBucketNames[bucket] : "?";
}

bool IsThrottleOption(const std::string& key) { return key.rfind(kPrefix, 0) == 0; }

Status ParseThrottleOption(const std::string& key, const std::string& value, ThrottleConfig* config) {
  const std::string name = key.substr(std::string(kPrefix).size());
  if (name == "group") {
    if (value.empty()) return Bad(name, "needs a name");
    if (value.find_first_of(", =") != std::string::npos) return Bad(name, "must not contain ',', '=' or ' '");
    config->group = value;
    return Status::Ok();
  }
  if (name == "clock") {
    if (value == "virtual") config->clock = ThrottleConfig::Clock::kVirtual;
    else if (value == "host") config->clock = ThrottleConfig::Clock::kHost;
    else return Bad(name, "must be virtual or host (got '" + value + "')");
    return Status::Ok();
  }
  uint64_t n = 0;
  const bool number = ParseU64(value, &n);
  auto check = [&](const char* unit) -> Status {
    if (!number) return Bad(name, std::string("must be a whole number of ") + unit + " (got '" + value + "')");
    if (n > kThrottleValueMax) return Bad(name, "must be at most 10^15 (got " + value + ")");
    return Status::Ok();
  };
  if (name == "iops-size") {
    TAPVM_RETURN_IF_ERROR(check("bytes"));
    config->limits.iops_size = n;
    return Status::Ok();
  }
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b) {
    const std::string base = kBucketNames[b];
    const char* unit = b >= ThrottleLimits::kIopsTotal ? "operations per second" : "bytes per second";
    ThrottleLimits::Limit& lim = config->limits.bucket[b];
    if (name == base) {
      TAPVM_RETURN_IF_ERROR(check(unit));
      lim.avg = n;
      return Status::Ok();
    }
    if (name == base + "-max") {
      TAPVM_RETURN_IF_ERROR(check(unit));
      lim.max = n;
      return Status::Ok();
    }
    if (name == base + "-max-length") {
      if (!number) return Bad(name, "must be a whole number of seconds (got '" + value + "')");
      if (n == 0) return Bad(name, "cannot be 0");
      if (n > kThrottleMaxBurstSeconds) return Bad(name, "must be at most 10^9 seconds (got " + value + ")");
      lim.max_length = n;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("--drive: unknown throttling option '" + key +
                                 "' (known: throttling.{bps,iops}-{total,read,write}[-max[-length]], "
                                 "throttling.iops-size, throttling.group, throttling.clock)");
}

Status ValidateThrottleLimits(const ThrottleLimits& limits) {
  using L = ThrottleLimits;
  for (unsigned total : {L::kBpsTotal, L::kIopsTotal}) {
    const L::Limit& t = limits.bucket[total];
    const L::Limit& r = limits.bucket[total + 1];
    const L::Limit& w = limits.bucket[total + 2];
    if ((t.avg || t.max) && (r.avg || r.max || w.avg || w.max))
      return Bad(kBucketNames[total], std::string("cannot be used together with throttling.") +
                                          kBucketNames[total + 1] + " or throttling." + kBucketNames[total + 2]);
  }
  for (unsigned b = 0; b < L::kBucketCount; ++b) {
    const L::Limit& l = limits.bucket[b];
    const std::string name = kBucketNames[b];
    if (l.avg > kThrottleValueMax || l.max > kThrottleValueMax) return Bad(name, "must be at most 10^15");
    if (l.max_length == 0) return Bad(name + "-max-length", "cannot be 0");
    if (l.max_length > kThrottleMaxBurstSeconds) return Bad(name + "-max-length", "must be at most 10^9 seconds");
    if (l.max && !l.avg) return Bad(name + "-max", "needs throttling." + name + " (a burst of an average rate)");
    if (l.max && l.max < l.avg)
      return Bad(name + "-max", "(" + std::to_string(l.max) + ") cannot be lower than throttling." + name + " (" +
                                    std::to_string(l.avg) + ")");
    if (l.max_length > 1 && !l.max) return Bad(name + "-max-length", "needs throttling." + name + "-max");
  }
  if (limits.iops_size > kThrottleValueMax) return Bad("iops-size", "must be at most 10^15");
  return Status::Ok();
}

Status ValidateThrottleConfig(const ThrottleConfig& config) {
  TAPVM_RETURN_IF_ERROR(ValidateThrottleLimits(config.limits));
  if (!config.enabled() && (!config.group.empty() || config.clock != ThrottleConfig::Clock::kVirtual ||
                            config.limits.iops_size))
    return Status::InvalidArgument(
        "--drive: throttling.group, throttling.clock and throttling.iops-size need a limit (throttling.bps-* or "
        "throttling.iops-*)");
  return Status::Ok();
}

Status ValidateThrottleGroups(const std::vector<ThrottleConfig>& configs) {
  for (size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].group.empty()) continue;
    for (size_t j = 0; j < i; ++j) {
      if (configs[j].group != configs[i].group) continue;
      if (configs[j].limits != configs[i].limits || configs[j].clock != configs[i].clock)
        return Status::InvalidArgument("--drive: drives " + std::to_string(j) + " and " + std::to_string(i) +
                                       " are in throttling.group=" + configs[i].group +
                                       " but give different limits or clocks (a group has one set of limits)");
      break;
    }
  }
  return Status::Ok();
}

std::string ThrottleSpec(const ThrottleConfig& config) {
  std::string s;
  auto add = [&s](const std::string& name, uint64_t v) { s += "," + std::string(kPrefix) + name + "=" + std::to_string(v); };
  for (unsigned b = 0; b < ThrottleLimits::kBucketCount; ++b) {
    const ThrottleLimits::Limit& l = config.limits.bucket[b];
    const std::string name = kBucketNames[b];
    if (l.avg) add(name, l.avg);
    if (l.max) add(name + "-max", l.max);
    if (l.max_length != 1) add(name + "-max-length", l.max_length);
  }
  if (config.limits.iops_size) add("iops-size", config.limits.iops_size);
  if (!config.group.empty()) s += "," + std::string(kPrefix) + "group=" + config.group;
  if (config.clock == ThrottleConfig::Clock::kHost) s += "," + std::string(kPrefix) + "clock=host";
  return s;
}

}  // namespace tapvm
