#include "recorder/checkpoint_recorder.h"

#include <algorithm>
#include <chrono>

namespace tapvm {

RunResult CheckpointRecorder::Run(Board& board, uint64_t max_icount, bool bound_idle_time, const PositionFn& position) {
  const HartState& s = board.hart().state();
  uint64_t next = (s.icount / interval_ + 1) * interval_;
  for (;;) {
    if (next >= max_icount || !status_.ok()) return board.Run(max_icount, bound_idle_time);
    // The whole run's time bound, not the stretch's (Board::RunUntil).
    const RunResult r = board.RunUntil(next, bound_idle_time ? max_icount : UINT64_MAX);
    // Short of the multiple: the run's own end (its time bound; a stream
    // replay's StopIcount).
    if (r.kind != RunResult::Kind::kLimit || s.icount < next) return r;
    const Status st = Take(board, position());
    if (!st.ok() && status_.ok()) status_ = st;
    next += interval_;
  }
}

Status CheckpointRecorder::Take(Board& board, const Position& at) {
  const bool incremental = have_last_;
  const auto t0 = std::chrono::steady_clock::now();
  MachineCheckpoint c;
  TAPVM_RETURN_IF_ERROR(
      board.SaveCheckpoint(incremental ? MachineCheckpoint::Kind::kIncremental : MachineCheckpoint::Kind::kFull, &c));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  c.tap_position = at.events;
  if (incremental) {
    stats_.incremental_ms += ms;
    stats_.max_incremental_ms = std::max(stats_.max_incremental_ms, ms);
    stats_.incremental_pages += c.pages.size();
  } else {
    stats_.full_ms = ms;
    stats_.full_pages = c.pages.size();
  }
  ++stats_.taken;
  have_last_ = true;
  return pump_->PutCheckpoint(std::move(c), at.chain);
}

}  // namespace tapvm
