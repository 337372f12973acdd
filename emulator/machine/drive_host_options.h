// The host-side options of a --drive: `cache=writeback|none`,
// `inject=RULES`, `inject-file=PATH` and `inject-seed=N` (block_options.h,
// emulator/block/inject.h for the rule grammar). The guest cannot see them
// (only their timing, and the I/O errors injected rules cause), so they do
// not take part in MachineConfig::FirstDifference.
//
// Kept apart from the rest of the --drive parser, which calls
// ParseDriveHostOption for each key it does not know itself. Pure: an
// inject-file is only named here; the drive's backend reads it when it
// opens (emulator/machine/backends/host_backends.cc).
#pragma once

#include <string>

#include "emulator/base/status.h"
#include "emulator/machine/machine_config.h"

namespace tapvm {

// True when `key` is one of these options; then *status says whether
// `value` was good (InvalidArgument naming the option and the value, or
// the bad inject rule).
bool ParseDriveHostOption(const std::string& key, const std::string& value, DriveConfig* d, Status* status);
// ",cache=none,inject=…" for the options that differ from the defaults
// (DriveSpec appends it).
std::string DriveHostOptionsSpec(const DriveConfig& d);
// Copies the host-side options (aio too) from `from`: what a replay takes
// from the user's --drive for a recorded drive's copy.
void TakeDriveHostOptions(const DriveConfig& from, DriveConfig* to);

}  // namespace tapvm
