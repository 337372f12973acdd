// Machine checkpoints out of a journal: the whole machine at one of the
// journal's checkpoints, ready for Board::RestoreCheckpoint, and the
// journal positioned to replay on from there.
//
// LoadJournalCheckpoint folds: a journal keeps a full checkpoint now and
// then and incremental ones between (journal/checkpoint_record.h). The
// state at an incremental one is its own hart and devices, and RAM from
// the newest record of each page walking back to the full one. Only the
// pages the result holds are read (each blob checked against its key);
// the records in between are read for their page lists alone.
//
// Errors: a damaged record or page blob, a missing parent, state bytes that
// do not decode: Corruption naming the checkpoint (and page). Not
// thread-safe (the reader is not).
#pragma once

#include <cstdint>

#include "emulator/base/status.h"
#include "emulator/machine/checkpoint.h"
#include "journal/reader.h"

namespace tapvm {

struct JournalCheckpoint {
  MachineCheckpoint machine;  // full, tap_position set
  uint64_t chain = 0;         // the journal's chain after tap_position
  unsigned folded = 0;        // incremental records folded in
};

// The checkpoint nearest at or before `icount`; *found = false if the
// journal has none there (then replay from its start).
Status LoadJournalCheckpoint(journal::JournalReader* reader, uint64_t icount, JournalCheckpoint* out, bool* found);

// Positions `reader` to replay on from `c`: Next() returns the event after
// c's tap position, and the events from there must link to c's chain.
Status SeekAfterCheckpoint(journal::JournalReader* reader, const JournalCheckpoint& c);

}  // namespace tapvm
