// LoadRecordedMachine: the machine a journal was recorded on, rebuilt from
// the journal alone — the configuration (MachineConfig::Decode of the
// header, with the header's digest interval), the boot images and the
// drive sizes from the stored images — ready for BuildMachine.
//
// Refuses, with a message: a journal with no usable configuration, digests
// of another definition than this build computes, an image that is not
// stored or is damaged.
#pragma once

#include <cstdint>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"
#include "journal/reader.h"

namespace tapvm {

struct RecordedMachine {
  MachineConfig config;
  BootImages images;
  std::vector<uint64_t> drive_sizes;  // one per config.drives
  std::vector<journal::Hash128> drive_hashes;  // the recorded disk images' content hashes
};

Status LoadRecordedMachine(journal::JournalReader* reader, RecordedMachine* out);

}  // namespace tapvm
