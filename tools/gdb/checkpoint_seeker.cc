#include "tools/gdb/checkpoint_seeker.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "replayer/journal_checkpoints.h"

namespace tapvm::gdb {

namespace {

uint64_t StateBytes(const MachineCheckpoint& c) { return c.ram_bytes() + c.hart.size() + c.devices.size(); }

}  // namespace

Status CheckpointSeeker::Create(std::unique_ptr<journal::JournalReader> index, Factory make, Options options,
                                std::unique_ptr<CheckpointSeeker>* out) {
  std::unique_ptr<CheckpointSeeker> s(new CheckpointSeeker(std::move(index), std::move(make), options));
  std::vector<journal::CheckpointSummary> list;
  TAPVM_RETURN_IF_ERROR(s->index_->ListCheckpoints(&list));
  for (const auto& c : list) s->journal_icounts_.push_back(c.icount);
  TAPVM_RETURN_IF_ERROR(s->make_(nullptr, 0, &s->machine_));
  *out = std::move(s);
  return Status::Ok();
}

uint64_t CheckpointSeeker::SeekBase(uint64_t icount) const {
  uint64_t base = 0;
  auto j = std::upper_bound(journal_icounts_.begin(), journal_icounts_.end(), icount);
  if (j != journal_icounts_.begin()) base = *(j - 1);
  auto m = cache_.upper_bound(icount);
  if (m != cache_.begin()) base = std::max(base, std::prev(m)->first);
  return base;
}

void CheckpointSeeker::Trim(uint64_t keep) {
  while (cache_bytes_ > options_.cache_bytes && cache_.size() > 1) {
    auto victim = cache_.end();
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->first != keep && (victim == cache_.end() || it->second.last_use < victim->second.last_use)) victim = it;
    if (victim == cache_.end()) return;
    cache_bytes_ -= StateBytes(victim->second.state);
    cache_.erase(victim);
  }
}

Status CheckpointSeeker::LoadFromJournal(uint64_t icount, Cached** out) {
  JournalCheckpoint jc;
  bool found = false;
  TAPVM_RETURN_IF_ERROR(LoadJournalCheckpoint(index_.get(), icount, &jc, &found));
  if (!found || jc.machine.icount != icount)
    return Status::Corruption("the journal's checkpoint at icount " + std::to_string(icount) + " is gone");
  ++stats_.journal_loads;
  Cached& c = cache_[icount];
  if (!c.state.pages.empty() || !c.state.hart.empty()) cache_bytes_ -= StateBytes(c.state);
  c.state = std::move(jc.machine);
  c.chain = jc.chain;
  cache_bytes_ += StateBytes(c.state);
  *out = &c;
  return Status::Ok();
}

Status CheckpointSeeker::Restore(uint64_t base) {
  const auto t0 = std::chrono::steady_clock::now();
  Cached* from = nullptr;
  if (auto it = cache_.find(base); it != cache_.end()) {
    from = &it->second;
  } else if (std::binary_search(journal_icounts_.begin(), journal_icounts_.end(), base)) {
    TAPVM_RETURN_IF_ERROR(LoadFromJournal(base, &from));
  }
  std::unique_ptr<DebuggedMachine> fresh;
  if (from) {
    from->last_use = ++clock_;
    TAPVM_RETURN_IF_ERROR(make_(&from->state, from->chain, &fresh));
    machine_events_ = from->state.tap_position;
  } else {
    TAPVM_RETURN_IF_ERROR(make_(nullptr, 0, &fresh));
    machine_events_ = 0;
  }
  machine_ = std::move(fresh);
  Trim(base);
  ++stats_.restores;
  stats_.last_base = base;
  stats_.last_restore_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return Status::Ok();
}

Status CheckpointSeeker::RunBoard(uint64_t target) {
  Board& board = machine_->board();
  const RunResult r = board.Run(target);
  ReplayTap* replay = machine_->replay();
  if (replay && replay->divergence())
    return Status::Corruption("the replay diverged on the way: " + replay->divergence()->ToString());
  if (replay && !replay->status().ok()) return replay->status();
  if (r.kind == RunResult::Kind::kQuit) board.ClearQuit();
  const uint64_t now = board.hart().state().icount;
  if (now != target)
    return Status::OutOfRange("the replay stopped at icount " + std::to_string(now) + " (" + RunEndName(r.kind) +
                              ") before reaching " + std::to_string(target));
  return Status::Ok();
}

Status CheckpointSeeker::KeepHere() {
  Cached c;
  TAPVM_RETURN_IF_ERROR(machine_->board().SaveCheckpoint(MachineCheckpoint::Kind::kFull, &c.state));
  c.state.tap_position = machine_events_ + (machine_->replay() ? machine_->replay()->consumed() : 0);
  TAPVM_RETURN_IF_ERROR(index_->ChainAfter(c.state.tap_position, &c.chain));
  c.last_use = ++clock_;
  const uint64_t at = c.state.icount;
  if (auto old = cache_.find(at); old != cache_.end()) cache_bytes_ -= StateBytes(old->second.state);
  cache_bytes_ += StateBytes(c.state);
  cache_[at] = std::move(c);
  ++stats_.memory_checkpoints;
  Trim(at);
  return Status::Ok();
}

Status CheckpointSeeker::RunTo(uint64_t target) {
  const uint64_t here = machine_->board().hart().state().icount;
  // A long way: keep a checkpoint shortly before the target, for the seeks
  // back that usually follow (reverse-stepi, reverse-next).
  if (target > here + options_.near) {
    const uint64_t mid = target - options_.near / 2;
    TAPVM_RETURN_IF_ERROR(RunBoard(mid));
    TAPVM_RETURN_IF_ERROR(KeepHere());
  }
  // Even at the target already (a restore lands there): inputs due at it
  // are delivered, as Board::Run(target) from the start would.
  return RunBoard(target);
}

Status CheckpointSeeker::SeekTo(uint64_t target) {
  ++stats_.seeks;
  machine_->board().hart().set_debug_hook(nullptr);
  const HartState* s = &machine_->board().hart().state();
  // Forward on the machine there is when the target lies ahead of it and
  // no checkpoint lies between; the same icount only from the boundary a
  // SeekTo left it at (another boundary of that icount may lie after a
  // trap).
  const bool ahead = target > s->icount ||
                     (target == s->icount && s->icount == landed_icount_ && s->traps == landed_traps_);
  const uint64_t base = SeekBase(target);
  if (!ahead || base > s->icount) TAPVM_RETURN_IF_ERROR(Restore(base));
  TAPVM_RETURN_IF_ERROR(RunTo(target));
  s = &machine_->board().hart().state();
  landed_icount_ = s->icount;
  landed_traps_ = s->traps;
  return Status::Ok();
}

}  // namespace tapvm::gdb
