// Where a replay starts: at the journal's start, at the nearest of its
// checkpoints at or before an icount (`replay --from`, `journal
// checkpoint --at`), or at a checkpoint file (`replay --from-checkpoint`).
// Each positions the journal reader after the checkpoint's tap position and
// builds the replay Vm restored from it.
//
// A checkpoint file (WriteCheckpointFile) is the checkpoint encoding
// (docs/checkpoint-format.md) whose identity names, besides the machine,
// where in which recording it stands: "journal_chain" = "<events>:<chain
// after them>". A file from another machine is refused by the restore
// (its first identity key that differs); one from another recording of
// the same machine by that key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "emulator/machine/checkpoint.h"
#include "journal/reader.h"
#include "replayer/event_source.h"
#include "replayer/recorded_machine.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

struct ReplayStart {
  bool checkpoint = false;  // false: the journal's start
  uint64_t icount = 0;      // where the machine starts
  uint64_t events = 0;      // journal events before it
  unsigned folded = 0;      // incremental checkpoints folded in
  double load_ms = 0;       // reading (and folding) the checkpoint
  double restore_ms = 0;    // building the machine and restoring it
  std::string Describe() const;  // "checkpoint at icount N (event E, ...)"
};

// A replay Vm at the nearest journal checkpoint at or before `icount`, or
// at the start when there is none. `source` reads `reader` and must
// outlive the Vm.
Status StartReplayAt(journal::JournalReader* reader, const RecordedMachine& m, uint64_t icount, bool show_console,
                     JournalEventSource* source, std::unique_ptr<Vm>* vm, ReplayStart* start);

// A replay Vm restored from the checkpoint file at `path` (see above).
Status StartReplayFromFile(journal::JournalReader* reader, const RecordedMachine& m, const std::string& path,
                           bool show_console, JournalEventSource* source, std::unique_ptr<Vm>* vm,
                           ReplayStart* start);

// Writes the replay's machine, now, as a checkpoint file at `path`
// (atomically: a temporary file renamed); `events` journal events lie
// before it. *bytes: the file's size.
Status WriteCheckpointFile(journal::JournalReader* reader, Board& board, uint64_t events, const std::string& path,
                           uint64_t* bytes);

}  // namespace tapvm::cli
