// ApplyBlockIoThrottle: where a QMP block_set_io_throttle reaches the
// machine. The one function to wire to the block layer's throttle.
//
// Called on the QMP command thread (never the CPU thread) with arguments
// already checked by qmp::ParseBlockIoThrottle, for a drive that exists,
// in run or record mode (a replay refuses the command before this: its
// throttle changes come from the journal). A change of limits is something
// the guest can observe (its requests complete later), so it must become
// an input through the tap, stamped on the CPU thread and journaled: hand
// it to the Vm's throttle API (which queues it for the CPU thread), or use
// `cpu` (CpuExecutor::Call) to get onto the CPU thread. Returns OK once
// the new limits are in force (or queued to be, at the next slice
// boundary); an error becomes the command's GenericError.
#pragma once

#include <cstddef>

#include "emulator/base/status.h"
#include "tools/qmp/block_io_throttle.h"
#include "tools/tapvm/cpu_executor.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

Status ApplyBlockIoThrottle(Vm& vm, CpuExecutor& cpu, size_t drive, const qmp::BlockIoThrottle& limits);

// QMP's throttle arguments as the block layer's limits.
ThrottleLimits ToThrottleLimits(const qmp::BlockIoThrottle& q);

}  // namespace tapvm::cli
