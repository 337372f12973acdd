#include "tools/tapvm/block_throttle_control.h"

namespace tapvm::cli {

namespace {

// QMP's bucket order and the block layer's are the same six buckets
// (total, read, write bytes; total, read, write operations).
static_assert(static_cast<int>(qmp::BlockIoThrottle::kBuckets) == static_cast<int>(ThrottleLimits::kBucketCount));

}  // namespace

ThrottleLimits ToThrottleLimits(const qmp::BlockIoThrottle& q) {
  ThrottleLimits t;
  for (int b = 0; b < qmp::BlockIoThrottle::kBuckets; ++b) {
    const qmp::BlockIoThrottle::Limit& in = q.limits[b];
    ThrottleLimits::Limit& out = t.bucket[b];
    out.avg = static_cast<uint64_t>(in.avg);
    out.max = static_cast<uint64_t>(in.max);
    out.max_length = static_cast<uint64_t>(in.max_length);
  }
  t.iops_size = static_cast<uint64_t>(q.iops_size);
  return t;
}

Status ApplyBlockIoThrottle(Vm& vm, CpuExecutor& cpu, size_t drive, const qmp::BlockIoThrottle& limits) {
  const DriveConfig& d = vm.config().drives[drive];
  // Throttle groups are fixed when the machine is built (they are part of
  // its configuration, and of a journal's header); QEMU would move the
  // drive. Naming the drive's own group, or none, is fine.
  if (!limits.group.empty() && limits.group != d.throttle.group) {
    return Status::NotSupported("moving a drive to another throttle group ('" + limits.group +
                                "') is not supported: groups are fixed by --drive throttling.group" +
                                (d.throttle.group.empty() ? std::string(" (this drive has none)")
                                                          : " (this drive's is '" + d.throttle.group + "')"));
  }
  return vm.SetBlockThrottle(vm.config().DriveName(drive), ToThrottleLimits(limits));
}

}  // namespace tapvm::cli
