// The identity of an FT pair's machine: what both sides must agree on
// before the secondary may replay the primary's log — everything the guest
// can observe (the machine configuration, the boot images' and disk
// images' contents), and nothing host-side (file paths, aio, network
// addresses: each side has its own disk copy and backends). The testing
// aid --break-insn is not part of it: a test breaks one side to show a
// divergence is caught.
//
// The entries are ordered key/value strings; their hash is the
// configuration hash both Hellos carry (ft/wire.h), and on a mismatch the
// first differing entry names the difference.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"
#include "ft/wire.h"

namespace tapvm::ft {

struct PairIdentity {
  Identity entries;
  uint64_t hash = 0;
};

// Builds the identity of `config` booting `images`; reads every drive's
// image file to hash it.
Status MakePairIdentity(const MachineConfig& config, const BootImages& images, PairIdentity* out);

}  // namespace tapvm::ft
