// Host signals while tapvm runs a machine.
//
// SIGINT, SIGTERM and SIGHUP stop a running machine the way Ctrl-A x does:
// at an instruction boundary, with the journal closed cleanly and the usual
// summary printed; the process then exits with 128 + the signal's number
// (130, 143, 129), the shell's convention for "ended by that signal". When
// no machine runs, they end the process as by default.
//
// Mechanism: Install(), called first in main() before any thread exists,
// blocks the three in every thread and starts a watcher thread that takes
// them with sigwait, so no thread is ever interrupted in the middle of
// anything. SIGPIPE is ignored (a closed output pipe gives write errors).
// Other fatal signals keep their default, but a raw terminal is restored
// first (terminal.cc).
#pragma once

#include <functional>

namespace tapvm::cli::signals {

void Install();
// While set, a stop signal calls `on_stop` (on the watcher thread) instead
// of ending the process. The handler must be thread-safe.
void SetStopHandler(std::function<void(int signal)> on_stop);
void ClearStopHandler();
// The stop signal taken by the handler, 0 if none.
int StopSignal();
// "SIGINT", "SIGTERM", ...
const char* Name(int signal);

}  // namespace tapvm::cli::signals
