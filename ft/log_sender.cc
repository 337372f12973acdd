#include "ft/log_sender.h"

#include <unistd.h>

#include <algorithm>

#include "journal/format.h"

namespace tapvm::ft {
namespace {

// The sender thread takes events from the queue while its socket buffer
// holds less than this.
constexpr size_t kOutHigh = 4u << 20;
// Waking the sender thread for every event costs the guest more than the
// events do (on a 2-core host every wake takes a core from a CPU thread).
// A frame sent wakes it at once (a peer waits on it); others wait until
// this many are queued, or kMaxBatchNs after the last wake (while events
// keep coming the sender also looks every kMaxBatchNs by itself). Console
// bytes are batched too: a boot prints thousands of them in bursts, and a
// byte after a quiet spell still wakes the sender at once (the last wake
// is long past), so an echoed keystroke does not wait.
constexpr size_t kWakeEvents = 256;
constexpr uint64_t kWakeBytes = 256u << 10;
constexpr int64_t kMaxBatchNs = 1'000'000;
constexpr int64_t kActiveNs = 50'000'000;  // "events keep coming": one in the last 50 ms

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

uint64_t CostOf(const journal::Event& e) {
  const std::optional<std::span<const uint8_t>> p = journal::PayloadOf(e.body);
  return kEventCostBytes + (p ? p->size() : 0);
}

Status Prefixed(const Status& st) { return st.WithPrefix("ft log sender: "); }

}  // namespace

LogSender::LogSender(const SenderOptions& options) : options_(options) { last_heard_ns_ = NowNs(); }

Status LogSender::Start(const SenderOptions& options, std::unique_ptr<LogSender>* out) {
  if (options.run_id.empty()) return Status::InvalidArgument("ft log sender: the primary must choose a run id");
  std::unique_ptr<LogSender> s(new LogSender(options));
  if (options.listen) TAPVM_RETURN_IF_ERROR(Prefixed(ListenTcp(options.host, options.port, &s->listen_fd_, &s->port_)));
  s->chain_ = StreamChainSeed(options.run_id, options.config_hash);
  s->thread_ = std::thread([p = s.get()] { p->Run(); });
  *out = std::move(s);
  return Status::Ok();
}

LogSender::~LogSender() {
  stop_ = true;
  waker_.Wake();
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

Status LogSender::Append(journal::Event event) {
  const uint64_t cost = CostOf(event);
  std::unique_lock<std::mutex> lock(mu_);
  if (!error_.ok()) return error_;
  if (closing_) return Status::InvalidArgument("ft log sender: append after Close");
  if (event.seq != next_seq_) {
    error_ = Status::InvalidArgument("ft log sender: event seq " + std::to_string(event.seq) + " appended where seq " +
                                     std::to_string(next_seq_) + " was due (seqs run 1, 2, 3... without gaps)");
    state_cv_.notify_all();
    waker_.Wake();
    return error_;
  }
  if (cost + 4096 > options_.max_frame_bytes) {
    error_ = Status::InvalidArgument("ft log sender: event " + std::to_string(event.seq) + " carries " +
                                     std::to_string(cost - kEventCostBytes) + " payload bytes, over the frame cap of " +
                                     std::to_string(options_.max_frame_bytes));
    waker_.Wake();
    return error_;
  }
  // An event larger than the whole bound still goes alone into an empty
  // queue, so any event can be sent.
  auto room = [&] { return !error_.ok() || queue_.empty() || queued_bytes_ + cost <= options_.max_queued_bytes; };
  if (!room() && !space_cv_.wait_for(lock, options_.append_timeout, room)) {
    error_ = Status::OutOfRange("ft log sender: send queue full (" + std::to_string(queued_bytes_) +
                                " bytes) for " + std::to_string(options_.append_timeout.count()) +
                                " ms: the secondary is not keeping up, or never connected");
    state_cv_.notify_all();
    waker_.Wake();
    return error_;
  }
  if (!error_.ok()) return error_;
  if (options_.max_lag) WaitForLag(lock);
  if (!error_.ok()) return error_;
  prev_icount_ = event.icount;
  ++next_seq_;
  queued_bytes_ += cost;
  queue_.push_back(std::move(event));
  const journal::EventKind kind = journal::KindOf(queue_.back());
  const bool frame = kind == journal::EventKind::kNetFrameOut;
  const int64_t now = NowNs();
  last_append_ns_.store(now, std::memory_order_relaxed);
  if (!wake_pending_ && (frame || queue_.size() >= kWakeEvents || queued_bytes_ >= kWakeBytes ||
                         now - last_wake_ns_ >= kMaxBatchNs)) {
    wake_pending_ = true;
    last_wake_ns_ = now;
    waker_.Wake();
  }
  return Status::Ok();
}

void LogSender::WaitForLag(std::unique_lock<std::mutex>& lock) {
  auto lag = [&] {
    const uint64_t at = peer_replayed_icount();
    return prev_icount_ > at ? prev_icount_ - at : 0;
  };
  lag_stats_.max_lag_seen = std::max(lag_stats_.max_lag_seen, lag());
  if (lag() <= options_.max_lag) return;
  const auto t0 = Clock::now();
  // The channel fails on the secondary's silence, which ends the wait.
  state_cv_.wait(lock, [&] { return lag() <= options_.max_lag || !error_.ok() || finished_ || stop_; });
  ++lag_stats_.waits;
  lag_stats_.waited_us += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
}

void LogSender::PeerReplayed(uint64_t icount) {
  if (icount <= peer_replayed_icount()) return;
  std::lock_guard<std::mutex> lock(mu_);
  peer_replayed_.store(icount, std::memory_order_release);
  state_cv_.notify_all();
}

Status LogSender::Close(uint64_t final_icount, const std::string& end_reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closing_) {
      closing_ = true;
      final_icount_ = final_icount;
      end_reason_ = end_reason;
    }
  }
  waker_.Wake();
  if (thread_.joinable()) thread_.join();
  return status();
}

bool LogSender::WaitAcked(uint64_t seq, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return state_cv_.wait_for(lock, timeout, [&] { return acked_seq() >= seq || !error_.ok() || finished_; }) &&
         acked_seq() >= seq;
}

bool LogSender::WaitConnected(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return state_cv_.wait_for(lock, timeout, [&] { return connected_ || !error_.ok() || finished_; }) && connected_ &&
         error_.ok();
}

void LogSender::SendReleased(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = std::max(released_, seq);
  }
  // No wake: the release goes out with the next events or heartbeat (it
  // only spares the secondary re-sending an output at a takeover).
}

int64_t LogSender::peer_silent_ms() const { return (NowNs() - last_heard_ns_.load()) / 1'000'000; }

Status LogSender::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

uint64_t LogSender::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_bytes_;
}

void LogSender::Fail(const Status& st) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok()) error_ = Prefixed(st);
  space_cv_.notify_all();
  state_cv_.notify_all();
}

void LogSender::HeardNow() { last_heard_ns_ = NowNs(); }

void LogSender::Run() {
  RunId agreed;
  Status st = EstablishChannel(options_, Role::kPrimary, &listen_fd_, &waker_, &stop_, &conn_, &agreed);
  if (st.ok()) {
    HeardNow();
    {
      std::lock_guard<std::mutex> lock(mu_);
      connected_ = true;
      state_cv_.notify_all();
    }
    st = Stream();
  }
  if (!st.ok()) Fail(st);
  conn_.reset();
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  space_cv_.notify_all();
  state_cv_.notify_all();
}

Status LogSender::SendEvent(const journal::Event& e) {
  const std::optional<std::span<const uint8_t>> payload = journal::PayloadOf(e.body);
  const bool to_blob = payload && payload->size() > options_.inline_limit;
  journal::BlobRef ref;
  if (to_blob) {
    ref.hash = journal::ContentHash(*payload);
    ref.size = payload->size();
  }
  std::span<const uint8_t> record;
  uint64_t checksum = 0;
  TAPVM_RETURN_IF_ERROR(encoder_.Encode(e.seq, e, chain_, to_blob ? &ref : nullptr, &record, &checksum));
  chain_ = journal::ChainNext(chain_, checksum);
  EventMsg m;
  m.seq = e.seq;
  m.record.assign(record.begin(), record.end());
  if (to_blob) m.payload.assign(payload->begin(), payload->end());
  const uint64_t before = conn_->bytes_queued();
  conn_->Queue(m);
  event_bytes_ += conn_->bytes_queued() - before;
  last_sent_seq_ = e.seq;
  return Status::Ok();
}

Status LogSender::Stream() {
  const auto hb = options_.heartbeat;
  auto next_hb = Clock::now();
  uint64_t hb_counter = 0, peer_hb = 0, released_sent = 0;
  bool bye_sent = false, shut = false;
  Clock::time_point close_deadline;
  std::vector<journal::Event> batch;
  for (;;) {
    bool closing = false;
    uint64_t final_icount = 0, released = 0;
    std::string end_reason;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return Status::Ok();
      if (!error_.ok()) return error_;  // an Append error ends the stream too
      size_t taken = 0;
      while (!queue_.empty() && conn_->out_bytes() + taken < kOutHigh) {
        const uint64_t cost = CostOf(queue_.front());
        taken += cost;
        queued_bytes_ -= cost;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (!batch.empty()) space_cv_.notify_all();
      wake_pending_ = false;
      closing = closing_ && queue_.empty();
      final_icount = final_icount_;
      end_reason = end_reason_;
      released = released_;
    }
    for (const journal::Event& e : batch) TAPVM_RETURN_IF_ERROR(SendEvent(e));
    batch.clear();
    // Never announce a release beyond the events sent (the secondary
    // would reject it): the rest goes out with later events.
    const uint64_t release = std::min(released, last_sent_seq_);
    if (release > released_sent && !bye_sent) {
      conn_->Queue(Released{release});
      released_sent = release;
    }
    auto now = Clock::now();
    if (now >= next_hb && !bye_sent) {
      conn_->Queue(Heartbeat{++hb_counter, peer_hb});
      next_hb = now + hb;
    }
    if (closing && !bye_sent) {
      conn_->Queue(Bye{final_icount, last_sent_seq_, end_reason});
      bye_sent = true;
    }
    TAPVM_RETURN_IF_ERROR(conn_->Flush());
    if (bye_sent && !shut && !conn_->WantWrite()) {
      conn_->ShutdownWrite();
      shut = true;
      close_deadline = now + options_.peer_timeout;
    }

    const auto silence_deadline = Clock::time_point(std::chrono::nanoseconds(last_heard_ns_.load())) + options_.peer_timeout;
    auto wake_at = std::min(silence_deadline, bye_sent ? silence_deadline : next_hb);
    if (shut) wake_at = std::min(wake_at, close_deadline);
    // Events that did not wake us (see kWakeEvents) go out within kMaxBatchNs.
    if (NowNs() - last_append_ns_.load(std::memory_order_relaxed) < kActiveNs)
      wake_at = std::min<Clock::time_point>(wake_at, now + std::chrono::nanoseconds(kMaxBatchNs));
    bool readable = false, woken = false;
    TAPVM_RETURN_IF_ERROR(conn_->Wait(true, wake_at - now, &waker_, &readable, &woken));
    if (readable) {
      bool eof = false;
      const uint64_t before = conn_->bytes_read();
      TAPVM_RETURN_IF_ERROR(conn_->Read(&eof));
      if (conn_->bytes_read() != before) HeardNow();
      while (conn_->HasMessage()) {
        Message m;
        TAPVM_RETURN_IF_ERROR(conn_->Pop(&m));
        if (const Ack* a = std::get_if<Ack>(&m)) {
          if (a->seq > last_sent_seq_) {
            return Status::Corruption("the secondary acknowledged seq " + std::to_string(a->seq) + ", only " +
                                      std::to_string(last_sent_seq_) + " were sent");
          }
          if (a->seq > acked_seq()) {
            std::lock_guard<std::mutex> lock(mu_);
            acked_seq_.store(a->seq, std::memory_order_release);
            state_cv_.notify_all();
          }
          PeerReplayed(a->replayed_icount);
        } else if (const Heartbeat* h = std::get_if<Heartbeat>(&m)) {
          peer_hb = h->counter;
          PeerReplayed(h->replayed_icount);
        } else {
          return Status::Corruption(std::string("unexpected ") + MessageName(m) + " message from the secondary");
        }
      }
      if (eof) {
        if (bye_sent) return Status::Ok();
        return Status::IOError("the secondary closed the connection");
      }
    }
    now = Clock::now();
    if (now - Clock::time_point(std::chrono::nanoseconds(last_heard_ns_.load())) > options_.peer_timeout) {
      return Status::IOError("the secondary has been silent for " + std::to_string(peer_silent_ms()) +
                             " ms (peer timeout " + std::to_string(options_.peer_timeout.count()) + " ms)");
    }
    if (shut && now >= close_deadline) {
      return Status::IOError("the secondary did not close the connection within the peer timeout after bye");
    }
  }
}

}  // namespace tapvm::ft
