// MachineTarget: running forward and backward (see machine_target.h).
#include <cinttypes>
#include <cstdio>

#include "tools/gdb/machine_target.h"

namespace tapvm::gdb {

namespace {

std::string Where(uint64_t icount, uint64_t traps) {
  return "icount " + std::to_string(icount) + " (traps " + std::to_string(traps) + ")";
}

}  // namespace

void MachineTarget::Interrupt() {
  interrupt_.store(true);
  std::lock_guard<std::mutex> lock(running_mu_);
  if (running_) running_->RequestQuit();  // ends an unhooked run (and a WFI wait)
}

bool MachineTarget::StopAt(const HartState& s, bool executes) {
  if (interrupt_.load(std::memory_order_relaxed)) {
    hook_stop_ = StopEvent{};
    hook_stop_.kind = StopEvent::Kind::kInterrupted;
    return hook_stopped_ = true;
  }
  const Position p{s.icount, s.traps};
  bool stop = false;
  switch (mode_) {
    case HookMode::kStep:
      stop = p != start_;
      if (stop) hook_stop_ = StopEvent{};
      break;
    case HookMode::kContinue:
      hook_stop_ = StopEvent{};
      stop = executes && points_.Hit(*hooked_hart_, /*breakpoints=*/p != start_, &hook_stop_);
      break;
    case HookMode::kRunTo:
      stop = p == goal_ || p == goal2_ || p > std::max(goal_, goal2_);
      break;
    case HookMode::kScan:
      if (p >= goal_) {
        stop = true;
        break;
      }
      if (executes) {
        StopEvent e;
        if (points_.Hit(*hooked_hart_, true, &e)) last_hit_ = Hit{p, e};
      }
      break;
  }
  return hook_stopped_ = stop;
}

RunResult MachineTarget::RunBoard(std::optional<HookMode> mode) {
  Board& b = board();
  hook_stopped_ = false;
  if (mode) {
    mode_ = *mode;
    hooked_hart_ = &b.hart();
    b.hart().set_debug_hook(this);
  }
  {
    std::lock_guard<std::mutex> lock(running_mu_);
    running_ = &b;
  }
  RunResult r{RunResult::Kind::kQuit};
  if (!interrupt_.load()) r = b.Run(options_.end_icount);
  {
    std::lock_guard<std::mutex> lock(running_mu_);
    running_ = nullptr;
  }
  b.hart().set_debug_hook(nullptr);
  if (interrupt_.load()) b.ClearQuit();
  return r;
}

Status MachineTarget::ReplayHealth() {
  ReplayTap* replay = machine().replay();
  if (!replay) return Status::Ok();
  if (replay->divergence()) return Status::Corruption("the replay diverged: " + replay->divergence()->ToString());
  return replay->status();
}

StopEvent MachineTarget::EndOfRun(const RunResult& r) {
  StopEvent e;
  ReplayTap* replay = machine().replay();
  Board& b = board();
  if (r.kind == RunResult::Kind::kQuit && interrupt_.load()) {
    e.kind = StopEvent::Kind::kInterrupted;
    return e;
  }
  if (replay) {
    // Whatever else ended it, a replay ends where its recording did.
    if (options_.final_digest && final_digest_done_ != &b && !replay->divergence() && replay->status().ok()) {
      final_digest_done_ = &b;
      b.ReportFinalDigest();
    }
    if (Status st = ReplayHealth(); !st.ok()) {
      e.kind = StopEvent::Kind::kError;
      e.message = st.message();
      return e;
    }
    e.kind = StopEvent::Kind::kReplayEnd;
    if (options_.log)
      options_.log("gdb: the replay reached the end of the journal at icount " +
                   std::to_string(b.hart().state().icount) + " (" + RunEndName(r.kind) + "); it matched " +
                   std::to_string(replay->consumed()) + " events");
    return e;
  }
  switch (r.kind) {
    case RunResult::Kind::kPass: case RunResult::Kind::kReset: e.kind = StopEvent::Kind::kExited; break;
    case RunResult::Kind::kFail:
      e.kind = StopEvent::Kind::kExited;
      e.code = (r.code & 0xff) ? static_cast<int>(r.code & 0xff) : 1;
      break;
    case RunResult::Kind::kExit:
      e.kind = StopEvent::Kind::kExited;
      e.code = static_cast<int>(r.code & 0xff);
      break;
    default:
      e.kind = StopEvent::Kind::kError;
      e.message = std::string("the machine stopped: ") + RunEndName(r.kind);
      break;
  }
  return e;
}

Status MachineTarget::Resume(ResumeKind kind, StopEvent* stop) {
  interrupt_.store(false);
  switch (kind) {
    case ResumeKind::kStep: return Step(stop);
    case ResumeKind::kContinue: return Continue(stop);
    case ResumeKind::kReverseStep: return ReverseStep(stop);
    case ResumeKind::kReverseContinue: return ReverseContinue(stop);
  }
  return Status::InvalidArgument("unknown resume");
}

Status MachineTarget::Step(StopEvent* stop) {
  start_ = Here();
  const RunResult r = RunBoard(HookMode::kStep);
  *stop = hook_stopped_ ? hook_stop_ : EndOfRun(r);
  return Status::Ok();
}

Status MachineTarget::Continue(StopEvent* stop) {
  if (points_.empty()) {
    *stop = EndOfRun(RunBoard(std::nullopt));  // full speed, the configured engine
    return Status::Ok();
  }
  start_ = Here();
  const RunResult r = RunBoard(HookMode::kContinue);
  *stop = hook_stopped_ ? hook_stop_ : EndOfRun(r);
  return Status::Ok();
}

Status MachineTarget::RunToPosition(Position goal, Position goal2) {
  const Position here = Here();
  if (here == goal || here == goal2) return Status::Ok();
  if (here > std::max(goal, goal2))
    return Status::InvalidArgument("cannot run back to " + Where(goal.icount, goal.traps));
  goal_ = goal;
  goal2_ = goal2;
  RunBoard(HookMode::kRunTo);
  TAPVM_RETURN_IF_ERROR(ReplayHealth());
  if (interrupt_.load()) return Status::Ok();
  const Position p = Here();
  if (p != goal && p != goal2)
    return Status::Corruption("the replay did not pass " + Where(goal.icount, goal.traps) + "; it stopped at " +
                              Where(p.icount, p.traps));
  return Status::Ok();
}

Status MachineTarget::SeekToPosition(Position p) {
  TAPVM_RETURN_IF_ERROR(seeker_->SeekTo(p.icount));
  return RunToPosition(p, p);
}

Status MachineTarget::ReverseStep(StopEvent* stop) {
  if (!seeker_) return Status::NotSupported("reverse execution needs a replay (tapvm replay --gdb)");
  const Position cur = Here();
  *stop = StopEvent{};
  if (cur.icount == 0 && cur.traps == 0) {
    stop->kind = StopEvent::Kind::kReplayBegin;
    return Status::Ok();
  }
  // The boundary before (I, T): (I, T-1) if a trap was entered at I, else
  // (I-1, T); both lie at or after the first boundary of I-1.
  Position g1{cur.icount - 1, cur.traps}, g2{cur.icount, cur.traps - 1};
  if (cur.icount == 0) g1 = g2;
  if (cur.traps == 0) g2 = g1;
  TAPVM_RETURN_IF_ERROR(seeker_->SeekTo(cur.icount ? cur.icount - 1 : 0));
  TAPVM_RETURN_IF_ERROR(RunToPosition(g1, g2));
  if (interrupt_.load()) stop->kind = StopEvent::Kind::kInterrupted;
  return Status::Ok();
}

Status MachineTarget::ReverseContinue(StopEvent* stop) {
  if (!seeker_) return Status::NotSupported("reverse execution needs a replay (tapvm replay --gdb)");
  *stop = StopEvent{};
  Position end = Here();
  uint64_t base = seeker_->SeekBase(end.icount);
  while (!points_.empty()) {
    TAPVM_RETURN_IF_ERROR(seeker_->SeekTo(base));
    const Position base_pos = Here();
    last_hit_.reset();
    if (base_pos < end) {
      goal_ = end;
      RunBoard(HookMode::kScan);
      TAPVM_RETURN_IF_ERROR(ReplayHealth());
      if (interrupt_.load()) {
        stop->kind = StopEvent::Kind::kInterrupted;
        return Status::Ok();
      }
    }
    if (last_hit_) {
      const Hit hit = *last_hit_;
      TAPVM_RETURN_IF_ERROR(SeekToPosition(hit.at));
      if (hit.event.kind == StopEvent::Kind::kWatchpoint) {
        // Reported after the access: gdb steps back over it (non-steppable
        // watchpoints) and compares the values.
        start_ = Here();
        RunBoard(HookMode::kStep);
      }
      *stop = hit.event;
      if (interrupt_.load()) stop->kind = StopEvent::Kind::kInterrupted;
      return Status::Ok();
    }
    if (base == 0) break;
    end = base_pos;
    base = seeker_->SeekBase(base - 1);
  }
  TAPVM_RETURN_IF_ERROR(seeker_->SeekTo(0));
  stop->kind = StopEvent::Kind::kReplayBegin;
  return Status::Ok();
}

Status MachineTarget::Goto(uint64_t icount, std::string* out) {
  const HartState& s = board().hart().state();
  if (icount > options_.end_icount)
    return Status::OutOfRange("icount " + std::to_string(icount) + " is past the end (" +
                              std::to_string(options_.end_icount) + ")");
  if (seeker_) {
    TAPVM_RETURN_IF_ERROR(seeker_->SeekTo(icount));
  } else {
    if (icount < s.icount) return Status::NotSupported("a live machine cannot go back (replay it to do that)");
    const uint64_t end = options_.end_icount;
    options_.end_icount = icount;
    interrupt_.store(false);
    const RunResult r = RunBoard(std::nullopt);
    options_.end_icount = end;
    if (board().hart().state().icount != icount)
      return Status::OutOfRange(std::string("the machine stopped before: ") + RunEndName(r.kind));
  }
  const HartState& now = board().hart().state();
  char b[160];
  std::snprintf(b, sizeof b, "now at icount %" PRIu64 " (traps %" PRIu64 "), pc 0x%" PRIx64
                "; run `maint flush register-cache` so gdb reads it\n", now.icount, now.traps, now.pc);
  *out = b;
  return Status::Ok();
}

}  // namespace tapvm::gdb
