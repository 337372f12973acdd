#include "tools/gdb/replay_seeker.h"

#include <string>

namespace tapvm::gdb {

Status RestartSeeker::Create(Factory make, std::unique_ptr<RestartSeeker>* out) {
  std::unique_ptr<RestartSeeker> s(new RestartSeeker(std::move(make)));
  TAPVM_RETURN_IF_ERROR(s->make_(&s->machine_));
  *out = std::move(s);
  return Status::Ok();
}

Status RestartSeeker::SeekTo(uint64_t target) {
  const HartState* s = &machine_->board().hart().state();
  // Forward on the machine there is when the target lies ahead of it; the
  // same icount only from the boundary a SeekTo left it at (another
  // boundary of that icount may lie after a trap).
  const bool ahead = target > s->icount ||
                     (target == s->icount && s->icount == landed_icount_ && s->traps == landed_traps_);
  if (!ahead) {
    std::unique_ptr<DebuggedMachine> fresh;
    TAPVM_RETURN_IF_ERROR(make_(&fresh));
    machine_ = std::move(fresh);
    ++restarts_;
    s = &machine_->board().hart().state();
  }
  Board& board = machine_->board();
  board.hart().set_debug_hook(nullptr);
  if (s->icount < target) {
    const RunResult r = board.Run(target);
    ReplayTap* replay = machine_->replay();
    if (replay && replay->divergence())
      return Status::Corruption("the replay diverged on the way: " + replay->divergence()->ToString());
    if (replay && !replay->status().ok()) return replay->status();
    if (r.kind == RunResult::Kind::kQuit) board.ClearQuit();
    if (s->icount != target)
      return Status::OutOfRange("the replay stopped at icount " + std::to_string(s->icount) + " (" +
                                RunEndName(r.kind) + ") before reaching " + std::to_string(target));
  }
  landed_icount_ = s->icount;
  landed_traps_ = s->traps;
  return Status::Ok();
}

}  // namespace tapvm::gdb
