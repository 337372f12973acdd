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

// Where a recording stopped, and how far a replay runs to end where and as
// it did: `icount` is the final icount (for a journal cut short, just past
// its last event, whose instruction must run); `run_limit` is the limit to
// pass to Board::Run — one more when the recording ended stuck, since a
// trap loop retires nothing and the replay must be let past the last
// icount to enter it too.
struct RecordedEnd {
  uint64_t icount = 0;
  uint64_t run_limit = 0;
  std::string reason;  // the tail's end reason ("" when not said, or cut short)
  // The recording ends with the final state's digest (Board::
  // ReportFinalDigest): every journal closed with an end reason does.
  bool final_digest = false;
};
RecordedEnd RecordedEndOf(const journal::JournalHeader& h);

}  // namespace tapvm
