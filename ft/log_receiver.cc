#include "ft/log_receiver.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "journal/format.h"
#include "journal/hash.h"

namespace tapvm::ft {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

uint64_t CostOf(const journal::Event& e) {
  const std::optional<std::span<const uint8_t>> p = journal::PayloadOf(e.body);
  return kEventCostBytes + (p ? p->size() : 0);
}

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

Status Prefixed(const Status& st) { return st.WithPrefix("ft log receiver: "); }

}  // namespace

LogReceiver::LogReceiver(const ReceiverOptions& options) : options_(options) {
  last_heard_ns_ = NowNs();
  local_journal_ = options.local_journal;
}

Status LogReceiver::Start(const ReceiverOptions& options, std::unique_ptr<LogReceiver>* out) {
  std::unique_ptr<LogReceiver> r(new LogReceiver(options));
  if (options.listen) TAPVM_RETURN_IF_ERROR(Prefixed(ListenTcp(options.host, options.port, &r->listen_fd_, &r->port_)));
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  *out = std::move(r);
  return Status::Ok();
}

LogReceiver::~LogReceiver() {
  stop_ = true;
  waker_.Wake();
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

Status LogReceiver::Next(journal::Event* e, bool* end) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !queue_.empty() || finished_; });
  if (!queue_.empty()) {
    const uint64_t cost = CostOf(queue_.front());
    const bool was_full = queued_bytes_ >= options_.max_queued_bytes;
    *e = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= cost;
    *end = false;
    // The event handed out before this one has been consumed.
    replayed_icount_.store(handed_icount_);
    handed_icount_ = e->icount;
    const bool progress = replayed_icount_.load() >= replayed_sent_.load() + options_.progress_step;
    if (was_full || progress) waker_.Wake();  // read again; report progress
    return Status::Ok();
  }
  if (!error_.ok()) return error_;
  *end = true;
  replayed_icount_.store(handed_icount_);
  return Status::Ok();
}

bool LogReceiver::WaitConnected(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return connected_ || finished_; }) && connected_;
}

RunId LogReceiver::run_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return run_id_;
}

void LogReceiver::AttachLocalJournal(EventSink* sink) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    local_journal_ = sink;
  }
  waker_.Wake();
}

std::string LogReceiver::primary_end_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return primary_end_reason_;
}

int64_t LogReceiver::silent_ms() const { return (NowNs() - last_heard_ns_.load()) / 1'000'000; }

std::string LogReceiver::end_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_reason_;
}

Status LogReceiver::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

bool LogReceiver::HasRoom() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.local_journal_later && local_journal_ == nullptr) return false;
  return queued_bytes_ < options_.max_queued_bytes;
}

void LogReceiver::HeardNow() { last_heard_ns_ = NowNs(); }

uint64_t LogReceiver::Replayed() {
  const uint64_t at = replayed_icount_.load();
  replayed_sent_.store(at);
  return at;
}

void LogReceiver::Finish(const Status& st, std::string reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  error_ = Prefixed(st);
  end_reason_ = st.ok() ? std::move(reason) : error_.message();
  finished_ = true;
  cv_.notify_all();
}

void LogReceiver::Run() {
  RunId agreed;
  Status st = EstablishChannel(options_, Role::kSecondary, &listen_fd_, &waker_, &stop_, &conn_, &agreed);
  std::string reason;
  if (st.ok()) {
    chain_ = StreamChainSeed(agreed, options_.config_hash);
    {
      std::lock_guard<std::mutex> lock(mu_);
      run_id_ = agreed;
      connected_ = true;
      cv_.notify_all();
    }
    HeardNow();
    st = Stream(&reason);
  }
  conn_.reset();  // a rejected stream is dropped at once
  Finish(st, reason);
}

Status LogReceiver::OnEvent(EventMsg& m) {
  const uint64_t received = received_seq_.load();
  const uint64_t due = received + 1;
  const std::string where = "event seq " + std::to_string(m.seq);
  if (m.seq < due) {
    return Status::Corruption(where + " arrived again (received up to " + std::to_string(received) +
                              "): a replayed or reordered seq");
  }
  if (m.seq > due) {
    return Status::Corruption(where + " arrived where seq " + std::to_string(due) +
                              " was due: a gap (events missing or reordered)");
  }
  journal::Event e;
  journal::DecodedEvent info;
  Status st = decoder_.Decode(m.seq, m.record, &e, &info);
  if (!st.ok()) return Status::Corruption(where + ": record " + st.message());
  if (e.seq != m.seq) {
    return Status::Corruption(where + ": the record says it is seq " + std::to_string(e.seq));
  }
  if (info.prev_chain != chain_) {
    return Status::Corruption(where + ": chain break: the record links to " + Hex64(info.prev_chain) +
                              ", the stream's chain is at " + Hex64(chain_) + " (records replaced, reordered or spliced)");
  }
  if (received != 0 && e.icount < last_icount_) {
    return Status::Corruption(where + ": icount goes back from " + std::to_string(last_icount_) + " to " +
                              std::to_string(e.icount));
  }
  if (info.blob) {
    const journal::PayloadRef payload = journal::MutablePayloadOf(e.body);
    if (!payload) return Status::Corruption(where + ": a blob reference on a kind without payload");
    if (m.payload.size() != info.blob->size) {
      return Status::Corruption(where + ": payload of " + std::to_string(m.payload.size()) +
                                " bytes, the record's blob reference says " + std::to_string(info.blob->size));
    }
    const journal::Hash128 h = journal::ContentHash(m.payload);
    if (!(h == info.blob->hash)) {
      return Status::Corruption(where + ": payload hashes to " + h.ToHex() + ", the record's blob reference says " +
                                info.blob->hash.ToHex());
    }
    payload.Assign(std::move(m.payload));
  } else if (!m.payload.empty()) {
    return Status::Corruption(where + ": a payload beside a record that holds its own");
  }
  e.payload = journal::PayloadLocation{};
  chain_ = journal::ChainNext(info.prev_chain, info.checksum);
  last_icount_ = e.icount;
  EventSink* local_journal = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    local_journal = local_journal_;
  }
  if (local_journal != nullptr) {
    st = local_journal->Append(e);
    if (!st.ok()) {
      local_journal_failed_ = true;
      return Status::IOError("local journal: " + st.message());
    }
  }
  const uint64_t cost = CostOf(e);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(e));
    queued_bytes_ += cost;
    received_seq_.store(m.seq);
    cv_.notify_all();
  }
  return Status::Ok();
}

Status LogReceiver::Stream(std::string* reason) {
  uint64_t acked = 0, hb_counter = 0, peer_hb = 0;
  Clock::time_point last_sent = Clock::now();
  Clock::time_point first_unacked{};
  bool bye = false, eof = false, paused = false;
  Status read_error;
  Clock::time_point bye_deadline{};
  for (;;) {
    if (stop_) {
      *reason = "stopped";
      return Status::Ok();
    }
    while (!bye && conn_->HasMessage() && HasRoom()) {
      Message m;
      TAPVM_RETURN_IF_ERROR(conn_->Pop(&m));
      if (EventMsg* ev = std::get_if<EventMsg>(&m)) {
        if (received_seq_.load() == acked) first_unacked = Clock::now();
        TAPVM_RETURN_IF_ERROR(OnEvent(*ev));
      } else if (const Heartbeat* h = std::get_if<Heartbeat>(&m)) {
        peer_hb = h->counter;
        conn_->Queue(Heartbeat{++hb_counter, peer_hb, Replayed()});
        last_sent = Clock::now();
      } else if (const Released* r = std::get_if<Released>(&m)) {
        if (r->seq > received_seq_.load()) {
          return Status::Corruption("released seq " + std::to_string(r->seq) + " is beyond the last event received (" +
                                    std::to_string(received_seq_.load()) + ")");
        }
        if (r->seq > released_seq_.load()) released_seq_.store(r->seq);
      } else if (const Bye* y = std::get_if<Bye>(&m)) {
        if (y->last_seq != received_seq_.load()) {
          return Status::Corruption("bye says the last event is seq " + std::to_string(y->last_seq) +
                                    ", the last received is seq " + std::to_string(received_seq_.load()));
        }
        final_icount_.store(y->final_icount);
        {
          std::lock_guard<std::mutex> lock(mu_);
          primary_end_reason_ = y->end_reason;
        }
        bye = true;
        bye_deadline = Clock::now() + options_.peer_timeout;
      } else {
        return Status::Corruption(std::string("unexpected ") + MessageName(m) + " message from the primary");
      }
    }
    auto now = Clock::now();
    const uint64_t received = received_seq_.load();
    const bool progress = replayed_icount_.load() >= replayed_sent_.load() + options_.progress_step;
    if ((received > acked &&
         (bye || received - acked >= options_.ack_every || now - first_unacked >= options_.ack_delay)) ||
        progress) {
      conn_->Queue(Ack{received, Replayed()});
      acked = received;
      last_sent = now;
    }
    // Heartbeats of our own when we have said nothing for a period: while
    // our consumer lags and we do not read, the primary's heartbeats wait
    // unread, yet it must still hear from us.
    if (!bye && now - last_sent >= options_.heartbeat) {
      conn_->Queue(Heartbeat{++hb_counter, peer_hb, Replayed()});
      last_sent = now;
    }
    TAPVM_RETURN_IF_ERROR(conn_->Flush());
    if (bye && (!conn_->WantWrite() || now >= bye_deadline)) {
      clean_ = true;
      *reason = "bye";
      return Status::Ok();
    }
    if (eof && !conn_->HasMessage()) {
      if (!read_error.ok()) return read_error;
      *reason = "connection dropped by the primary";
      return Status::Ok();
    }
    const bool want_read = !bye && !eof && HasRoom();
    if (want_read && paused) HeardNow();  // waiting for our consumer is not the primary's silence
    paused = !want_read;
    const auto heard = Clock::time_point(std::chrono::nanoseconds(last_heard_ns_.load()));
    auto wake_at = want_read ? heard + options_.peer_timeout : now + options_.peer_timeout;
    if (received > acked) wake_at = std::min<Clock::time_point>(wake_at, first_unacked + options_.ack_delay);
    if (bye) wake_at = std::min(wake_at, bye_deadline);
    else wake_at = std::min<Clock::time_point>(wake_at, last_sent + options_.heartbeat);
    bool readable = false, woken = false;
    TAPVM_RETURN_IF_ERROR(conn_->Wait(want_read, wake_at - now, &waker_, &readable, &woken));
    if (readable) {
      const uint64_t before = conn_->bytes_read();
      // A read error (a frame cut short, a bad frame header) comes after
      // the whole frames read with it: those are checked and delivered first.
      read_error = conn_->Read(&eof);
      if (!read_error.ok()) eof = true;
      if (conn_->bytes_read() != before) HeardNow();
    }
    if (want_read && !eof && silent_ms() > options_.peer_timeout.count()) {
      *reason = "primary silent for " + std::to_string(silent_ms()) + " ms (peer timeout " +
                std::to_string(options_.peer_timeout.count()) + " ms)";
      return Status::Ok();
    }
  }
}

}  // namespace tapvm::ft
