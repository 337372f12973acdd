// MachineTarget: the DebugTarget over a tapvm machine — a live one (`tapvm
// run --gdb`) or a replay (`tapvm replay --gdb`), which also runs backwards.
//
// Positions. Every instruction boundary is named by (icount, traps): a
// retired instruction adds one to icount, a trap's entry (exception or
// interrupt) one to traps and nothing to icount, so two boundaries at one
// icount (the faulting instruction, then its handler's first) stay apart.
//
// Engines. A resume with nothing to stop at (continue, no breakpoint or
// watchpoint) runs the machine as configured, the JIT included; Interrupt
// stops it at the next slice boundary (Board::RequestQuit). Anything that
// must stop at one exact boundary (a step, a continue with breakpoints or
// watchpoints, a reverse scan) installs this target as the hart's
// DebugHook: the interpreter then runs one boundary at a time and the hook
// decides at each one (debug_hook.h). Either way the machine runs the
// same, so a debugged replay verifies like any other: the debugger leaves
// no trace in icount, digests or events.
//
// Reverse execution (replay only), on a ReplaySeeker:
// - reverse step from (I, T): the boundary before it is (I, T-1) when a
//   trap was entered at I, else (I-1, T); exactly one of them lies on the
//   way from the first boundary of I-1 to (I, T). So: seek to I-1, then step
//   to whichever of the two comes first.
// - reverse continue: replay from SeekBase to here with the hook noting
//   the last breakpoint or watchpoint hit, then seek to it. A breakpoint is
//   reported where it hit (before its instruction); a watchpoint one
//   boundary after its access, since gdb's riscv port then steps back over
//   the access itself (its watchpoints are non-steppable, stop_points.h).
//   No hit: the start of the journal, reported as replaylog:begin.
// - a replay that runs forward to the end of the journal reports
//   replaylog:end, and checks the recording's final digest once.
//
// Writes (registers, memory) are refused in a replay: the journal fixes
// every value, and a changed one would diverge at once.
//
// Threads: the CPU thread, except Interrupt (thread-safe).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/cpu/debug_hook.h"
#include "tools/gdb/debug_target.h"
#include "tools/gdb/debugged_machine.h"
#include "tools/gdb/replay_seeker.h"
#include "tools/gdb/stop_points.h"

namespace tapvm::gdb {

class MachineTarget final : public DebugTarget, private DebugHook {
 public:
  struct Options {
    // Where a forward run ends: a replay's recorded end (RecordedEnd::
    // run_limit), a live run's --max-insns.
    uint64_t end_icount = UINT64_MAX;
    // A replay whose journal ends with the final state's digest checks it
    // when it reaches end_icount.
    bool final_digest = false;
    // Messages for the person at tapvm's console.
    std::function<void(const std::string&)> log;
  };

  // A live machine; `machine` must outlive the target.
  MachineTarget(DebuggedMachine* machine, Options options);
  // A replay, moved by `seeker` (which must outlive the target).
  MachineTarget(ReplaySeeker* seeker, Options options);
  ~MachineTarget() override;

  Status ReadRegister(unsigned regnum, uint64_t* value) override;
  Status WriteRegister(unsigned regnum, uint64_t value) override;
  Status ReadMemory(uint64_t addr, size_t len, std::vector<uint8_t>* out) override;
  Status WriteMemory(uint64_t addr, const std::vector<uint8_t>& data) override;
  Status InsertStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) override;
  Status RemoveStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) override;
  Status Resume(ResumeKind kind, StopEvent* stop) override;
  void Interrupt() override;
  bool reverse_supported() const override { return seeker_ != nullptr; }
  Status Monitor(std::string_view command, std::string* output) override;

  // The machine as it is now (a seek may have replaced it).
  DebuggedMachine& machine() { return seeker_ ? seeker_->machine() : *machine_; }

 private:
  struct Position {
    uint64_t icount = 0, traps = 0;
    auto operator<=>(const Position&) const = default;
  };
  // What the hook does at each boundary.
  enum class HookMode : uint8_t {
    kStep,      // stop at the first boundary past start_
    kContinue,  // stop at the first stop point past start_
    kRunTo,     // stop at goal_ or goal2_ (or anything past goal_)
    kScan,      // note the last stop point hit before goal_; stop at goal_
  };
  struct Hit {
    Position at;
    StopEvent event;
  };

  Board& board() { return machine().board(); }
  Position Here() { return {board().hart().state().icount, board().hart().state().traps}; }
  bool StopAt(const HartState& state, bool executes) override;

  // Runs the board to end_icount, with the hook in `mode` or without it.
  RunResult RunBoard(std::optional<HookMode> mode);
  // The stop a run that ended without the hook's say ends in.
  StopEvent EndOfRun(const RunResult& r);
  // The replay is broken (diverged, damaged journal): that, as an error.
  Status ReplayHealth();

  Status Step(StopEvent* stop);
  Status Continue(StopEvent* stop);
  Status ReverseStep(StopEvent* stop);
  Status ReverseContinue(StopEvent* stop);
  // Seeks to the boundary `p` (replay only).
  Status SeekToPosition(Position p);
  // Runs forward with the hook to the first of goal or goal2.
  Status RunToPosition(Position goal, Position goal2);
  Status Goto(uint64_t icount, std::string* output);
  Status RefuseInReplay(const char* what);

  DebuggedMachine* machine_ = nullptr;
  ReplaySeeker* seeker_ = nullptr;
  Options options_;
  StopPoints points_;

  HookMode mode_ = HookMode::kStep;
  Position start_, goal_, goal2_;
  StopEvent hook_stop_;
  bool hook_stopped_ = false;
  std::optional<Hit> last_hit_;
  const Hart* hooked_hart_ = nullptr;  // the hart the hook is installed in
  Board* final_digest_done_ = nullptr;  // the machine whose final digest was checked

  std::atomic<bool> interrupt_{false};
  std::mutex running_mu_;
  Board* running_ = nullptr;  // the board inside Run, for Interrupt
};

}  // namespace tapvm::gdb
