// `--gdb HOST:PORT` on `tapvm run` and `tapvm replay`: the machine waits,
// halted at its first instruction, for gdb to attach, and is then run by
// gdb's commands only (tools/gdb). The CPU thread serves gdb; a replay is
// moved backwards by a RestartSeeker, which builds a fresh replay machine
// from the journal and replays it to the target icount.
#pragma once

#include <string>

#include "replayer/recorded_machine.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

struct GdbReplayOptions {
  std::string spec;          // HOST:PORT
  std::string journal_path;  // the journal to reopen for each fresh machine
  RecordedMachine machine;   // its configuration and images (loaded once)
  RecordedEnd end;
  bool show_console = true;
  uint64_t start_at = 0;     // replay --from: the icount the session starts at
};

// Debugs a replay; returns the exit status (1 if the replay diverged).
int DebugReplay(GdbReplayOptions options);
// Debugs a live machine (`vm` in run mode); returns the exit status.
int DebugLive(Vm& vm, const std::string& spec, uint64_t max_icount);

}  // namespace tapvm::cli
