#include "recorder/journal_pump.h"

#include <utility>
#include <vector>

namespace tapvm {

namespace {

// Wake the pump early once this much is queued (else it wakes every
// kCommitLatency): one futex wake per batch, not per event.
constexpr size_t kWakeItems = 1024;

uint64_t ItemBytes(const journal::Event& e) {
  const std::optional<std::span<const uint8_t>> p = journal::PayloadOf(e.body);
  return JournalPump::kEventCostBytes + (p ? p->size() : 0);
}

}  // namespace

JournalPump::JournalPump(std::unique_ptr<journal::JournalWriter> writer, uint64_t max_queued_bytes)
    : writer_(std::move(writer)), max_queued_bytes_(max_queued_bytes) {
  thread_ = std::thread([this] { Loop(); });
}

JournalPump::~JournalPump() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;  // clean_close_ stays false
  }
  work_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Status JournalPump::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Status JournalPump::Push(Item item, uint64_t bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!error_.ok()) return error_;
  if (closing_) return Status::InvalidArgument("journal pump: closed");
  // Back-pressure; a single item larger than the bound still goes in alone.
  auto room = [&] { return queued_bytes_ == 0 || queued_bytes_ + bytes <= max_queued_bytes_ || !error_.ok(); };
  if (!room()) {
    work_cv_.notify_one();  // the pump may be sleeping out its latency
    space_cv_.wait(lock, room);
  }
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(item));
  queued_bytes_ += bytes;
  const bool wake = queue_.size() >= kWakeItems || queued_bytes_ >= max_queued_bytes_ / 2;
  lock.unlock();
  if (wake) work_cv_.notify_one();
  return Status::Ok();
}

Status JournalPump::Append(journal::Event e) {
  const uint64_t bytes = ItemBytes(e);
  return Push(Item{std::move(e)}, bytes);
}

Status JournalPump::PutImage(journal::ImageRole role, std::string name, std::span<const uint8_t> content) {
  const uint64_t bytes = kEventCostBytes;  // the content is not copied
  Status st = Push(Item{ImageTask{role, std::move(name), content}}, bytes);
  work_cv_.notify_one();  // images first: start at once
  return st;
}

Status JournalPump::PutCheckpoint(MachineCheckpoint c, std::optional<uint64_t> chain) {
  const uint64_t bytes = kEventCostBytes + c.ram_bytes();
  Status st = Push(Item{std::make_unique<CheckpointTask>(CheckpointTask{std::move(c), chain})}, bytes);
  work_cv_.notify_one();  // start on it now, not at the next latency tick
  return st;
}

Status JournalPump::Close(uint64_t final_icount, std::string end_reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return Status::InvalidArgument("journal pump: closed twice");
    closing_ = true;
    clean_close_ = true;
    final_icount_ = final_icount;
    end_reason_ = std::move(end_reason);
  }
  work_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return error_.ok() ? close_status_ : error_;
}

void JournalPump::Perform(Item& item) {
  Status st;
  if (auto* e = std::get_if<journal::Event>(&item)) {
    uint64_t seq = 0;
    st = writer_->Append(*e, &seq);
    // The recording tap numbered the event; the journal must agree, or
    // "acknowledged up to N" would name different events in different places.
    if (st.ok() && e->seq != 0 && seq != e->seq)
      st = Status::Corruption("journal pump: event numbered " + std::to_string(e->seq) + " was stored as " +
                            std::to_string(seq));
  } else if (auto* c = std::get_if<std::unique_ptr<CheckpointTask>>(&item)) {
    st = checkpoints_.Write(writer_.get(), std::move((*c)->checkpoint), (*c)->chain);
  } else {
    auto& img = std::get<ImageTask>(item);
    st = writer_->PutImage(img.role, img.name, img.content);
  }
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.ok()) error_ = st;
  }
}

void JournalPump::Loop() {
  std::vector<Item> batch;
  bool clean = false;
  uint64_t final_icount = 0;
  for (;;) {
    uint64_t drained = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait_for(lock, kCommitLatency, [&] { return !queue_.empty() || closing_; });
      batch.swap(queue_);
      drained = queued_bytes_;
      queued_bytes_ = 0;
      if (closing_ && batch.empty()) {
        clean = error_.ok() && clean_close_;
        final_icount = final_icount_;
        break;
      }
    }
    if (drained) space_cv_.notify_all();
    const bool failed = !status().ok();
    bool bulk = false;  // a checkpoint or a boot image: megabytes
    for (Item& item : batch) {
      bulk = bulk || !std::holds_alternative<journal::Event>(item);
      if (!failed) Perform(item);
    }
    batch.clear();
    // Commit what this round appended: bounded latency for kill -9.
    if (!failed) {
      Status st = writer_->Commit();
      // A checkpoint or an image is megabytes: start writing them to disk
      // now, while the guest runs, rather than leave them all to Close's
      // sync (which the recording's end waits for).
      if (st.ok() && bulk) writer_->StartWriteback();
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        if (error_.ok()) error_ = st;
      }
    }
    if (!status().ok()) space_cv_.notify_all();
  }
  Status st = clean ? writer_->Close(final_icount, end_reason_) : Status::Ok();
  writer_.reset();  // without Close: commits what it has, not cleanly closed
  std::lock_guard<std::mutex> lock(mu_);
  close_status_ = st;
}

}  // namespace tapvm
