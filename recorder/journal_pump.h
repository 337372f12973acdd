// JournalPump: runs a JournalWriter on a thread of its own.
//
// Recording must not slow the guest down: the CPU thread only builds an
// Event and queues it; encoding, checksums, LMDB puts, commits, storing
// the boot images and the final sync happen on the pump's thread, which
// the host's second core runs alongside the guest.
//
// Contract:
// - Work is done in the order it was queued: images queued before the
//   first event are committed before it.
// - The queue is bounded (max_queued_bytes of payload plus a fixed cost
//   per event): past it, Append waits for the pump, so a slow disk slows
//   the guest instead of exhausting memory.
// - The pump commits when the writer's batch fills and, at the latest,
//   kCommitLatency after an event was queued; a recording killed with
//   kill -9 loses what was queued or appended since the last commit, and
//   its journal still reads up to that commit.
// - The first writer error is kept: later work is dropped, Append and
//   Close return it. It never stops the guest.
// - Close waits for everything queued, closes the journal cleanly and
//   joins the thread. The destructor without Close commits what it can
//   (clean_close stays false).
//
// Checkpoints: PutCheckpoint queues a machine checkpoint the CPU thread
// captured; the pump stores it (CheckpointWriter: page blobs, the record)
// after the events queued before it. It counts against the queue bound by
// its page bytes; one larger than the bound waits only for the pump to
// take what was queued before it (the pump is woken for it at once).
//
// Append, PutImage, PutCheckpoint and Close are called from one thread (the CPU thread);
// the writer must not be used by anyone else once the pump owns it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "emulator/base/status.h"
#include "journal/event.h"
#include "emulator/machine/checkpoint.h"
#include "journal/writer.h"
#include "recorder/checkpoint_writer.h"
#include "recorder/event_sink.h"

namespace tapvm {

class JournalPump : public EventSink {
 public:
  static constexpr std::chrono::milliseconds kCommitLatency{20};
  static constexpr uint64_t kEventCostBytes = 64;  // queue accounting per event

  explicit JournalPump(std::unique_ptr<journal::JournalWriter> writer, uint64_t max_queued_bytes = 64ull << 20);
  ~JournalPump();
  JournalPump(const JournalPump&) = delete;
  JournalPump& operator=(const JournalPump&) = delete;

  // Queues an event. The writer assigns seqs in queue order; an event that
  // carries a seq (the recording tap numbers them) must get that one, or
  // the pump fails with an error.
  Status Append(journal::Event e) override;
  // Queues an image to store; `content` must stay valid until Close.
  Status PutImage(journal::ImageRole role, std::string name, std::span<const uint8_t> content);
  // Queues a checkpoint taken after the events queued so far (its
  // tap_position says how many; `chain`, when given, is the journal's chain
  // after them: a journal being indexed, whose events are not appended).
  Status PutCheckpoint(MachineCheckpoint c, std::optional<uint64_t> chain = std::nullopt);
  // Waits for the queue to drain, then closes the journal cleanly.
  Status Close(uint64_t final_icount, std::string end_reason = "");

  // The first error, or OK. Thread-safe.
  Status status() const;

 private:
  struct ImageTask {
    journal::ImageRole role;
    std::string name;
    std::span<const uint8_t> content;
  };
  struct CheckpointTask {
    MachineCheckpoint checkpoint;
    std::optional<uint64_t> chain;
  };
  // Checkpoints are boxed: they are rare, and an event (nearly every item)
  // should not be moved around at a checkpoint's size.
  using Item = std::variant<journal::Event, ImageTask, std::unique_ptr<CheckpointTask>>;

  Status Push(Item item, uint64_t bytes);
  void Loop();
  // Pump thread: performs one item, keeping the first error.
  void Perform(Item& item);

  std::unique_ptr<journal::JournalWriter> writer_;
  CheckpointWriter checkpoints_;  // pump thread
  const uint64_t max_queued_bytes_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the pump waits for work
  std::condition_variable space_cv_;  // Append waits for room
  // A vector, swapped with the pump's own batch: both keep their capacity,
  // so queuing an event allocates nothing once they have grown (a deque
  // allocated a node every few events, on one thread, freed on the other).
  std::vector<Item> queue_;
  uint64_t queued_bytes_ = 0;
  bool closing_ = false;
  bool clean_close_ = false;  // Close() was called
  uint64_t final_icount_ = 0;
  std::string end_reason_;
  Status error_;
  Status close_status_;

  std::thread thread_;
};

}  // namespace tapvm
