// DebuggedMachine: the machine the gdb stub debugs, as tools/tapvm built it
// (the Vm, its taps and backends stay that layer's business): its board,
// and for a replay the replay tap, which says where the journal is and
// whether the replay still matches it. Owned by the stub (run mode) or by
// a ReplaySeeker (replay mode), which builds fresh ones.
#pragma once

#include "emulator/machine/board.h"
#include "replayer/replay_tap.h"

namespace tapvm::gdb {

class DebuggedMachine {
 public:
  virtual ~DebuggedMachine() = default;
  virtual Board& board() = 0;
  // The replay tap; nullptr for a live machine.
  virtual ReplayTap* replay() = 0;
};

}  // namespace tapvm::gdb
