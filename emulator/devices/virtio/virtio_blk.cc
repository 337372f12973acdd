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
  pending_[id] = Pending{std::move(chain), read_len, bytes};
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
