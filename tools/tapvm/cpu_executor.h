// CpuExecutor: how a host-facing service (the QMP control socket) gets work
// done on the machine's CPU thread, and how it pauses the machine.
//
// Work goes through Board::RunOnCpuThread, so it runs at a slice boundary,
// between instructions, where reading machine state is safe. Pausing is
// such work: at a slice boundary the CPU thread stops in a wait loop that
// still runs queued work (so a paused machine answers queries) until
// Resume, a quit request on the board (a signal, a timeout, QMP quit) or
// Close. Pausing is pure host-side scheduling: no instruction runs, no
// virtual time passes and nothing goes through the tap while paused, so
// the guest cannot tell, a recording's journal is the same as without the
// pause (inputs that arrive meanwhile are delivered, and journaled, after
// it, like any input that arrives late), and a replay still verifies.
//
// Close, called on the CPU thread once the machine will not run again,
// runs what is still queued and refuses new work, so no caller waits for a
// machine that has stopped. Work may run after its Call timed out: it must
// own what it touches (capture shared_ptrs, not the caller's locals).
// Thread-safe except Close.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "emulator/machine/board.h"

namespace tapvm::cli {

class CpuExecutor {
 public:
  // `board` must outlive every Run during which work may be queued.
  explicit CpuExecutor(Board* board);
  ~CpuExecutor();

  // Runs `work` on the CPU thread and waits up to `timeout` for it to have
  // run; false when it did not (closed, or the timeout passed).
  bool Call(std::function<void()> work, std::chrono::milliseconds timeout);
  // Call for a value.
  template <typename T>
  std::optional<T> Get(std::function<T()> fn, std::chrono::milliseconds timeout) {
    auto out = std::make_shared<std::optional<T>>();
    if (!Call([out, fn = std::move(fn)] { *out = fn(); }, timeout)) return std::nullopt;
    return *out;
  }

  // Stops the machine at its next slice boundary; true once it is paused
  // (at once if it already was), false if it did not pause within
  // `timeout` (closed, or quitting).
  bool Pause(std::chrono::milliseconds timeout);
  // Lets a paused machine go on (no-op if not paused).
  void Resume();
  bool paused() const;

  // CPU thread, when the machine has stopped for good.
  void Close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tapvm::cli
