// OpenRecording: starts the journal of a machine about to run.
//
// Writes the header (the machine configuration, MachineConfig::Encode, and
// the digest interval), stores every drive's disk image from its file
// before the guest can write it, and queues the boot images on the pump,
// which stores them on its own thread while the guest boots. The result is
// the pump a RecordingTap appends to; close it with JournalPump::Close.
//
// `images` are the very bytes the machine boots from; they must stay valid
// until the pump is closed or destroyed. On failure no file is left behind.
#pragma once

#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"
#include "recorder/journal_pump.h"

namespace tapvm {

struct RecordingOptions {
  bool overwrite = false;  // replace an existing journal
  std::string writer_version = "tapvm 0.1.0";
  // More header configuration entries, after the machine's (an FT pair's
  // run id and role: ft_run_id, ft_role); MachineConfig::Decode skips them.
  MachineConfig::KeyValues extra_config;
};

Status OpenRecording(const std::string& path, const MachineConfig& config, const BootImages& images,
                     const RecordingOptions& options, std::unique_ptr<JournalPump>* out);

}  // namespace tapvm
