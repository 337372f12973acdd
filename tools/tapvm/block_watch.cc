#include "tools/tapvm/block_watch.h"

namespace tapvm::cli {

struct BlockWatchTap::Counters {
  std::atomic<uint64_t> rd_bytes{0}, wr_bytes{0}, unmap_bytes{0};
  std::atomic<uint64_t> rd_ops{0}, wr_ops{0}, flush_ops{0}, unmap_ops{0};
  std::atomic<uint64_t> failed_rd{0}, failed_wr{0}, failed_flush{0}, failed_unmap{0};
  std::atomic<uint64_t> rd_ns{0}, wr_ns{0}, flush_ns{0}, unmap_ns{0};
  std::atomic<uint64_t> wr_highest{0};
};

// Stands between the tap and a device: sees each input on its way in.
class BlockWatchTap::Sink final : public TapInputSink {
 public:
  Sink(BlockWatchTap* watch, TapInputSink* device) : watch_(watch), device_(device) {}
  void OnInput(const TapInput& input) override {
    if (const auto* done = std::get_if<BlockCompletion>(&input)) watch_->Completed(*done);
    device_->OnInput(input);
  }

 private:
  BlockWatchTap* watch_;
  TapInputSink* device_;
};

BlockWatchTap::BlockWatchTap(EventTap* inner) : ForwardingTap(inner) {}

BlockWatchTap::~BlockWatchTap() = default;

void BlockWatchTap::SetDrives(const std::vector<TapDeviceId>& drives) {
  drive_index_.clear();
  drives_.clear();
  for (size_t i = 0; i < drives.size(); ++i) {
    drive_index_[drives[i]] = i;
    drives_.push_back(std::make_unique<Counters>());
  }
}

void BlockWatchTap::AttachDevice(TapDeviceId dev, TapInputSink* sink) {
  if (sink == nullptr) {
    inner_->AttachDevice(dev, nullptr);
    sinks_.erase(dev);
    return;
  }
  auto wrapped = std::make_unique<Sink>(this, sink);
  inner_->AttachDevice(dev, wrapped.get());
  sinks_[dev] = std::move(wrapped);
}

void BlockWatchTap::SubmitBlock(BlockRequest request) {
  if (drive_index_.count(request.dev))
    in_flight_[{request.dev, request.id}] =
        InFlight{request.type, request.offset, request.length, std::chrono::steady_clock::now()};
  inner_->SubmitBlock(std::move(request));
}

void BlockWatchTap::Completed(const BlockCompletion& done) {
  auto drive = drive_index_.find(done.dev);
  auto it = in_flight_.find({done.dev, done.id});
  if (drive == drive_index_.end() || it == in_flight_.end()) return;
  const InFlight req = it->second;
  in_flight_.erase(it);
  Counters& c = *drives_[drive->second];
  const bool ok = done.status == BlockCompletion::Status::kOk;
  const auto ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - req.start).count());
  constexpr auto kRelaxed = std::memory_order_relaxed;
  using T = BlockRequest::Type;
  switch (req.type) {
    case T::kRead:
      (ok ? c.rd_ops : c.failed_rd).fetch_add(1, kRelaxed);
      if (ok) c.rd_bytes.fetch_add(req.length, kRelaxed);
      c.rd_ns.fetch_add(ns, kRelaxed);
      break;
    case T::kWrite:
    case T::kWriteZeroes:  // QEMU accounts write-zeroes as writes
      (ok ? c.wr_ops : c.failed_wr).fetch_add(1, kRelaxed);
      if (ok) {
        c.wr_bytes.fetch_add(req.length, kRelaxed);
        if (req.offset + req.length > c.wr_highest.load(kRelaxed)) c.wr_highest.store(req.offset + req.length, kRelaxed);
      }
      c.wr_ns.fetch_add(ns, kRelaxed);
      break;
    case T::kFlush:
      (ok ? c.flush_ops : c.failed_flush).fetch_add(1, kRelaxed);
      c.flush_ns.fetch_add(ns, kRelaxed);
      break;
    case T::kDiscard:
      (ok ? c.unmap_ops : c.failed_unmap).fetch_add(1, kRelaxed);
      if (ok) c.unmap_bytes.fetch_add(req.length, kRelaxed);
      c.unmap_ns.fetch_add(ns, kRelaxed);
      break;
  }
  if (done.status == BlockCompletion::Status::kIoError && on_error_) on_error_(drive->second, req.type);
}

BlockStats BlockWatchTap::Stats(size_t drive) const {
  BlockStats s;
  if (drive >= drives_.size()) return s;
  const Counters& c = *drives_[drive];
  constexpr auto kRelaxed = std::memory_order_relaxed;
  s.rd_bytes = c.rd_bytes.load(kRelaxed);
  s.wr_bytes = c.wr_bytes.load(kRelaxed);
  s.unmap_bytes = c.unmap_bytes.load(kRelaxed);
  s.rd_operations = c.rd_ops.load(kRelaxed);
  s.wr_operations = c.wr_ops.load(kRelaxed);
  s.flush_operations = c.flush_ops.load(kRelaxed);
  s.unmap_operations = c.unmap_ops.load(kRelaxed);
  s.failed_rd_operations = c.failed_rd.load(kRelaxed);
  s.failed_wr_operations = c.failed_wr.load(kRelaxed);
  s.failed_flush_operations = c.failed_flush.load(kRelaxed);
  s.failed_unmap_operations = c.failed_unmap.load(kRelaxed);
  s.rd_total_time_ns = c.rd_ns.load(kRelaxed);
  s.wr_total_time_ns = c.wr_ns.load(kRelaxed);
  s.flush_total_time_ns = c.flush_ns.load(kRelaxed);
  s.unmap_total_time_ns = c.unmap_ns.load(kRelaxed);
  s.wr_highest_offset = c.wr_highest.load(kRelaxed);
  return s;
}

}  // namespace tapvm::cli
