// CheckpointSeeker: the ReplaySeeker for a journal with checkpoints
// (replay_seeker.h has the contract, the landing rule included). SeekTo(n)
// restores the nearest checkpoint at or before n into a fresh machine and
// replays from there to n, instead of from the start of the journal.
//
// Checkpoints come from two places:
// - the journal's own (docs/journal-format.md §6.1), folded into a full
//   state when first used;
// - checkpoints taken in memory while seeking: a seek that replays more
//   than Options::near instructions to its target first stops near/2
//   before the target and keeps the machine there. Reverse stepping, which
//   seeks a little before the last target again and again, then replays at
//   most near/2 instructions per step instead of up to a journal interval.
// Full states are kept in memory, least recently used dropped first, within
// Options::cache_bytes (a state costs about the RAM the guest has used).
//
// SeekBase(n) is the nearest checkpoint (either kind) at or before n; a
// reverse continue scans from there and, with no hit, from the checkpoint
// before, and so on.
//
// CPU thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "emulator/machine/checkpoint.h"
#include "journal/reader.h"
#include "tools/gdb/replay_seeker.h"

namespace tapvm::gdb {

struct CheckpointSeekerStats {
  uint64_t seeks = 0;
  uint64_t restores = 0;         // machines built from a checkpoint (or the start)
  uint64_t journal_loads = 0;    // journal checkpoints read and folded
  uint64_t memory_checkpoints = 0;  // taken while seeking
  uint64_t last_base = 0;        // icount the last restore started from
  double last_restore_ms = 0;    // building and restoring that machine
};

class CheckpointSeeker final : public ReplaySeeker {
 public:
  struct Options {
    uint64_t near = 1'000'000;
    uint64_t cache_bytes = 1ull << 30;
  };
  // Builds a replay machine restored from `from` (null: the journal's
  // start) whose journal stands after from->tap_position, where the
  // journal's chain must be `chain_before`.
  using Factory =
      std::function<Status(const MachineCheckpoint* from, uint64_t chain_before, std::unique_ptr<DebuggedMachine>*)>;

  // `index` is a reader of the journal for the seeker's own use.
  static Status Create(std::unique_ptr<journal::JournalReader> index, Factory make, Options options,
                       std::unique_ptr<CheckpointSeeker>* out);

  DebuggedMachine& machine() override { return *machine_; }
  Status SeekTo(uint64_t icount) override;
  uint64_t SeekBase(uint64_t icount) const override;

  size_t journal_checkpoints() const { return journal_icounts_.size(); }
  const CheckpointSeekerStats& stats() const { return stats_; }

 private:
  struct Cached {
    MachineCheckpoint state;
    uint64_t chain = 0;
    uint64_t last_use = 0;
  };
  CheckpointSeeker(std::unique_ptr<journal::JournalReader> index, Factory make, Options options)
      : index_(std::move(index)), make_(std::move(make)), options_(options) {}

  // A fresh machine at checkpoint `base` (0 with none there: the start).
  Status Restore(uint64_t base);
  // The full state at journal checkpoint `icount`, cached.
  Status LoadFromJournal(uint64_t icount, Cached** out);
  // Runs the machine forward to `target`, keeping a checkpoint near it on
  // a long way.
  Status RunTo(uint64_t target);
  Status RunBoard(uint64_t target);
  // Keeps the machine's state now as an in-memory checkpoint.
  Status KeepHere();
  void Trim(uint64_t keep);

  std::unique_ptr<journal::JournalReader> index_;
  Factory make_;
  Options options_;
  std::vector<uint64_t> journal_icounts_;  // ascending
  std::map<uint64_t, Cached> cache_;       // by icount
  uint64_t cache_bytes_ = 0;
  uint64_t clock_ = 0;
  std::unique_ptr<DebuggedMachine> machine_;
  uint64_t machine_events_ = 0;  // journal events before the machine's first
  uint64_t landed_icount_ = 0, landed_traps_ = 0;
  CheckpointSeekerStats stats_;
};

}  // namespace tapvm::gdb
