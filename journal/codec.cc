#include "journal/codec.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "journal/fmt.h"
#include "journal/format.h"
#include "journal/journal.capnp.h"

namespace tapvm::journal {
namespace {

namespace s = schema;

static_assert(s::FORMAT_VERSION == kFormatVersion, "journal.capnp and format.h disagree on the version");

// A BufferedOutputStream into a reusable byte vector, leaving `prefix`
// bytes at the front for the record framing (so framing needs no copy).
class ByteSink final : public kj::BufferedOutputStream {
 public:
  void Reset(size_t prefix) {
    if (buf_.size() < prefix + 256) buf_.resize(prefix + 4096);
    std::memset(buf_.data(), 0, prefix);
    fill_ = prefix;
  }
  uint8_t* data() { return buf_.data(); }
  size_t size() const { return fill_; }
  std::vector<uint8_t> Take() {
    buf_.resize(fill_);
    std::vector<uint8_t> out;
    out.swap(buf_);
    fill_ = 0;
    return out;
  }

  kj::ArrayPtr<kj::byte> getWriteBuffer() override {
    if (buf_.size() - fill_ < 64) buf_.resize(buf_.size() * 2);
    return kj::arrayPtr(buf_.data() + fill_, buf_.size() - fill_);
  }
  void write(const void* src, size_t n) override {
    if (src == buf_.data() + fill_) {  // written in place via getWriteBuffer()
      fill_ += n;
      return;
    }
    if (buf_.size() - fill_ < n) buf_.resize(std::max(buf_.size() * 2, fill_ + n));
    std::memcpy(buf_.data() + fill_, src, n);
    fill_ += n;
  }

 private:
  std::vector<uint8_t> buf_;
  size_t fill_ = 0;
};

void SetHash(s::Hash128::Builder b, const Hash128& h) {
  b.setHigh(h.high);
  b.setLow(h.low);
}
Hash128 GetHash(s::Hash128::Reader r) { return Hash128{r.getHigh(), r.getLow()}; }

kj::ArrayPtr<const kj::byte> Bytes(std::span<const uint8_t> v) { return kj::arrayPtr(v.data(), v.size()); }

template <class Enum>
bool EnumInRange(Enum v, unsigned count) {
  return static_cast<unsigned>(v) < count;
}

void BuildEvent(s::Event::Builder b, uint64_t seq, const Event& e, const BlobRef* blob) {
  b.setSeq(seq);
  b.setIcount(e.icount);
  b.setDevice(DeviceOf(e.body));
  auto payload = b.getPayload();
  if (const std::optional<std::span<const uint8_t>> bytes = PayloadOf(e.body)) {
    if (blob != nullptr) {
      auto ref = payload.initBlob();
      SetHash(ref.initHash(), blob->hash);
      ref.setSize(blob->size);
    } else {
      payload.setInline(Bytes(*bytes));
    }
  } else {
    payload.setNone();
  }
  auto body = b.getBody();
  if (const auto* x = std::get_if<BlockCompletion>(&e.body)) {
    auto g = body.initBlockCompletion();
    g.setRequestId(x->id);
    g.setStatus(static_cast<s::BlockStatus>(x->status));
  } else if (std::holds_alternative<NetFrameIn>(e.body)) {
    body.setNetFrameIn();
  } else if (std::holds_alternative<ConsoleIn>(e.body)) {
    body.setConsoleIn();
  } else if (std::holds_alternative<EntropyIn>(e.body)) {
    body.setEntropyIn();
  } else if (const auto* x = std::get_if<ThrottleSet>(&e.body)) {
    auto limits = body.initThrottleSet().initLimits();
    auto buckets = limits.initBuckets(ThrottleLimits::kBucketCount);
    for (unsigned i = 0; i < ThrottleLimits::kBucketCount; ++i) {
      buckets[i].setAvg(x->limits.bucket[i].avg);
      buckets[i].setMax(x->limits.bucket[i].max);
      buckets[i].setMaxLength(x->limits.bucket[i].max_length);
    }
    limits.setIopsSize(x->limits.iops_size);
  } else if (const auto* x = std::get_if<ClockWarp>(&e.body)) {
    auto g = body.initClockWarp();
    g.setFromMtime(x->from_mtime);
    g.setToMtime(x->to_mtime);
  } else if (const auto* x = std::get_if<IoAccess>(&e.body)) {
    auto g = body.initIoAccess();
    g.setSpace(x->space == IoAccess::Space::kMmio ? s::IoSpace::MMIO : s::IoSpace::PIO);
    g.setIsWrite(x->is_write);
    g.setAddress(x->addr);
    g.setSize(x->size);
    g.setValue(x->value);
  } else if (std::holds_alternative<NetFrameOut>(e.body)) {
    body.setNetFrameOut();
  } else if (const auto* x = std::get_if<BlockRequest>(&e.body)) {
    auto g = body.initBlockRequest();
    g.setRequestId(x->id);
    g.setType(static_cast<s::BlockRequestType>(x->type));
    g.setOffset(x->offset);
    g.setLength(x->length);
  } else if (const auto* x = std::get_if<EntropyRequest>(&e.body)) {
    body.initEntropyRequest().setMaxBytes(x->max_bytes);
  } else if (std::holds_alternative<ConsoleOut>(e.body)) {
    body.setConsoleOut();
  } else if (const auto* x = std::get_if<IrqLine>(&e.body)) {
    auto g = body.initIrqLine();
    g.setLine(x->line);
    g.setLevel(x->level);
  } else if (const auto* x = std::get_if<StateDigest>(&e.body)) {
    auto g = body.initStateDigest();
    g.setValue(x->value);
    if (x->parts) {
      auto p = g.initParts();
      p.setHart(x->parts->hart);
      p.setRam(x->parts->ram);
      p.setDevices(x->parts->devices);
    }
  }
}

// May throw kj::Exception on a malformed message; the caller catches.
Status ReadEvent(s::Event::Reader r, Event* e, std::optional<BlobRef>* blob) {
  e->seq = r.getSeq();
  e->icount = r.getIcount();
  const TapDeviceId dev = r.getDevice();
  auto body = r.getBody();
  switch (body.which()) {
    case s::Event::Body::BLOCK_COMPLETION: {
      auto g = body.getBlockCompletion();
      if (!EnumInRange(g.getStatus(), 3)) return Status::Corruption(Fmt("unknown block status %u", unsigned(g.getStatus())));
      BlockCompletion x;
      x.dev = dev;
      x.id = g.getRequestId();
      x.status = static_cast<BlockCompletion::Status>(g.getStatus());
      e->body = std::move(x);
      break;
    }
    case s::Event::Body::NET_FRAME_IN: e->body = NetFrameIn{dev, {}}; break;
    case s::Event::Body::CONSOLE_IN: e->body = ConsoleIn{dev, {}}; break;
    case s::Event::Body::ENTROPY_IN: e->body = EntropyIn{dev, {}}; break;
    case s::Event::Body::THROTTLE_SET: {
      auto limits = body.getThrottleSet().getLimits();
      auto buckets = limits.getBuckets();
      if (buckets.size() != ThrottleLimits::kBucketCount)
        return Status::Corruption(Fmt("throttle_set with %u buckets", unsigned(buckets.size())));
      ThrottleSet x;
      x.dev = dev;
      for (unsigned i = 0; i < ThrottleLimits::kBucketCount; ++i)
        x.limits.bucket[i] = {buckets[i].getAvg(), buckets[i].getMax(), buckets[i].getMaxLength()};
      x.limits.iops_size = limits.getIopsSize();
      e->body = x;
      break;
    }
    case s::Event::Body::CLOCK_WARP: {
      auto g = body.getClockWarp();
      e->body = ClockWarp{g.getFromMtime(), g.getToMtime()};
      break;
    }
    case s::Event::Body::IO_ACCESS: {
      auto g = body.getIoAccess();
      if (!EnumInRange(g.getSpace(), 2)) return Status::Corruption(Fmt("unknown I/O space %u", unsigned(g.getSpace())));
      IoAccess x;
      x.space = g.getSpace() == s::IoSpace::MMIO ? IoAccess::Space::kMmio : IoAccess::Space::kPio;
      x.is_write = g.getIsWrite();
      x.dev = dev;
      x.addr = g.getAddress();
      x.size = g.getSize();
      x.value = g.getValue();
      e->body = x;
      break;
    }
    case s::Event::Body::NET_FRAME_OUT: e->body = NetFrameOut{dev, {}}; break;
    case s::Event::Body::BLOCK_REQUEST: {
      auto g = body.getBlockRequest();
      if (!EnumInRange(g.getType(), 5)) return Status::Corruption(Fmt("unknown block request type %u", unsigned(g.getType())));
      BlockRequest x;
      x.dev = dev;
      x.id = g.getRequestId();
      x.type = static_cast<BlockRequest::Type>(g.getType());
      x.offset = g.getOffset();
      x.length = g.getLength();
      e->body = std::move(x);
      break;
    }
    case s::Event::Body::ENTROPY_REQUEST: e->body = EntropyRequest{dev, body.getEntropyRequest().getMaxBytes()}; break;
    case s::Event::Body::CONSOLE_OUT: e->body = ConsoleOut{dev, {}}; break;
    case s::Event::Body::IRQ_LINE: {
      auto g = body.getIrqLine();
      e->body = IrqLine{dev, g.getLine(), g.getLevel()};
      break;
    }
    case s::Event::Body::STATE_DIGEST: {
      auto g = body.getStateDigest();
      StateDigest x;
      x.value = g.getValue();
      if (g.hasParts()) {
        auto p = g.getParts();
        x.parts = DigestParts{p.getHart(), p.getRam(), p.getDevices()};
      }
      e->body = x;
      break;
    }
    default: return Status::Corruption(Fmt("unknown event kind %u", unsigned(body.which())));
  }
  if (DeviceOf(e->body) != dev) return Status::Corruption(Fmt("device %u on a machine-wide event", unsigned(dev)));

  const PayloadRef bytes = MutablePayloadOf(e->body);
  auto payload = r.getPayload();
  blob->reset();
  switch (payload.which()) {
    case s::Event::Payload::NONE:
      if (bytes) return Status::Corruption("payload missing");
      break;
    case s::Event::Payload::INLINE: {
      if (!bytes) return Status::Corruption("payload on an event kind without one");
      auto d = payload.getInline();
      bytes.Assign(std::span<const uint8_t>(d.begin(), d.end()));
      break;
    }
    case s::Event::Payload::BLOB: {
      if (!bytes) return Status::Corruption("payload on an event kind without one");
      auto ref = payload.getBlob();
      *blob = BlobRef{GetHash(ref.getHash()), ref.getSize()};
      break;
    }
    default: return Status::Corruption(Fmt("unknown payload form %u", unsigned(payload.which())));
  }
  e->payload = PayloadLocation{};
  if (bytes) {
    e->payload.in_blob = blob->has_value();
    e->payload.hash = blob->has_value() ? (*blob)->hash : Hash128{};
    e->payload.size = blob->has_value() ? (*blob)->size : bytes.bytes().size();
  }
  return Status::Ok();
}

capnp::ReaderOptions Options(uint64_t words) {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = words;
  o.nestingLimit = 16;
  return o;
}

// While decoding untrusted bytes, KJ must not write to stderr: when an
// exception unwinds through a half-read Cap'n Proto reader, KJ catches a
// second one from its destructor and logs it. The failure itself still
// reaches us as the first exception. Installed on the stack (KJ keeps a
// per-thread chain of callbacks).
class QuietKj final : public kj::ExceptionCallback {
 public:
  void logMessage(kj::LogSeverity, const char*, int, int, kj::String&&) override {}
};

std::string KjMessage(const kj::Exception& ex) {
  std::string d(ex.getDescription().cStr());
  if (d.size() > 160) d.resize(160);
  return d;
}

// Packs a message built by `build` behind `prefix` zero bytes.
template <class Build>
std::vector<uint8_t> PackRecord(size_t prefix, Build build) {
  capnp::MallocMessageBuilder mb;
  build(mb);
  ByteSink sink;
  sink.Reset(prefix);
  capnp::writePackedMessage(sink, mb);
  return sink.Take();
}

// Unpacks `body` and hands the root to `read`, turning every failure into
// Corruption("<what>: ...").
template <class Root, class Read>
Status UnpackRecord(std::span<const uint8_t> body, uint64_t limit_words, const char* what, Read read) {
  QuietKj quiet;
  try {
    kj::ArrayInputStream in(kj::arrayPtr(body.data(), body.size()));
    capnp::PackedMessageReader msg(in, Options(limit_words));
    return read(msg.template getRoot<Root>());
  } catch (const kj::Exception& ex) {
    return Status::Corruption(std::string(what) + ": undecodable: " + KjMessage(ex));
  } catch (...) {
    return Status::Corruption(std::string(what) + ": undecodable");
  }
}

Status CheckMetaChecksum(std::span<const uint8_t> record, const char* what) {
  if (record.size() < kMetaPrefixSize) return Status::Corruption(Fmt("%s: too short (%zu bytes)", what, record.size()));
  const uint64_t stored = GetLe64(record.data());
  const uint64_t computed = Checksum64(record.subspan(kMetaPrefixSize));
  if (stored != computed) {
    return Status::Corruption(Fmt("%s: checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")", what, stored,
                                  computed));
  }
  return Status::Ok();
}

void FinishMetaRecord(std::vector<uint8_t>* rec) {
  PutLe64(rec->data(), Checksum64(std::span<const uint8_t>(*rec).subspan(kMetaPrefixSize)));
}

}  // namespace

// ------------------------------------------------------------ EventEncoder
struct EventEncoder::Impl {
  static constexpr size_t kScratchWords = 1024;
  std::unique_ptr<uint64_t[]> scratch{new uint64_t[kScratchWords]()};  // zeroed, as capnp requires
  ByteSink sink;
};

EventEncoder::EventEncoder() : impl_(std::make_unique<Impl>()) {}
EventEncoder::~EventEncoder() = default;

Status EventEncoder::Encode(uint64_t seq, const Event& e, uint64_t prev_chain, const BlobRef* blob,
                            std::span<const uint8_t>* record, uint64_t* checksum) {
  try {
    // The builder zeroes what it used of the scratch segment when destroyed,
    // so the next event can reuse it.
    capnp::MallocMessageBuilder mb(
        kj::arrayPtr(reinterpret_cast<capnp::word*>(impl_->scratch.get()), Impl::kScratchWords));
    BuildEvent(mb.initRoot<s::Event>(), seq, e, blob);
    impl_->sink.Reset(kEventPrefixSize);
    capnp::writePackedMessage(impl_->sink, mb);
  } catch (const kj::Exception& ex) {
    return Status::InvalidArgument("event not encodable: " + KjMessage(ex));
  }
  uint8_t* rec = impl_->sink.data();
  const size_t size = impl_->sink.size();
  PutLe64(rec + 8, prev_chain);
  *checksum = EventChecksum(seq, std::span<const uint8_t>(rec + 8, size - 8));
  PutLe64(rec, *checksum);
  *record = std::span<const uint8_t>(rec, size);
  return Status::Ok();
}

// ------------------------------------------------------------ EventDecoder
struct EventDecoder::Impl {
  static constexpr size_t kScratchWords = 1024;
  std::unique_ptr<uint64_t[]> scratch{new uint64_t[kScratchWords]()};
};

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

Status EventDecoder::Decode(uint64_t seq, std::span<const uint8_t> record, Event* e, DecodedEvent* info) {
  if (record.size() < kEventPrefixSize) return Status::Corruption(Fmt("record too short (%zu bytes)", record.size()));
  info->checksum = GetLe64(record.data());
  info->prev_chain = GetLe64(record.data() + 8);
  const uint64_t computed = EventChecksum(seq, record.subspan(8));
  if (computed != info->checksum) {
    return Status::Corruption(Fmt("checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")", info->checksum,
                                  computed));
  }
  return DecodeBody(record.subspan(kEventPrefixSize), e, &info->blob);
}

Status EventDecoder::DecodeBody(std::span<const uint8_t> body, Event* e, std::optional<BlobRef>* blob) {
  QuietKj quiet;
  try {
    kj::ArrayInputStream in(kj::arrayPtr(body.data(), body.size()));
    capnp::PackedMessageReader msg(
        in, Options(kEventTraversalWords),
        kj::arrayPtr(reinterpret_cast<capnp::word*>(impl_->scratch.get()), Impl::kScratchWords));
    return ReadEvent(msg.getRoot<s::Event>(), e, blob);
  } catch (const kj::Exception& ex) {
    return Status::Corruption("undecodable record body: " + KjMessage(ex));
  } catch (...) {
    return Status::Corruption("undecodable record body");
  }
}

std::vector<uint8_t> FrameEventRecord(uint64_t seq, uint64_t prev_chain, std::span<const uint8_t> body) {
  std::vector<uint8_t> rec(kEventPrefixSize + body.size());
  PutLe64(rec.data() + 8, prev_chain);
  if (!body.empty()) std::memcpy(rec.data() + kEventPrefixSize, body.data(), body.size());
  PutLe64(rec.data(), EventChecksum(seq, std::span<const uint8_t>(rec).subspan(8)));
  return rec;
}

// ------------------------------------------------------------ header
std::vector<uint8_t> EncodeHeaderRecord(const JournalHeader& h) {
  std::vector<uint8_t> rec = PackRecord(kHeaderPrefixSize, [&h](capnp::MallocMessageBuilder& mb) {
    auto b = mb.initRoot<s::Header>();
    b.setWriterVersion(h.writer_version);
    auto config = b.initConfig(static_cast<unsigned>(h.config.size()));
    for (size_t i = 0; i < h.config.size(); ++i) {
      config[i].setKey(h.config[i].first);
      config[i].setValue(h.config[i].second);
    }
    auto images = b.initImages(static_cast<unsigned>(h.images.size()));
    for (size_t i = 0; i < h.images.size(); ++i) {
      images[i].setRole(static_cast<s::ImageRole>(h.images[i].role));
      images[i].setName(h.images[i].name);
      images[i].setSize(h.images[i].size);
      SetHash(images[i].initHash(), h.images[i].hash);
    }
    b.setDigestInterval(h.digest_interval);
    b.setInlineLimit(h.inline_limit);
  });
  std::memcpy(rec.data(), kMagic, 8);
  PutLe32(rec.data() + 8, h.format_version);
  PutLe32(rec.data() + 12, 0);  // flags: none defined
  PutLe64(rec.data() + 16, Checksum64(rec));
  return rec;
}

Status DecodeHeaderRecord(std::span<const uint8_t> record, JournalHeader* h) {
  if (record.size() < kHeaderPrefixSize) {
    return Status::Corruption(Fmt("header record too short (%zu bytes)", record.size()));
  }
  if (std::memcmp(record.data(), kMagic, 8) != 0) {
    return Status::InvalidArgument("not a tapvm journal: bad magic in the header record (a foreign or damaged file)");
  }
  std::vector<uint8_t> zeroed(record.begin(), record.end());
  std::memset(zeroed.data() + 16, 0, 8);
  const uint64_t stored = GetLe64(record.data() + 16);
  const uint64_t computed = Checksum64(zeroed);
  if (stored != computed) {
    return Status::Corruption(Fmt("header record damaged: checksum mismatch (stored %016" PRIx64
                                  ", computed %016" PRIx64 ")",
                                  stored, computed));
  }
  const uint32_t version = GetLe32(record.data() + 8);
  if (version > kFormatVersion) {
    return Status::NotSupported(Fmt("journal format version %u is newer than this tapvm supports (%u)", version,
                                    kFormatVersion));
  }
  if (version == 0) return Status::Corruption("header record: format version 0");
  h->format_version = version;
  return UnpackRecord<s::Header>(record.subspan(kHeaderPrefixSize), kMetaTraversalWords, "header record",
                                 [h](s::Header::Reader r) -> Status {
                                   h->writer_version = r.getWriterVersion();
                                   h->config.clear();
                                   for (auto c : r.getConfig()) h->config.emplace_back(c.getKey(), c.getValue());
                                   h->images.clear();
                                   for (auto im : r.getImages()) {
                                     if (!EnumInRange(im.getRole(), kImageRoleCount)) {
                                       return Status::Corruption("header record: unknown image role");
                                     }
                                     ImageInfo info;
                                     info.role = static_cast<ImageRole>(im.getRole());
                                     info.name = im.getName();
                                     info.size = im.getSize();
                                     info.hash = GetHash(im.getHash());
                                     h->images.push_back(std::move(info));
                                   }
                                   h->digest_interval = r.getDigestInterval();
                                   h->inline_limit = r.getInlineLimit();
                                   return Status::Ok();
                                 });
}

// ------------------------------------------------------------ tail
std::vector<uint8_t> EncodeTailRecord(const TailInfo& t) {
  std::vector<uint8_t> rec = PackRecord(kMetaPrefixSize, [&t](capnp::MallocMessageBuilder& mb) {
    auto b = mb.initRoot<s::Tail>();
    b.setLastSeq(t.last_seq);
    b.setLastIcount(t.last_icount);
    b.setChain(t.chain);
    b.setCleanClose(t.clean_close);
    b.setFinalIcount(t.final_icount);
    if (!t.end_reason.empty()) b.setEndReason(t.end_reason);
  });
  FinishMetaRecord(&rec);
  return rec;
}

Status DecodeTailRecord(std::span<const uint8_t> record, TailInfo* t) {
  TAPVM_RETURN_IF_ERROR(CheckMetaChecksum(record, "tail record"));
  return UnpackRecord<s::Tail>(record.subspan(kMetaPrefixSize), kEventTraversalWords, "tail record",
                               [t](s::Tail::Reader r) {
                                 t->last_seq = r.getLastSeq();
                                 t->last_icount = r.getLastIcount();
                                 t->chain = r.getChain();
                                 t->clean_close = r.getCleanClose();
                                 t->final_icount = r.getFinalIcount();
                                 t->end_reason = r.getEndReason().cStr();
                                 return Status::Ok();
                               });
}

// ------------------------------------------------------------ images
std::string ImageKey(ImageRole role, std::string_view name) {
  std::string key(kImageKeyPrefix);
  key += ImageRoleName(role);
  key += '/';
  key += name;
  return key;
}

std::vector<uint8_t> EncodeImageRecord(const ImageInfo& im) {
  std::vector<uint8_t> rec = PackRecord(kMetaPrefixSize, [&im](capnp::MallocMessageBuilder& mb) {
    auto b = mb.initRoot<s::Image>();
    b.setRole(static_cast<s::ImageRole>(im.role));
    b.setName(im.name);
    b.setSize(im.size);
    SetHash(b.initHash(), im.hash);
    b.setChunkSize(im.chunk_size);
    auto chunks = b.initChunks(static_cast<unsigned>(im.chunks.size()));
    for (size_t i = 0; i < im.chunks.size(); ++i) SetHash(chunks[i], im.chunks[i]);
  });
  FinishMetaRecord(&rec);
  return rec;
}

Status DecodeImageRecord(std::span<const uint8_t> record, ImageInfo* im) {
  TAPVM_RETURN_IF_ERROR(CheckMetaChecksum(record, "image record"));
  return UnpackRecord<s::Image>(record.subspan(kMetaPrefixSize), kMetaTraversalWords, "image record",
                                [im](s::Image::Reader r) -> Status {
                                  if (!EnumInRange(r.getRole(), kImageRoleCount)) {
                                    return Status::Corruption("image record: unknown role");
                                  }
                                  im->role = static_cast<ImageRole>(r.getRole());
                                  im->name = r.getName();
                                  im->size = r.getSize();
                                  im->hash = GetHash(r.getHash());
                                  im->stored = true;
                                  im->chunk_size = r.getChunkSize();
                                  im->chunks.clear();
                                  auto chunks = r.getChunks();
                                  im->chunks.reserve(chunks.size());
                                  for (auto c : chunks) im->chunks.push_back(GetHash(c));
                                  return Status::Ok();
                                });
}

}  // namespace tapvm::journal

namespace tapvm::journal {

// ------------------------------------------------------------ checkpoints
std::vector<uint8_t> EncodeCheckpointRecord(const CheckpointRecord& c) {
  std::vector<uint8_t> rec = PackRecord(kMetaPrefixSize, [&c](capnp::MallocMessageBuilder& mb) {
    auto b = mb.initRoot<s::Checkpoint>();
    b.setIcount(c.icount);
    b.setFull(c.full);
    b.setParentIcount(c.parent_icount);
    b.setTapPosition(c.tap_position);
    b.setChain(c.chain);
    b.setState(Bytes(c.state));
    auto pages = b.initPages(static_cast<unsigned>(c.pages.size()));
    for (size_t i = 0; i < c.pages.size(); ++i) {
      pages[i].setAddress(c.pages[i].addr);
      pages[i].setHashHigh(c.pages[i].hash.high);
      pages[i].setHashLow(c.pages[i].hash.low);
    }
  });
  PutLe64(rec.data(), Checksum64(std::span<const uint8_t>(rec).subspan(kMetaPrefixSize), c.icount));
  return rec;
}

Status DecodeCheckpointRecord(uint64_t key_icount, std::span<const uint8_t> record, CheckpointRecord* c) {
  const std::string what = Fmt("checkpoint record at icount %" PRIu64, key_icount);
  if (record.size() < kMetaPrefixSize) return Status::Corruption(what + ": too short");
  const uint64_t stored = GetLe64(record.data());
  const uint64_t computed = Checksum64(record.subspan(kMetaPrefixSize), key_icount);
  if (stored != computed)
    return Status::Corruption(what + Fmt(": checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")",
                                         stored, computed));
  return UnpackRecord<s::Checkpoint>(
      record.subspan(kMetaPrefixSize), kMetaTraversalWords, what.c_str(), [&](s::Checkpoint::Reader r) -> Status {
        c->icount = r.getIcount();
        c->full = r.getFull();
        c->parent_icount = r.getParentIcount();
        c->tap_position = r.getTapPosition();
        c->chain = r.getChain();
        auto state = r.getState();
        c->state.assign(state.begin(), state.end());
        auto pages = r.getPages();
        c->pages.resize(pages.size());
        for (unsigned i = 0; i < pages.size(); ++i) {
          c->pages[i].addr = pages[i].getAddress();
          c->pages[i].hash = Hash128{pages[i].getHashHigh(), pages[i].getHashLow()};
        }
        if (c->icount != key_icount) return Status::Corruption(what + Fmt(": says icount %" PRIu64, c->icount));
        if (!c->full && c->parent_icount >= c->icount)
          return Status::Corruption(what + Fmt(": its parent (icount %" PRIu64 ") is not before it", c->parent_icount));
        for (size_t i = 0; i < c->pages.size(); ++i) {
          if (c->pages[i].addr % kCheckpointPageSize != 0 || (i > 0 && c->pages[i].addr <= c->pages[i - 1].addr))
            return Status::Corruption(what + Fmt(": page %zu (0x%" PRIx64 ") unaligned or out of order", i,
                                                 c->pages[i].addr));
        }
        return Status::Ok();
      });
}

}  // namespace tapvm::journal
