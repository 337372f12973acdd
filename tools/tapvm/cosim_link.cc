#include "tools/tapvm/cosim_link.h"

#include <chrono>

#include "journal/tap_events.h"

namespace tapvm::cli {

Status CosimLink::Append(journal::Event e) {
  // The journal first: its errors are the recording's, and stop the guest.
  Status st;
  if (also_) st = also_->Append(e);
  last_seq_ = e.seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reference_done_ || closed_) return st;
    events_.push_back(std::move(e));
  }
  reader_cv_.notify_one();
  return st;
}

void CosimLink::AppendMarker(uint64_t icount, const MachineDigest& digest) {
  journal::Event e;
  e.seq = last_seq_;  // not a recorded event: reports name the one before it
  e.icount = icount;
  e.body = journal::TapEvents::Digested(digest);
  ++markers_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reference_done_ || closed_) return;
    events_.push_back(std::move(e));
  }
  reader_cv_.notify_one();
}

Status CosimLink::Next(journal::Event* e, bool* end) {
  std::unique_lock<std::mutex> lock(mu_);
  if (events_.empty() && !closed_) {
    reader_waiting_ = true;
    writer_cv_.notify_one();
    reader_cv_.wait(lock, [this] { return !events_.empty() || closed_; });
    reader_waiting_ = false;
  }
  if (events_.empty()) {
    *end = true;
    return Status::Ok();
  }
  *e = std::move(events_.front());
  events_.pop_front();
  *end = false;
  return Status::Ok();
}

bool CosimLink::closed_cleanly() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void CosimLink::PushCheckpoint(CosimCheckpoint c, const std::function<bool()>& stop_waiting) {
  std::unique_lock<std::mutex> lock(mu_);
  while (checkpoints_.size() >= max_pending_ && !reader_waiting_ && !reference_done_) {
    // Polled: a quit request (a signal, the host time limit) reaches the
    // main machine's board, not this condition variable.
    if (stop_waiting && stop_waiting()) break;
    writer_cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (reference_done_) return;
  checkpoints_.push_back(std::move(c));
  if (checkpoints_.size() > max_lag_) max_lag_ = checkpoints_.size();
  lock.unlock();
  reader_cv_.notify_one();
}

void CosimLink::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  reader_cv_.notify_all();
}

bool CosimLink::NextCheckpoint(CosimCheckpoint* c) {
  std::unique_lock<std::mutex> lock(mu_);
  reader_cv_.wait(lock, [this] { return !checkpoints_.empty() || closed_; });
  if (checkpoints_.empty()) return false;
  *c = std::move(checkpoints_.front());
  checkpoints_.pop_front();
  lock.unlock();
  writer_cv_.notify_one();
  return true;
}

void CosimLink::ReferenceDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    reference_done_ = true;
    events_.clear();
    checkpoints_.clear();
  }
  writer_cv_.notify_all();
}

size_t CosimLink::max_lag() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_lag_;
}

}  // namespace tapvm::cli
