// LogReceiver: the secondary's end of the FT log channel, as the replay
// tap's EventSource. It receives the primary's events (ft/log_sender.h),
// checks each one as the journal reader would, and hands them to Next().
//
// Contract:
// - Checks: every Event message must carry the next seq (no gap, no
//   reorder, no replay of an old seq), a record whose checksum holds for
//   that seq, whose body names that seq, whose prev_chain continues the
//   chain (from StreamChainSeed), whose icount does not go back, and, if
//   the record refers to a blob, the payload bytes whose hash and size the
//   reference names. The first violation rejects the stream: the
//   connection is dropped and Next() returns that Status (after the
//   events checked before it).
// - End: Next() sets *end once the primary said Bye (closed_cleanly()
//   true), went silent for peer_timeout, or the connection dropped at a
//   frame boundary (closed_cleanly() false, end_reason() says which). A
//   connection cut inside a frame is an error.
// - Acks: an event is acknowledged once checked, queued for Next and, if a
//   local journal is given, appended to it; Acks are batched (every
//   ack_every events or ack_delay after the first unacknowledged one).
//   Each Heartbeat is answered at once, and the receiver sends one of its
//   own whenever it has sent nothing for a heartbeat period (so a primary
//   held back by a lagging consumer still hears from it).
// - Bounds: at most max_queued_bytes wait for Next (payload bytes plus
//   kEventCostBytes each); when full the receiver stops reading the socket
//   (TCP pushes back on the primary) and does not count that as silence.
// - Run id: with options.run_id zero the receiver adopts the primary's
//   (run_id() once connected).
// - Local journal later: with local_journal_later, events are not read
//   (TCP holds them back; heartbeats still flow) until AttachLocalJournal
//   gives the journal — for a secondary that learns the run id, which its
//   journal's header records, from the Hello.
// - Progress: the secondary's replay position (the icount of the last
//   event Next() handed out before the current one: the replay has
//   consumed it) goes to the primary in every Ack and Heartbeat, and in an
//   Ack of its own whenever it has moved progress_step instructions since
//   last sent (the primary's lag bound waits on it).
// - Threads: a receiver thread does all socket work (and the local journal
//   appends); Next() on one consumer thread (the CPU thread); the
//   accessors from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "emulator/base/status.h"
#include "ft/channel_options.h"
#include "ft/socket.h"
#include "journal/codec.h"
#include "journal/event.h"
#include "recorder/event_sink.h"
#include "replayer/event_source.h"

namespace tapvm::ft {

struct ReceiverOptions : ChannelOptions {
  uint32_t ack_every = 64;
  std::chrono::microseconds ack_delay{1000};
  // Optional: each checked event is appended here too (a JournalPump on
  // the secondary's own journal), on the receiver thread, before it is
  // acknowledged. Must outlive the receiver; the caller closes it.
  EventSink* local_journal = nullptr;
  bool local_journal_later = false;
  // Report the replay position when it moved this far (instructions).
  uint64_t progress_step = 1'000'000;
};

class LogReceiver : public EventSource {
 public:
  static Status Start(const ReceiverOptions& options, std::unique_ptr<LogReceiver>* out);
  ~LogReceiver() override;
  LogReceiver(const LogReceiver&) = delete;
  LogReceiver& operator=(const LogReceiver&) = delete;

  // The listening port (with listen), else 0.
  uint16_t port() const { return port_; }

  Status Next(journal::Event* e, bool* end) override;
  bool closed_cleanly() const override { return clean_.load(); }

  // True once the Hello exchange succeeded; waits up to `timeout`.
  bool WaitConnected(std::chrono::milliseconds timeout);
  // The pair's run id (valid once connected).
  RunId run_id() const;
  // See "Local journal later"; `sink` must outlive the receiver.
  void AttachLocalJournal(EventSink* sink);

  // Highest seq received and checked.
  uint64_t received_seq() const { return received_seq_.load(); }
  // The primary's last "outputs released up to seq" (0: none yet).
  uint64_t released_seq() const { return released_seq_.load(); }
  // The final icount of the primary's Bye (valid when closed_cleanly()).
  uint64_t final_icount() const { return final_icount_.load(); }
  // Time since anything was heard from the primary.
  int64_t silent_ms() const;
  // The primary's Bye's end reason ("power-off", "quit"...).
  std::string primary_end_reason() const;
  // The icount of the last event the consumer has consumed (see Progress).
  uint64_t replayed_icount() const { return replayed_icount_.load(); }
  // Why the stream ended ("bye", "primary silent ...", ...); empty before.
  std::string end_reason() const;
  // The error that rejected the stream, or OK.
  Status status() const;
  // True when that error is the local journal's (this side's own fault,
  // not the primary's).
  bool local_journal_failed() const { return local_journal_failed_.load(); }

 private:
  explicit LogReceiver(const ReceiverOptions& options);
  void Run();
  Status Stream(std::string* reason);
  Status OnEvent(EventMsg& m);
  void Finish(const Status& st, std::string reason);
  bool HasRoom() const;
  void HeardNow();
  // The replay position, noted as reported (receiver thread).
  uint64_t Replayed();

  const ReceiverOptions options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  Waker waker_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;  // Next waits for events or the end
  std::deque<journal::Event> queue_;
  uint64_t queued_bytes_ = 0;
  bool finished_ = false;
  Status error_;
  std::string end_reason_;
  std::string primary_end_reason_;
  bool connected_ = false;
  RunId run_id_;
  EventSink* local_journal_ = nullptr;
  uint64_t handed_icount_ = 0;  // Next() side: icount of the last event handed out

  std::atomic<bool> clean_{false};
  std::atomic<uint64_t> received_seq_{0};
  std::atomic<uint64_t> released_seq_{0};
  std::atomic<uint64_t> final_icount_{0};
  std::atomic<uint64_t> replayed_icount_{0};
  std::atomic<bool> local_journal_failed_{false};
  std::atomic<uint64_t> replayed_sent_{0};  // as last reported to the primary
  std::atomic<int64_t> last_heard_ns_{0};

  // Receiver thread only.
  std::unique_ptr<FrameConn> conn_;
  journal::EventDecoder decoder_;
  uint64_t chain_ = 0;
  uint64_t last_icount_ = 0;

  std::thread thread_;
};

}  // namespace tapvm::ft
