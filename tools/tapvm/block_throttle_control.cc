#include "tools/tapvm/block_throttle_control.h"

namespace tapvm::cli {

Status ApplyBlockIoThrottle(Vm& vm, CpuExecutor& cpu, size_t drive, const qmp::BlockIoThrottle& limits) {
  // Plug the block layer's live throttle here (see the header): convert
  // `limits` (QEMU's six buckets, burst rates and lengths, iops_size,
  // group) and apply them to drive `drive` as a journaled input.
  return Status::NotSupported("throttling is not available in this build");
}

}  // namespace tapvm::cli
