// The disks of a recording, as `journal reblock` needs them: for each
// configured drive, the tap device its requests carry, whether it was
// read-only, and the stored image it started from.
//
// FindRecordedDrives rebuilds the recorded machine (LoadRecordedMachine,
// then BuildMachine with a tap that does nothing) so the device ids are the
// ones the machine builder really assigns, not a guess at its order.
// Errors (InvalidArgument, NotFound, Corruption) say why the journal cannot
// be used: no configuration, an image not stored, a damaged image, no
// drives at all.
#pragma once

#include <vector>

#include "emulator/base/status.h"
#include "emulator/tap.h"
#include "journal/header.h"
#include "journal/reader.h"

namespace tapvm::reblock {

struct RecordedDrive {
  TapDeviceId dev = 0;
  bool read_only = false;
  journal::ImageInfo image;  // role kDisk, stored
};

Status FindRecordedDrives(journal::JournalReader* reader, std::vector<RecordedDrive>* out);

}  // namespace tapvm::reblock
