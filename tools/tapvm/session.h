// Running a machine to its end, and saying how it ended: the two halves
// `run`, `record` and a replay that goes live share.
//
// RunSession runs the board with the host-side stops a user expects (the
// terminal's Ctrl-A x, a host time limit, a kernel panic on the console)
// and measures it; ReportOutcome prints the one-line outcome and returns
// the process exit status (the guest's own status where it gave one).
#pragma once

#include <cstdint>
#include <functional>

#include "emulator/machine/board.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

struct SessionLimits {
  uint64_t max_icount = UINT64_MAX;  // --max-insns (UINT64_MAX: none)
  double timeout_s = 0;              // --timeout (0: none)
  bool terminal = true;              // read the console from standard input
  bool quit_at_eof = false;          // end the run once the guest has read all of it and idles
  // How the board is run: Board::Run(max_icount, bound_idle_time) when
  // empty; a co-simulation runs it in chunks with a check after each.
  std::function<RunResult(uint64_t max_icount, bool bound_idle_time)> run;
};

struct SessionOutcome {
  RunResult result{RunResult::Kind::kLimit};
  bool timed_out = false;
  bool panicked = false;
  int signal = 0;  // SIGINT/SIGTERM/SIGHUP that stopped it, 0 if none
  bool input_ended = false;  // --quit-at-eof ended it
  bool control_quit = false;  // a control socket's `quit` ended it (set by the caller)
  double seconds = 0;
  uint64_t max_icount = UINT64_MAX;
  double timeout_s = 0;
};

// Runs `vm` (in run or record mode, or a replay gone live) until the guest
// ends or a limit stops it.
SessionOutcome RunSession(Vm& vm, const SessionLimits& limits);

// How the session ended, for the journal's tail: RunEndName, with a quit
// told apart as "panic", "timeout" or "quit" (Ctrl-A x).
std::string EndReason(const SessionOutcome& outcome);

// Prints how the session ended; returns the exit status.
int ReportOutcome(const HartState& state, const SessionOutcome& outcome);

}  // namespace tapvm::cli
