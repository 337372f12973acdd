#include "emulator/machine/checkpoint.h"

#include <algorithm>
#include <cstring>

#include "emulator/base/state_hasher.h"
#include "emulator/base/state_io.h"

namespace tapvm {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'P', 'V', 'M', 'C', 'K', 'P'};
constexpr size_t kChecksumBytes = 8;

// Pages ascending, each aligned and of the right size.
Status CheckPages(const std::vector<CheckpointPage>& pages) {
  for (size_t i = 0; i < pages.size(); ++i) {
    const CheckpointPage& p = pages[i];
    if (p.addr % MachineCheckpoint::kPageSize)
      return Status::InvalidArgument("checkpoint page " + std::to_string(p.addr) + " is not 4 KiB aligned");
    if (!p.bytes.empty() && p.bytes.size() != MachineCheckpoint::kPageSize)
      return Status::InvalidArgument("checkpoint page of " + std::to_string(p.bytes.size()) + " bytes");
    if (i && pages[i - 1].addr >= p.addr) return Status::InvalidArgument("checkpoint pages are not in address order");
  }
  return Status::Ok();
}

}  // namespace

uint64_t MachineCheckpoint::ram_bytes() const {
  uint64_t n = 0;
  for (const CheckpointPage& p : pages) n += p.bytes.size();
  return n;
}

uint64_t IdentityHash(const MachineCheckpoint::KeyValues& identity) {
  StateHasher h;
  h.Add(identity.size());
  for (const auto& [k, v] : identity) h.AddString(k).AddString(v);
  return h.Digest();
}

std::string IdentityDifference(const MachineCheckpoint::KeyValues& checkpoint,
                               const MachineCheckpoint::KeyValues& here) {
  const size_t n = std::max(checkpoint.size(), here.size());
  for (size_t i = 0; i < n; ++i) {
    const std::string ck = i < checkpoint.size() ? checkpoint[i].first : "(nothing)";
    const std::string hk = i < here.size() ? here[i].first : "(nothing)";
    if (ck != hk) return "'" + ck + "' in the checkpoint where this machine has '" + hk + "'";
    if (checkpoint[i].second != here[i].second)
      return ck + ": '" + checkpoint[i].second + "' in the checkpoint, '" + here[i].second + "' here";
  }
  return "";
}

Status EncodeCheckpoint(const MachineCheckpoint& c, std::vector<uint8_t>* out) {
  TAPVM_RETURN_IF_ERROR(CheckPages(c.pages));
  StateWriter w;
  w.Raw(kMagic, sizeof kMagic).Put(MachineCheckpoint::kFormatVersion);
  w.Begin("meta");
  w.Put(c.kind).Put(c.icount).Put(c.parent_icount).Put(c.tap_position).Put(c.identity_hash);
  w.Put<uint64_t>(c.identity.size());
  for (const auto& [k, v] : c.identity) w.String(k).String(v);
  w.End();
  w.Begin("hart");
  w.Raw(c.hart.data(), c.hart.size());
  w.End();
  w.Begin("devices");
  w.Raw(c.devices.data(), c.devices.size());
  w.End();
  w.Begin("ram");
  w.Put<uint64_t>(c.pages.size());
  for (const CheckpointPage& p : c.pages) {
    w.Put(p.addr).Bool(!p.bytes.empty());
    if (!p.bytes.empty()) w.Raw(p.bytes.data(), p.bytes.size());
  }
  w.End();
  std::vector<uint8_t> bytes = w.Take();
  const uint64_t sum = StateHasher::HashOf(bytes.data(), bytes.size());
  for (size_t i = 0; i < kChecksumBytes; ++i) bytes.push_back(static_cast<uint8_t>(sum >> (8 * i)));
  *out = std::move(bytes);
  return Status::Ok();
}

Status DecodeCheckpoint(std::span<const uint8_t> in, MachineCheckpoint* out) {
  if (in.size() < sizeof kMagic + 4 + kChecksumBytes || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
    return Status::Corruption("not a tapvm checkpoint (no TAPVMCKP magic)");
  const std::span<const uint8_t> body = in.first(in.size() - kChecksumBytes);
  uint64_t sum = 0;
  for (size_t i = 0; i < kChecksumBytes; ++i) sum |= uint64_t{in[body.size() + i]} << (8 * i);
  StateReader r(body, "checkpoint");
  uint8_t magic[sizeof kMagic];
  r.Raw(magic, sizeof magic);
  const uint32_t version = r.Get<uint32_t>();
  if (version != MachineCheckpoint::kFormatVersion)
    return Status::NotSupported("checkpoint format version " + std::to_string(version) + " (this build reads " +
                                std::to_string(MachineCheckpoint::kFormatVersion) + ")");
  if (StateHasher::HashOf(body.data(), body.size()) != sum)
    return Status::Corruption("checkpoint checksum mismatch: the bytes are damaged or truncated");

  MachineCheckpoint c;
  r.Enter("meta");
  const uint8_t kind = r.Get<uint8_t>();
  if (r.ok() && kind > 1) r.Fail("unknown checkpoint kind " + std::to_string(kind));
  c.kind = static_cast<MachineCheckpoint::Kind>(kind);
  r.Get(&c.icount);
  r.Get(&c.parent_icount);
  r.Get(&c.tap_position);
  r.Get(&c.identity_hash);
  const uint64_t keys = r.Count(4096, 16);
  for (uint64_t i = 0; i < keys && r.ok(); ++i) {
    std::string k = r.String(4096);
    std::string v = r.String(1 << 16);
    c.identity.emplace_back(std::move(k), std::move(v));
  }
  r.Leave();
  if (r.ok() && IdentityHash(c.identity) != c.identity_hash) r.Fail("the identity does not match its hash");
  for (auto [name, part] : {std::pair{"hart", &c.hart}, std::pair{"devices", &c.devices}}) {
    r.Enter(name);
    part->resize(r.remaining());
    r.Raw(part->data(), part->size());
    r.Leave();
  }
  r.Enter("ram");
  const uint64_t pages = r.Count(UINT64_MAX, 9);
  c.pages.reserve(pages);
  for (uint64_t i = 0; i < pages && r.ok(); ++i) {
    CheckpointPage p;
    r.Get(&p.addr);
    if (r.Bool()) {
      p.bytes.resize(MachineCheckpoint::kPageSize);
      r.Raw(p.bytes.data(), p.bytes.size());
    }
    if (r.ok() && (p.addr % MachineCheckpoint::kPageSize || (!c.pages.empty() && c.pages.back().addr >= p.addr)))
      r.Fail("page " + std::to_string(p.addr) + " is not aligned or not in address order");
    c.pages.push_back(std::move(p));
  }
  r.Leave();
  if (r.ok() && !r.at_end()) r.Fail(std::to_string(r.remaining()) + " bytes after the last section");
  if (!r.ok()) return r.status();
  *out = std::move(c);
  return Status::Ok();
}

Status ApplyIncrement(MachineCheckpoint* full, const MachineCheckpoint& next) {
  if (full->kind != MachineCheckpoint::Kind::kFull)
    return Status::InvalidArgument("an incremental checkpoint applies to a full one");
  if (next.kind != MachineCheckpoint::Kind::kIncremental)
    return Status::InvalidArgument("the checkpoint to apply is not incremental");
  if (next.identity_hash != full->identity_hash)
    return Status::InvalidArgument("the incremental checkpoint is from another machine: " +
                                   IdentityDifference(next.identity, full->identity));
  if (next.parent_icount != full->icount)
    return Status::InvalidArgument("the incremental checkpoint at icount " + std::to_string(next.icount) +
                                   " builds on icount " + std::to_string(next.parent_icount) + ", not " +
                                   std::to_string(full->icount));
  TAPVM_RETURN_IF_ERROR(CheckPages(next.pages));
  // Merge the two sorted lists: the newer page wins; zero pages drop out.
  std::vector<CheckpointPage> merged;
  merged.reserve(full->pages.size() + next.pages.size());
  size_t i = 0, j = 0;
  while (i < full->pages.size() || j < next.pages.size()) {
    const bool take_next =
        j < next.pages.size() && (i == full->pages.size() || next.pages[j].addr <= full->pages[i].addr);
    if (take_next) {
      if (i < full->pages.size() && full->pages[i].addr == next.pages[j].addr) ++i;
      if (!next.pages[j].bytes.empty()) merged.push_back(next.pages[j]);
      ++j;
    } else {
      merged.push_back(std::move(full->pages[i++]));
    }
  }
  full->pages = std::move(merged);
  full->icount = next.icount;
  full->tap_position = next.tap_position;
  full->hart = next.hart;
  full->devices = next.devices;
  return Status::Ok();
}

}  // namespace tapvm
