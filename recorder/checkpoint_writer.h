// CheckpointWriter: stores machine checkpoints in a journal, as the
// journal's checkpoint records and page blobs (journal/checkpoint_record.h,
// docs/journal-format.md §6.1). Used on the journal pump's thread, so the
// CPU thread only captures (Board::SaveCheckpoint) and queues.
//
// Checkpoints come in the order the board took them: the first full, each
// later one incremental on the one before (the pages written since). Each
// page is stored as a blob keyed by its content, so an unchanged or shared
// page costs nothing twice. The writer keeps the page table of the last
// checkpoint (address -> blob key) and, every kFullEvery checkpoints,
// stores a full record from it instead of an incremental one: a seek then
// folds at most kFullEvery - 1 increments, and writing it costs the CPU
// thread nothing (no page is copied again).
//
// Not thread-safe: one thread, one journal.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "emulator/base/status.h"
#include "emulator/machine/checkpoint.h"
#include "journal/writer.h"

namespace tapvm {

class CheckpointWriter {
 public:
  static constexpr unsigned kFullEvery = 16;

  // Stores `c` (its pages are consumed). `chain` is the journal's chain
  // after event c.tap_position; without it that must be the last event the
  // writer appended (a recording), whose chain the writer knows.
  Status Write(journal::JournalWriter* writer, MachineCheckpoint&& c, std::optional<uint64_t> chain);

 private:
  std::map<uint64_t, journal::Hash128> pages_;  // as of the last checkpoint written
  bool have_last_ = false;
  uint64_t last_icount_ = 0;
  unsigned since_full_ = 0;
};

}  // namespace tapvm
