// LogSender: the primary's end of the FT log channel. It sits behind a
// RecordingTap as its EventSink (alone, or beside the JournalPump) and
// streams every journal event to the secondary (ft/log_receiver.h).
//
// Contract:
// - Ordering: Append takes events with the tap's seqs, 1, 2, 3... without
//   gaps (anything else is an error); they go out in that order, each as
//   its journal record (checksum, chain from StreamChainSeed) with a blob
//   payload carried inline in the message.
// - Batching: a frame sent (output commit and a network peer wait on it)
//   wakes the sender thread at once; other events, console bytes
//   included, go out in batches, within about a millisecond.
// - Bounds: Append only queues. The queue holds at most max_queued_bytes
//   (payload bytes plus kEventCostBytes per event); past it Append waits
//   up to append_timeout for the sender thread, then fails ("send queue
//   full"). The socket thread's own buffer holds a few MiB more.
// - Connection: Start listens (the port is bound before it returns) or
//   connects, retrying, on the sender thread; both Hellos must agree
//   (protocol version, run id, config hash, roles) within connect_timeout.
//   Events appended meanwhile wait in the queue.
// - Errors: the first one is sticky (peer refused or gone, peer silent for
//   peer_timeout, a hostile message, a full queue, a seq gap): status()
//   returns it from any thread, Append and Close return it, the stream
//   stops. It never touches the guest: the caller decides.
// - Lag: with max_lag, Append of an event waits (on the CPU thread: the
//   guest pauses) while the secondary's replay is more than max_lag
//   instructions behind the previous event appended: the secondary can
//   always reach that one, so the wait always ends (or the channel fails).
//   A failover then never has more than about max_lag instructions of log
//   to replay.
// - Close(final_icount, reason) waits for the queue to drain, sends Bye, waits
//   (bounded by peer_timeout) for the secondary's last Ack and its close,
//   and joins the thread (before a secondary connected, it waits for one
//   up to connect_timeout). The destructor without Close just stops: the
//   secondary sees the connection drop, an unclean end.
// - Threads: Append and Close on one thread (the CPU thread); acked_seq,
//   WaitAcked, SendReleased, peer_silent_ms, status from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "emulator/base/status.h"
#include "ft/channel_options.h"
#include "ft/socket.h"
#include "journal/codec.h"
#include "journal/event.h"
#include "recorder/event_sink.h"

namespace tapvm::ft {

struct SenderOptions : ChannelOptions {
  // How long Append may wait for room in a full queue.
  std::chrono::milliseconds append_timeout{1000};
  // Payloads longer than this travel beside the record, which refers to
  // them as a blob (the journal writer's default limit, so the records are
  // the ones a journal would hold).
  uint32_t inline_limit = 64;
  // Bound on the secondary's lag in instructions (see Lag above); 0: none.
  uint64_t max_lag = 0;
};

// How often and how long Append waited for a lagging secondary.
struct LagStats {
  uint64_t waits = 0;
  uint64_t waited_us = 0;
  uint64_t max_lag_seen = 0;  // the largest lag Append saw, in instructions
};

class LogSender : public EventSink {
 public:
  static Status Start(const SenderOptions& options, std::unique_ptr<LogSender>* out);
  ~LogSender() override;
  LogSender(const LogSender&) = delete;
  LogSender& operator=(const LogSender&) = delete;

  // The listening port (with listen), else 0.
  uint16_t port() const { return port_; }

  Status Append(journal::Event event) override;
  // Sends Bye once everything queued is sent, then waits for the end.
  Status Close(uint64_t final_icount, const std::string& end_reason = "");

  // The secondary's replay position: the icount of the last event it
  // consumed (0 before it reported one).
  uint64_t peer_replayed_icount() const { return peer_replayed_.load(std::memory_order_acquire); }
  // CPU thread (the Append side).
  LagStats lag_stats() const { return lag_stats_; }

  // Bytes of event messages sent to the secondary so far (the log's
  // bandwidth; frames included).
  uint64_t event_bytes_sent() const { return event_bytes_.load(); }

  // Highest seq the secondary acknowledged.
  uint64_t acked_seq() const { return acked_seq_.load(std::memory_order_acquire); }
  // Waits until acked_seq() >= seq. False on timeout or on an error.
  bool WaitAcked(uint64_t seq, std::chrono::milliseconds timeout);
  // Tells the secondary outputs up to `seq` were released (with the next
  // events or heartbeat).
  void SendReleased(uint64_t seq);
  // True once the Hello exchange succeeded; waits up to `timeout`.
  bool WaitConnected(std::chrono::milliseconds timeout);

  // Time since anything was heard from the secondary (since Start before
  // it connected).
  int64_t peer_silent_ms() const;
  Status status() const;
  // Bytes queued now (payload bytes plus kEventCostBytes per event).
  uint64_t queued_bytes() const;

 private:
  explicit LogSender(const SenderOptions& options);
  void Run();
  Status Establish();
  Status Stream();
  void Fail(const Status& st);
  Status SendEvent(const journal::Event& e);
  void HeardNow();
  void PeerReplayed(uint64_t icount);
  // Waits until the secondary is within max_lag of prev_icount_ (lock held).
  void WaitForLag(std::unique_lock<std::mutex>& lock);

  const SenderOptions options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  Waker waker_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  std::condition_variable space_cv_;  // Append waits for room
  std::condition_variable state_cv_;  // acks, connection, errors
  std::deque<journal::Event> queue_;
  uint64_t queued_bytes_ = 0;
  uint64_t next_seq_ = 1;        // Append side
  bool closing_ = false;
  uint64_t final_icount_ = 0;
  std::string end_reason_;
  uint64_t prev_icount_ = 0;     // Append side: icount of the last event appended
  bool wake_pending_ = false;    // the sender thread was woken and has not taken the queue yet
  int64_t last_wake_ns_ = 0;
  LagStats lag_stats_;
  uint64_t released_ = 0;        // latest SendReleased
  bool connected_ = false;
  bool finished_ = false;        // the thread is done
  Status error_;

  std::atomic<uint64_t> acked_seq_{0};
  std::atomic<uint64_t> peer_replayed_{0};
  std::atomic<uint64_t> event_bytes_{0};
  std::atomic<int64_t> last_append_ns_{0};
  std::atomic<int64_t> last_heard_ns_{0};

  // Sender thread only.
  std::unique_ptr<FrameConn> conn_;
  uint64_t chain_ = 0;
  uint64_t last_sent_seq_ = 0;
  journal::EventEncoder encoder_;

  std::thread thread_;
};

}  // namespace tapvm::ft
