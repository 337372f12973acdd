// ReplaySeeker: how the gdb stub moves a replay to an earlier (or later)
// instruction count — the one seam between reverse debugging and however
// the replay gets there.
//
// RestartSeeker replays from the start of the journal into a fresh
// machine: for journals without checkpoints. CheckpointSeeker
// (checkpoint_seeker.h) starts from the nearest checkpoint at or before the
// target instead (the journal's, or one it kept in memory), behind the
// same interface and landing rule.
//
// Contract:
// - SeekTo(n) leaves machine() at the first instruction boundary where
//   icount == n: before any trap taken at n (an interrupt, or the fault of
//   the instruction at n), exactly where Board::Run(n) stops. The replay
//   verifies every event on the way, as any replay does; a divergence or a
//   damaged journal is an error (Corruption), a target past the end of
//   the recording OutOfRange.
// - machine() may be another object after SeekTo: callers take it again.
// - SeekBase(n) is the largest icount <= n the seeker reaches without
//   replaying from further back (RestartSeeker: 0; a checkpoint seeker:
//   the checkpoint's). A reverse continue scans forward from there, and
//   only further back when that stretch holds no stop.
// - The machine must have no debug hook installed during SeekTo (the
//   seeker runs it at full speed).
// CPU thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "emulator/base/status.h"
#include "tools/gdb/debugged_machine.h"

namespace tapvm::gdb {

class ReplaySeeker {
 public:
  virtual ~ReplaySeeker() = default;
  virtual DebuggedMachine& machine() = 0;
  virtual Status SeekTo(uint64_t icount) = 0;
  virtual uint64_t SeekBase(uint64_t icount) const = 0;
};

class RestartSeeker final : public ReplaySeeker {
 public:
  // Builds a machine at the start of the journal, not yet run.
  using Factory = std::function<Status(std::unique_ptr<DebuggedMachine>*)>;
  // Builds the first machine at once (its error, if any, is returned).
  static Status Create(Factory make, std::unique_ptr<RestartSeeker>* out);

  DebuggedMachine& machine() override { return *machine_; }
  Status SeekTo(uint64_t icount) override;
  uint64_t SeekBase(uint64_t) const override { return 0; }
  // Machines built after the first (statistics).
  uint64_t restarts() const { return restarts_; }

 private:
  explicit RestartSeeker(Factory make) : make_(std::move(make)) {}

  Factory make_;
  std::unique_ptr<DebuggedMachine> machine_;
  uint64_t restarts_ = 0;
  // Where the last SeekTo left the machine (icount, traps): still there,
  // it is the first boundary of that icount.
  uint64_t landed_icount_ = 0, landed_traps_ = 0;
};

}  // namespace tapvm::gdb
