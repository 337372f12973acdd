// CheckpointRecorder: takes a journal's checkpoints on the CPU thread, at
// every multiple of an interval of instructions, while a machine records
// (or while a replay indexes an older journal: `tapvm journal index`).
//
// Run() runs the board as Board::Run(max_icount, bound_idle_time) does,
// but in stretches ending at each multiple of the interval, and there
// captures the machine (Board::SaveCheckpoint: the first full, then
// incremental) and queues it on the journal pump. Cutting a run into
// stretches is transparent to the machine (interrupts are taken at the same
// boundaries however runs are cut), and capturing changes nothing the guest
// can observe. The CPU thread pays only for copying the pages written
// since the last checkpoint; hashing and storing them is the pump's.
//
// With bound_idle_time, every stretch is bounded by the whole run's
// virtual-time bound (Board::RunUntil): an idle guest ends the run where
// one Board::Run would have.
//
// Capture or queue errors are kept (status()) and end checkpointing, not
// the run: a recording without its later checkpoints still replays.
// CPU thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "emulator/base/status.h"
#include "emulator/machine/board.h"
#include "recorder/journal_pump.h"

namespace tapvm {

// `tapvm record`'s default (docs/journal-format.md §6.1 says why).
inline constexpr uint64_t kDefaultCheckpointInterval = 100'000'000;

struct CheckpointRecorderStats {
  uint64_t taken = 0;
  double full_ms = 0;           // capturing the first (full) checkpoint
  uint64_t full_pages = 0;
  double incremental_ms = 0;    // capturing all the incremental ones
  double max_incremental_ms = 0;
  uint64_t incremental_pages = 0;
};

class CheckpointRecorder {
 public:
  // `pump` must outlive the recorder; interval > 0.
  CheckpointRecorder(JournalPump* pump, uint64_t interval) : pump_(pump), interval_(interval) {}

  // Where the journal stands at a capture: the events before it, and (for
  // a journal being indexed) its chain after them.
  struct Position {
    uint64_t events = 0;
    std::optional<uint64_t> chain;
  };
  using PositionFn = std::function<Position()>;

  RunResult Run(Board& board, uint64_t max_icount, bool bound_idle_time, const PositionFn& position);
  // Captures and queues one checkpoint now.
  Status Take(Board& board, const Position& at);

  uint64_t interval() const { return interval_; }
  const CheckpointRecorderStats& stats() const { return stats_; }
  const Status& status() const { return status_; }

 private:
  JournalPump* pump_;
  uint64_t interval_;
  CheckpointRecorderStats stats_;
  Status status_;
  bool have_last_ = false;
};

}  // namespace tapvm
