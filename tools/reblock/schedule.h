// BlockReplayer: re-issues recorded block requests to live backends with
// the recording's concurrency, and checks each answer against the recorded
// one. The engine of `tapvm journal reblock` (reblock.h drives it from a
// journal).
//
// Schedule. The journal orders every submission and every completion the
// guest saw; that order is a schedule the host once ran, and the replayer
// keeps to it. Events are fed in journal order:
//   - a recorded completion marks its request as one the recording had
//     seen finish;
//   - a request is submitted only once every request whose recorded
//     completion came before it has also completed here. So nothing is
//     submitted earlier, relative to the other requests, than the recording
//     submitted it, and the requests in flight here at that moment are a
//     subset of those in flight in the recording: never more concurrency
//     than recorded, as much as the backend's speed allows.
//   - one more rule for races: a request that overlaps (same drive, byte
//     ranges intersecting) a request still in flight here, one of the two
//     being a write, discard or write-zeroes, waits for it. The recording
//     had them in flight together and the host picked an order the journal
//     cannot show; the replayer defines it as submission order (as
//     BuildExpectedImages does) and counts the race. A mismatch on a raced
//     request says so.
//
// Checks: every status equals the recorded one; every read that succeeded
// returned exactly the recorded bytes. Requests the recording never saw
// complete are issued but not checked. Mismatches are counted and the
// first `max_listed` kept, each naming the request (seq, icount, device,
// id, type, offset, length) and what differs.
//
// Threads: the feeding thread does all the work; backends call back on
// their threads, which only queue the completion. Feed() returns
// Corruption for a journal that cannot be a recording (a completion of no
// request in flight, an id reused while in flight, a device that is not a
// drive). Call Finish() before destroying the replayer (the backends hold
// callbacks into it until every request has completed).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"
#include "emulator/tap.h"

namespace tapvm::reblock {

// A block event of the journal: a request or a completion.
struct BlockEvent {
  uint64_t seq = 0;
  uint64_t icount = 0;
  std::variant<BlockRequest, BlockCompletion> body;
};

// Names a recorded request in messages.
struct RequestRef {
  uint64_t seq = 0, icount = 0;
  TapDeviceId dev = 0;
  uint64_t id = 0;
  BlockRequest::Type type = BlockRequest::Type::kRead;
  uint64_t offset = 0, length = 0;
  // "request #12 @3456 dev=1 id=7 read offset=4096 length=512"
  std::string ToString() const;
};

struct Mismatch {
  RequestRef request;
  std::string what;  // "status: recorded ok, got io_error", ...
  std::string ToString() const { return request.ToString() + ": " + what; }
};

struct ScheduleStats {
  uint64_t requests = 0, reads = 0, writes = 0, flushes = 0, discards = 0, write_zeroes = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t checked = 0;             // answers compared with the recording
  uint64_t unanswered = 0;          // no recorded completion: not checked
  uint64_t races = 0;               // overlapping requests serialized
  uint64_t max_in_flight = 0;       // here
  uint64_t recorded_max_in_flight = 0;
  uint64_t mismatches = 0;
  std::vector<Mismatch> listed;     // the first max_listed
};

const char* BlockTypeName(BlockRequest::Type type);
const char* BlockStatusName(BlockCompletion::Status status);

class BlockReplayer {
 public:
  // `drives[i]` serves requests for tap device `devs[i]`; both outlive the
  // replayer.
  BlockReplayer(std::vector<TapDeviceId> devs, std::vector<BlockBackend*> drives, size_t max_listed = 20);
  ~BlockReplayer();
  BlockReplayer(const BlockReplayer&) = delete;
  BlockReplayer& operator=(const BlockReplayer&) = delete;

  // The next block event in journal order (waits as the schedule says).
  Status Feed(BlockEvent e);
  // Waits until every submitted request has completed here.
  void Finish();

  const ScheduleStats& stats() const { return stats_; }

 private:
  using Key = std::pair<TapDeviceId, uint64_t>;
  struct Flight {
    RequestRef ref;
    size_t drive = 0;
    bool raced = false;
    bool recorded = false, replayed = false;
    BlockCompletion::Status recorded_status{}, got_status{};
    IoBytes recorded_data, got_data;
  };

  Status Submit(uint64_t seq, uint64_t icount, BlockRequest r);
  Status Record(uint64_t seq, uint64_t icount, BlockCompletion c);
  // Takes the completions that arrived; with `wait`, waits for one first.
  void Pump(bool wait);
  void Arrived(BlockCompletion c);  // feeding thread
  void Compare(const Flight& f);
  void AddMismatch(const RequestRef& ref, std::string what);

  std::vector<TapDeviceId> devs_;
  std::vector<BlockBackend*> drives_;
  size_t max_listed_;
  ScheduleStats stats_;
  std::map<Key, Flight> flights_;  // submitted, not yet both recorded and replayed
  uint64_t awaiting_ = 0;          // flights recorded complete, not yet replayed
  uint64_t in_flight_ = 0;         // submitted here, not yet replayed
  uint64_t recorded_in_flight_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<BlockCompletion> arrived_;  // from the backends' threads
};

}  // namespace tapvm::reblock
