#include "emulator/devices/virtio/virtio_blk.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tapvm {

namespace {

constexpr uint32_t kHeaderBytes = 16;       // struct virtio_blk_req up to data
constexpr uint32_t kDiscardSegBytes = 16;   // struct virtio_blk_discard_write_zeroes
constexpr uint32_t kDiscardFlagUnmap = 1;

template <typename T>
T LoadLe(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // little-endian host
  return v;
}

template <typename T>
void StoreLe(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

}  // namespace

VirtioBlk::VirtioBlk(TapDeviceId dev, EventTap* tap, Options options)
    : dev_(dev), tap_(tap), options_(std::move(options)) {
  options_.capacity_sectors = std::min(options_.capacity_sectors, kMaxCapacitySectors);
  if (options_.id.size() > kIdBytes) options_.id.resize(kIdBytes);
  tap_->AttachDevice(dev_, this);
}

uint64_t VirtioBlk::device_features() const {
  uint64_t f = kFSizeMax | kFSegMax | kFBlkSize | kFFlush;
  if (options_.read_only) f |= kFRo;
  if (options_.discard) f |= kFDiscard;
  if (options_.write_zeroes) f |= kFWriteZeroes;
  return f;
}

void VirtioBlk::SetCapacity(uint64_t sectors) {
  options_.capacity_sectors = std::min(sectors, kMaxCapacitySectors);
  if (transport_) transport_->ConfigChanged();
}

void VirtioBlk::ReadConfig(uint32_t offset, std::span<uint8_t> data) {
  uint8_t cfg[kConfigSize] = {};
  StoreLe<uint64_t>(cfg + 0x00, options_.capacity_sectors);
  StoreLe<uint32_t>(cfg + 0x08, kSizeMax);
  StoreLe<uint32_t>(cfg + 0x0c, kSegMax);
  StoreLe<uint32_t>(cfg + 0x14, kSectorSize);  // blk_size
  StoreLe<uint16_t>(cfg + 0x22, 1);            // num_queues
  StoreLe<uint32_t>(cfg + 0x24, kMaxDiscardSectors);
  StoreLe<uint32_t>(cfg + 0x28, 1);  // max_discard_seg
  StoreLe<uint32_t>(cfg + 0x2c, kDiscardSectorAlignment);
  StoreLe<uint32_t>(cfg + 0x30, kMaxWriteZeroesSectors);
  StoreLe<uint32_t>(cfg + 0x34, 1);  // max_write_zeroes_seg
  // write_zeroes_may_unmap (0x38) stays 0: the backend is not known to.
  if (offset >= kConfigSize) return;
  const size_t n = std::min<size_t>(data.size(), kConfigSize - offset);
  std::memcpy(data.data(), cfg + offset, n);
}

void VirtioBlk::Reset() {
  // The tap still holds these requests: their bytes stay counted until their
  // completions arrive, which are then dropped.
  for (const auto& [id, p] : pending_) orphaned_[id] = p.bytes;
  pending_.clear();
  deferred_ = false;
}

void VirtioBlk::Notify(unsigned q) {
  if (q == 0 && transport_) ProcessQueue();
}

void VirtioBlk::ProcessQueue() {
  bool completed = false;
  VirtqChain chain;
  // Everything this notification made available goes to the host together.
  tap_->PlugBlock(dev_);
  for (;;) {
    if (bytes_in_flight_ >= options_.max_bytes_in_flight) {
      deferred_ = true;
      break;
    }
    if (!transport_->PopChain(0, &chain)) {
      deferred_ = false;
      break;
    }
    completed |= HandleChain(std::move(chain));
  }
  tap_->UnplugBlock(dev_);
  if (completed) transport_->NotifyUsed(0);
}

bool VirtioBlk::InCapacity(uint64_t sector, uint64_t sectors) const {
  const uint64_t cap = options_.capacity_sectors;
  return sector <= cap && sectors <= cap - sector;
}

bool VirtioBlk::HandleChain(VirtqChain chain) {
  if (chain.readable_bytes < kHeaderBytes || chain.writable_bytes < 1) {
    transport_->DeviceError("block request " + std::to_string(chain.head) +
                            " lacks its 16-byte header or its status byte");
    return false;
  }
  uint8_t hdr[kHeaderBytes];
  if (chain.CopyFrom(transport_->bus(), 0, hdr) != kHeaderBytes) {
    transport_->DeviceError("block request header is not readable");
    return false;
  }
  const uint32_t type = LoadLe<uint32_t>(hdr);
  const uint64_t sector = LoadLe<uint64_t>(hdr + 8);
  const uint64_t out_len = chain.readable_bytes - kHeaderBytes;  // data the driver gives
  const uint64_t in_len = chain.writable_bytes - 1;              // room for data before the status
  const uint64_t features = transport_->driver_features();

  switch (type) {
    case kTIn:
    case kTOut: {
      const bool write = type == kTOut;
      const uint64_t len = write ? out_len : in_len;
      if (write && options_.read_only) break;  // IOERR, nothing written
      if (len % kSectorSize != 0 || len > kMaxTransferBytes || !InCapacity(sector, len / kSectorSize)) break;
      if (len == 0) {
        Complete(chain, kSOk, {});
        return true;
      }
      IoBytes data;
      if (write) {
        data.resize(len);
        if (chain.CopyFrom(transport_->bus(), kHeaderBytes, data) != len) break;
      }
      Submit(std::move(chain), write ? BlockRequest::Type::kWrite : BlockRequest::Type::kRead,
             sector * kSectorSize, len, write ? 0 : len, std::move(data));
      return false;
    }
    case kTFlush:
      Submit(std::move(chain), BlockRequest::Type::kFlush, 0, 0, 0, {});
      return false;
    case kTGetId: {
      uint8_t id[kIdBytes] = {};
      std::memcpy(id, options_.id.data(), options_.id.size());
      const size_t n = static_cast<size_t>(std::min<uint64_t>(in_len, kIdBytes));
      Complete(chain, kSOk, std::span<const uint8_t>(id, n));
      return true;
    }
    case kTDiscard:
    case kTWriteZeroes: {
      const bool discard = type == kTDiscard;
      if (!(features & (discard ? kFDiscard : kFWriteZeroes))) {
        Complete(chain, kSUnsupp, {});
        return true;
      }
      uint64_t seg_sector = 0;
      uint32_t num = 0;
      const uint8_t status = CheckDiscardLike(chain, type, &seg_sector, &num);
      if (status != kSOk) {
        Complete(chain, status, {});
        return true;
      }
      Submit(std::move(chain), discard ? BlockRequest::Type::kDiscard : BlockRequest::Type::kWriteZeroes,
             seg_sector * kSectorSize, uint64_t{num} * kSectorSize, 0, {});
      return false;
    }
    default:
      Complete(chain, kSUnsupp, {});
      return true;
  }
  Complete(chain, kSIoErr, {});
  return true;
}

uint8_t VirtioBlk::CheckDiscardLike(const VirtqChain& chain, uint32_t type, uint64_t* sector, uint32_t* num) const {
  const uint64_t out_len = chain.readable_bytes - kHeaderBytes;
  if (out_len == 0 || out_len % kDiscardSegBytes != 0) return kSIoErr;
  if (out_len > kDiscardSegBytes) return kSUnsupp;  // max_*_seg is 1
  uint8_t seg[kDiscardSegBytes];
  if (chain.CopyFrom(transport_->bus(), kHeaderBytes, seg) != kDiscardSegBytes) return kSIoErr;
  *sector = LoadLe<uint64_t>(seg);
  *num = LoadLe<uint32_t>(seg + 8);
  const uint32_t flags = LoadLe<uint32_t>(seg + 12);
  if (flags & ~kDiscardFlagUnmap) return kSUnsupp;
  if (type == kTDiscard && (flags & kDiscardFlagUnmap)) return kSUnsupp;
  if (options_.read_only) return kSIoErr;
  const uint32_t max = type == kTDiscard ? kMaxDiscardSectors : kMaxWriteZeroesSectors;
  if (*num > max || !InCapacity(*sector, *num)) return kSIoErr;
  return kSOk;
}

void VirtioBlk::Submit(VirtqChain chain, BlockRequest::Type type, uint64_t offset, uint64_t length,
                       uint64_t read_len, IoBytes data) {
  const uint64_t id = next_id_++;
  // Data bytes plus a fixed cost, so that data-less requests count too.
  const uint64_t bytes =
      kRequestCostBytes + ((type == BlockRequest::Type::kRead || type == BlockRequest::Type::kWrite) ? length : 0);
  pending_[id] = Pending{std::move(chain), read_len, bytes, type, offset, length};
  bytes_in_flight_ += bytes;
  ++stats_.submitted;
  BlockRequest req;
  req.dev = dev_;
  req.id = id;
  req.type = type;
  req.offset = offset;
  req.length = length;
  req.data = std::move(data);
  if (options_.throttles) return options_.throttles->Submit(std::move(req));
  tap_->SubmitBlock(std::move(req));
}

void VirtioBlk::Complete(const VirtqChain& chain, uint8_t status, std::span<const uint8_t> data) {
  Bus& bus = transport_->bus();
  size_t written = 0;
  if (!data.empty()) {
    written = chain.CopyTo(bus, 0, data);
    if (written != data.size()) {
      // The guest memory behind the chain went away: report an I/O error.
      status = kSIoErr;
      written = 0;
    }
  }
  const uint8_t s[1] = {status};
  if (chain.CopyTo(bus, chain.writable_bytes - 1, s) != 1) {
    transport_->DeviceError("block request status byte is not writable");
    return;
  }
  transport_->PushUsed(0, chain.head, static_cast<uint32_t>(written + 1));
}

void VirtioBlk::OnInput(const TapInput& input) {
  if (const auto* c = std::get_if<BlockCompletion>(&input)) OnCompletion(*c);
  if (const auto* t = std::get_if<ThrottleSet>(&input); t && t->dev == dev_ && options_.throttles)
    options_.throttles->SetLimits(dev_, t->limits);
}

void VirtioBlk::OnCompletion(const BlockCompletion& c) {
  if (c.dev != dev_) {
    ++stats_.stale_completions;
    return;
  }
  auto it = pending_.find(c.id);
  if (it == pending_.end()) {
    ++stats_.stale_completions;
    if (auto o = orphaned_.find(c.id); o != orphaned_.end()) {
      bytes_in_flight_ -= o->second;
      orphaned_.erase(o);
      MaybeResume();
    }
    return;
  }
  Pending p = std::move(it->second);
  pending_.erase(it);
  bytes_in_flight_ -= p.bytes;
  ++stats_.completed;
  if (!transport_ || !transport_->live()) return;  // DEVICE_NEEDS_RESET: the driver resets anyway

  uint8_t status = kSIoErr;
  std::span<const uint8_t> data;
  switch (c.status) {
    case BlockCompletion::Status::kOk:
      if (c.data.size() == p.read_len) {
        status = kSOk;
        data = c.data;
      }
      break;
    case BlockCompletion::Status::kIoError: status = kSIoErr; break;
    case BlockCompletion::Status::kUnsupported: status = kSUnsupp; break;
  }
  Complete(p.chain, status, data);
  transport_->NotifyUsed(0);
  MaybeResume();
}

void VirtioBlk::MaybeResume() {
  if (deferred_ && transport_ && transport_->live() && bytes_in_flight_ < options_.max_bytes_in_flight)
    ProcessQueue();
}

void VirtioBlk::SaveState(StateWriter& w) const {
  w.Put(options_.capacity_sectors).Put(next_id_).Put<uint64_t>(pending_.size());
  for (const auto& [id, p] : pending_) {
    w.Put(id).Put(p.read_len).Put(p.bytes).Put(p.type).Put(p.offset).Put(p.length);
    p.chain.SaveState(w);
  }
  w.Put<uint64_t>(orphaned_.size());
  for (const auto& [id, bytes] : orphaned_) w.Put(id).Put(bytes);
  w.Put(bytes_in_flight_).Bool(deferred_);
  w.Put(stats_.submitted).Put(stats_.completed).Put(stats_.stale_completions);
}

Status VirtioBlk::LoadState(StateReader& r) {
  uint64_t capacity = r.Get<uint64_t>();
  const uint64_t next_id = r.Get<uint64_t>();
  if (capacity > kMaxCapacitySectors) r.Fail("capacity beyond the limit");
  std::map<uint64_t, Pending> pending;
  uint64_t counted = 0;
  const uint64_t n = r.Count(kQueueSize, 40);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    const uint64_t id = r.Get<uint64_t>();
    Pending p;
    r.Get(&p.read_len);
    r.Get(&p.bytes);
    r.Get(&p.type);
    r.Get(&p.offset);
    r.Get(&p.length);
    if (!VirtqChain::LoadState(r, &p.chain)) break;
    if (p.type > BlockRequest::Type::kWriteZeroes) r.Fail("unknown request type");
    if (id == 0 || id >= next_id || pending.count(id)) r.Fail("request id " + std::to_string(id) + " is invalid");
    counted += p.bytes;
    pending.emplace(id, std::move(p));
  }
  std::map<uint64_t, uint64_t> orphaned;
  const uint64_t m = r.Count(UINT64_MAX, 16);
  for (uint64_t i = 0; i < m && r.ok(); ++i) {
    const uint64_t id = r.Get<uint64_t>();
    const uint64_t bytes = r.Get<uint64_t>();
    if (id == 0 || id >= next_id || pending.count(id) || orphaned.count(id)) r.Fail("orphaned id is invalid");
    orphaned[id] = bytes;
    counted += bytes;
  }
  const uint64_t bytes_in_flight = r.Get<uint64_t>();
  const bool deferred = r.Bool();
  Stats stats{};
  r.Get(&stats.submitted);
  r.Get(&stats.completed);
  r.Get(&stats.stale_completions);
  if (r.ok() && counted != bytes_in_flight) r.Fail("bytes in flight do not add up");
  if (!r.ok()) return r.status();
  options_.capacity_sectors = capacity;
  next_id_ = next_id;
  pending_ = std::move(pending);
  orphaned_ = std::move(orphaned);
  bytes_in_flight_ = bytes_in_flight;
  deferred_ = deferred;
  stats_ = stats;
  return Status::Ok();
}

void VirtioBlk::ResubmitInFlight() {
  for (const auto& [id, bytes] : orphaned_) bytes_in_flight_ -= bytes;
  orphaned_.clear();
  if (!transport_) return;
  for (const auto& [id, p] : pending_) {
    if (options_.throttles && options_.throttles->Holds(dev_, id)) continue;
    BlockRequest req;
    req.dev = dev_;
    req.id = id;
    req.type = p.type;
    req.offset = p.offset;
    req.length = p.length;
    if (p.type == BlockRequest::Type::kWrite) {
      req.data.resize(p.length);
      p.chain.CopyFrom(transport_->bus(), kHeaderBytes, req.data);  // inside RAM: checked at pop
    }
    tap_->SubmitBlock(std::move(req));
  }
}

void VirtioBlk::HashState(StateHasher& h) const {
  // The capacity can change at run time (SetCapacity); requests in flight
  // with the chains they will complete; the id counter (not reset).
  h.Add(options_.capacity_sectors).Add(next_id_).Add(pending_.size());
  for (const auto& [id, p] : pending_) {
    h.Add(id).Add(p.read_len).Add(p.bytes);
    p.chain.HashState(h);
  }
  h.Add(orphaned_.size());
  for (const auto& [id, bytes] : orphaned_) h.Add(id).Add(bytes);
  h.Add(bytes_in_flight_).Add(deferred_);
  h.Add(stats_.submitted).Add(stats_.completed).Add(stats_.stale_completions);
}

}  // namespace tapvm
