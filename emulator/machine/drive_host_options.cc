#include "emulator/machine/drive_host_options.h"

#include "emulator/block/inject.h"

namespace tapvm {

bool ParseDriveHostOption(const std::string& key, const std::string& value, DriveConfig* d, Status* status) {
  *status = Status::Ok();
  if (key == "cache") {
    Status st = ParseBlockCache(value, &d->cache);
    if (!st.ok()) *status = st.WithPrefix("--drive: ");
  } else if (key == "inject") {
    Status st = FaultInjector::Validate(value);
    if (!st.ok()) *status = st.WithPrefix("--drive inject: ");
    else d->inject = value;
  } else if (key == "inject-file") {
    if (value.empty()) *status = Status::InvalidArgument("--drive: inject-file needs a PATH");
    d->inject_file = value;
  } else if (key == "inject-seed") {
    uint64_t v = 0;
    bool ok = !value.empty() && value.size() <= 20;
    for (char c : value) {
      if (c < '0' || c > '9' || v > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10) {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok) *status = Status::InvalidArgument("--drive: inject-seed must be a number (got '" + value + "')");
    d->inject_seed = v;
  } else {
    return false;
  }
  return true;
}

std::string DriveHostOptionsSpec(const DriveConfig& d) {
  std::string s;
  if (d.cache != BlockCache::kWriteback) s += std::string(",cache=") + BlockCacheName(d.cache);
  if (!d.inject.empty()) s += ",inject=" + d.inject;
  if (!d.inject_file.empty()) s += ",inject-file=" + d.inject_file;
  if (d.inject_seed != 0) s += ",inject-seed=" + std::to_string(d.inject_seed);
  return s;
}

void TakeDriveHostOptions(const DriveConfig& from, DriveConfig* to) {
  to->aio = from.aio;
  to->cache = from.cache;
  to->inject = from.inject;
  to->inject_file = from.inject_file;
  to->inject_seed = from.inject_seed;
}

}  // namespace tapvm
