#include "tools/reblock/schedule.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <numeric>

namespace tapvm::reblock {

namespace {

using Type = BlockRequest::Type;

bool Modifies(Type t) { return t == Type::kWrite || t == Type::kDiscard || t == Type::kWriteZeroes; }

bool Overlap(const RequestRef& a, const RequestRef& b) {
  if (a.type == Type::kFlush || b.type == Type::kFlush || a.length == 0 || b.length == 0) return false;
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

std::string Hex8(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

}  // namespace

const char* BlockTypeName(BlockRequest::Type type) {
  switch (type) {
    case Type::kRead: return "read";
    case Type::kWrite: return "write";
    case Type::kFlush: return "flush";
    case Type::kDiscard: return "discard";
    case Type::kWriteZeroes: return "write_zeroes";
  }
  return "unknown";
}

const char* BlockStatusName(BlockCompletion::Status status) {
  switch (status) {
    case BlockCompletion::Status::kOk: return "ok";
    case BlockCompletion::Status::kIoError: return "io_error";
    case BlockCompletion::Status::kUnsupported: return "unsupported";
  }
  return "unknown";
}

std::string RequestRef::ToString() const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "request #%" PRIu64 " @%" PRIu64 " dev=%u id=%" PRIu64 " %s offset=%" PRIu64
                " length=%" PRIu64, seq, icount, static_cast<unsigned>(dev), id, BlockTypeName(type), offset, length);
  return buf;
}

BlockReplayer::BlockReplayer(std::vector<TapDeviceId> devs, std::vector<BlockBackend*> drives, size_t max_listed)
    : devs_(std::move(devs)), drives_(std::move(drives)), max_listed_(max_listed) {}

BlockReplayer::~BlockReplayer() { Finish(); }

Status BlockReplayer::Feed(BlockEvent e) {
  if (auto* r = std::get_if<BlockRequest>(&e.body)) return Submit(e.seq, e.icount, std::move(*r));
  return Record(e.seq, e.icount, std::move(std::get<BlockCompletion>(e.body)));
}

Status BlockReplayer::Submit(uint64_t seq, uint64_t icount, BlockRequest r) {
  const auto drive = std::find(devs_.begin(), devs_.end(), r.dev);
  if (drive == devs_.end())
    return Status::Corruption("request #" + std::to_string(seq) + " is for device " + std::to_string(r.dev) +
                              ", which is not a drive of the recorded machine");
  const Key key{r.dev, r.id};
  Pump(false);
  // The recording saw these complete before it submitted this one.
  while (awaiting_ > 0) Pump(true);
  if (auto it = flights_.find(key); it != flights_.end())
    return Status::Corruption("request #" + std::to_string(seq) + " reuses id " + std::to_string(r.id) +
                              " of device " + std::to_string(r.dev) + " while request #" +
                              std::to_string(it->second.ref.seq) + " is still in flight");
  Flight f;
  f.ref = RequestRef{seq, icount, r.dev, r.id, r.type, r.offset, r.length};
  f.drive = static_cast<size_t>(drive - devs_.begin());
  // Races: an overlapping request (one of them modifying) that the
  // recording had in flight together with this one raced there, whatever
  // the order this replay's host happens to finish them in; here the
  // earlier one goes first: wait for it while it is still in flight.
  for (bool again = true; again;) {
    again = false;
    for (auto& [k, other] : flights_) {
      if (other.drive != f.drive || !Overlap(other.ref, f.ref)) continue;
      if (!Modifies(other.ref.type) && !Modifies(f.ref.type)) continue;
      if (!other.recorded) other.raced = f.raced = true;
      if (other.replayed) continue;
      Pump(true);
      again = true;
      break;
    }
  }
  if (f.raced) ++stats_.races;
  ++stats_.requests;
  switch (r.type) {
    case Type::kRead: ++stats_.reads, stats_.bytes_read += r.length; break;
    case Type::kWrite: ++stats_.writes, stats_.bytes_written += r.length; break;
    case Type::kFlush: ++stats_.flushes; break;
    case Type::kDiscard: ++stats_.discards; break;
    case Type::kWriteZeroes: ++stats_.write_zeroes; break;
  }
  stats_.recorded_max_in_flight = std::max(stats_.recorded_max_in_flight, ++recorded_in_flight_);
  stats_.max_in_flight = std::max(stats_.max_in_flight, ++in_flight_);
  flights_.emplace(key, std::move(f));
  drives_[static_cast<size_t>(drive - devs_.begin())]->Submit(std::move(r), [this](BlockCompletion c) {
    std::lock_guard<std::mutex> lock(mu_);
    arrived_.push_back(std::move(c));
    cv_.notify_one();
  });
  return Status::Ok();
}

Status BlockReplayer::Record(uint64_t seq, uint64_t icount, BlockCompletion c) {
  auto it = flights_.find(Key{c.dev, c.id});
  if (it == flights_.end() || it->second.recorded)
    return Status::Corruption("completion #" + std::to_string(seq) + " @" + std::to_string(icount) +
                              " answers no request in flight (device " + std::to_string(c.dev) + ", id " +
                              std::to_string(c.id) + ")");
  Flight& f = it->second;
  f.recorded = true;
  f.recorded_status = c.status;
  f.recorded_data = std::move(c.data);
  --recorded_in_flight_;
  if (f.replayed) {
    Compare(f);
    flights_.erase(it);
  } else {
    ++awaiting_;
  }
  return Status::Ok();
}

void BlockReplayer::Finish() {
  while (in_flight_ > 0) Pump(true);
  // What is left was never answered in the recording.
  stats_.unanswered += flights_.size();
  flights_.clear();
}

void BlockReplayer::Pump(bool wait) {
  std::deque<BlockCompletion> got;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait) cv_.wait(lock, [this] { return !arrived_.empty(); });
    got.swap(arrived_);
  }
  for (BlockCompletion& c : got) Arrived(std::move(c));
}

void BlockReplayer::Arrived(BlockCompletion c) {
  auto it = flights_.find(Key{c.dev, c.id});
  if (it == flights_.end() || it->second.replayed) {
    // A backend answered something it was not asked (or twice).
    AddMismatch(RequestRef{0, 0, c.dev, c.id}, "the backend completed a request not in flight");
    return;
  }
  Flight& f = it->second;
  f.replayed = true;
  f.got_status = c.status;
  f.got_data = std::move(c.data);
  --in_flight_;
  if (f.recorded) {
    --awaiting_;
    Compare(f);
    flights_.erase(it);
  }
}

void BlockReplayer::Compare(const Flight& f) {
  ++stats_.checked;
  std::string what;
  if (f.recorded_status != f.got_status) {
    what = std::string("status: recorded ") + BlockStatusName(f.recorded_status) + ", got " +
           BlockStatusName(f.got_status);
  } else if (f.ref.type == Type::kRead && f.got_status == BlockCompletion::Status::kOk) {
    if (f.got_data.size() != f.ref.length) {
      what = "read returned " + std::to_string(f.got_data.size()) + " bytes as ok (length " +
             std::to_string(f.ref.length) + ")";
    } else if (f.recorded_data.size() != f.ref.length) {
      what = "the recording's read holds " + std::to_string(f.recorded_data.size()) + " bytes (length " +
             std::to_string(f.ref.length) + ")";
    } else if (f.got_data != f.recorded_data) {
      const auto [g, r] = std::mismatch(f.got_data.begin(), f.got_data.end(), f.recorded_data.begin());
      const uint64_t at = static_cast<uint64_t>(g - f.got_data.begin());
      const uint64_t differ = static_cast<uint64_t>(std::inner_product(
          f.got_data.begin(), f.got_data.end(), f.recorded_data.begin(), uint64_t{0}, std::plus<>(),
          [](uint8_t a, uint8_t b) { return uint64_t{a != b}; }));
      what = "data differ from the recording at byte " + std::to_string(at) + " (disk offset " +
             std::to_string(f.ref.offset + at) + "): recorded " + Hex8(*r) + ", got " + Hex8(*g) + "; " +
             std::to_string(differ) + " of " + std::to_string(f.ref.length) + " bytes differ";
    }
  }
  if (what.empty()) return;
  if (f.raced)
    what += " (the recording ran it concurrently with an overlapping write: the order the host gave that race "
            "is not in the journal)";
  AddMismatch(f.ref, std::move(what));
}

void BlockReplayer::AddMismatch(const RequestRef& ref, std::string what) {
  ++stats_.mismatches;
  if (stats_.listed.size() < max_listed_) stats_.listed.push_back(Mismatch{ref, std::move(what)});
}

}  // namespace tapvm::reblock
