#include "ft/wire.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <random>

#include "ft/ft.capnp.h"
#include "journal/format.h"
#include "journal/hash.h"

namespace tapvm::ft {
namespace {

namespace s = schema;

static_assert(s::PROTOCOL_VERSION == kProtocolVersion, "ft.capnp and wire.h disagree on the protocol version");

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

kj::ArrayPtr<const kj::byte> Bytes(const std::vector<uint8_t>& v) { return kj::arrayPtr(v.data(), v.size()); }
std::vector<uint8_t> ToVector(capnp::Data::Reader d) { return std::vector<uint8_t>(d.begin(), d.end()); }

// Appends the serialized message to a vector (after the frame header).
class VectorSink final : public kj::OutputStream {
 public:
  explicit VectorSink(std::vector<uint8_t>* out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    const auto* p = static_cast<const uint8_t*>(buffer);
    out_->insert(out_->end(), p, p + size);
  }

 private:
  std::vector<uint8_t>* out_;
};

// As in journal/codec.cc: KJ must not log while we decode untrusted bytes.
class QuietKj final : public kj::ExceptionCallback {
 public:
  void logMessage(kj::LogSeverity, const char*, int, int, kj::String&&) override {}
};

size_t SizeHintWords(const Message& m) {
  if (const auto* e = std::get_if<EventMsg>(&m)) return (e->record.size() + e->payload.size()) / 8 + 64;
  return 64;
}

void Build(const Message& m, s::Message::Builder b) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Hello>) {
          auto h = b.initHello();
          h.setProtocolVersion(v.protocol_version);
          h.setRunIdHigh(v.run_id.high);
          h.setRunIdLow(v.run_id.low);
          h.setRole(v.role == Role::kPrimary ? s::Role::PRIMARY : s::Role::SECONDARY);
          h.setConfigHash(v.config_hash);
          auto entries = h.initIdentity(static_cast<unsigned>(v.identity.size()));
          for (unsigned i = 0; i < v.identity.size(); ++i) {
            entries[i].setKey(v.identity[i].first);
            entries[i].setValue(v.identity[i].second);
          }
        } else if constexpr (std::is_same_v<T, EventMsg>) {
          auto e = b.initEvent();
          e.setSeq(v.seq);
          e.setRecord(Bytes(v.record));
          if (!v.payload.empty()) e.setPayload(Bytes(v.payload));
        } else if constexpr (std::is_same_v<T, Ack>) {
          auto a = b.initAck();
          a.setSeq(v.seq);
          a.setReplayedIcount(v.replayed_icount);
        } else if constexpr (std::is_same_v<T, Heartbeat>) {
          auto h = b.initHeartbeat();
          h.setCounter(v.counter);
          h.setEcho(v.echo);
          h.setReplayedIcount(v.replayed_icount);
        } else if constexpr (std::is_same_v<T, Released>) {
          b.initReleased().setSeq(v.seq);
        } else {
          auto y = b.initBye();
          y.setFinalIcount(v.final_icount);
          y.setLastSeq(v.last_seq);
          y.setEndReason(v.end_reason);
        }
      },
      m);
}

Status Read(s::Message::Reader r, Message* m) {
  switch (r.which()) {
    case s::Message::HELLO: {
      auto h = r.getHello();
      Hello v;
      v.protocol_version = h.getProtocolVersion();
      v.run_id = {h.getRunIdHigh(), h.getRunIdLow()};
      switch (h.getRole()) {
        case s::Role::PRIMARY: v.role = Role::kPrimary; break;
        case s::Role::SECONDARY: v.role = Role::kSecondary; break;
        default: return Status::Corruption("hello with an unknown role");
      }
      v.config_hash = h.getConfigHash();
      for (auto entry : h.getIdentity())
        v.identity.emplace_back(std::string(entry.getKey().cStr()), std::string(entry.getValue().cStr()));
      *m = std::move(v);
      return Status::Ok();
    }
    case s::Message::EVENT: {
      auto e = r.getEvent();
      EventMsg v;
      v.seq = e.getSeq();
      v.record = ToVector(e.getRecord());
      v.payload = ToVector(e.getPayload());
      *m = std::move(v);
      return Status::Ok();
    }
    case s::Message::ACK: *m = Ack{r.getAck().getSeq(), r.getAck().getReplayedIcount()}; return Status::Ok();
    case s::Message::HEARTBEAT: {
      auto h = r.getHeartbeat();
      *m = Heartbeat{h.getCounter(), h.getEcho(), h.getReplayedIcount()};
      return Status::Ok();
    }
    case s::Message::RELEASED: *m = Released{r.getReleased().getSeq()}; return Status::Ok();
    case s::Message::BYE: {
      auto y = r.getBye();
      *m = Bye{y.getFinalIcount(), y.getLastSeq(), std::string(y.getEndReason().cStr())};
      return Status::Ok();
    }
  }
  return Status::Corruption("message of an unknown type (a newer protocol?)");
}

}  // namespace

std::string RunId::ToHex() const { return Hex64(high) + Hex64(low); }

bool RunId::FromHex(const std::string& hex, RunId* out) {
  if (hex.size() != 32) return false;
  uint64_t words[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    unsigned d = 0;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return false;
    words[i / 16] = words[i / 16] << 4 | d;
  }
  *out = RunId{words[0], words[1]};
  return true;
}

RunId NewRunId() {
  std::random_device rd;
  auto word = [&] { return (static_cast<uint64_t>(rd()) << 32) ^ rd(); };
  RunId id;
  id.high = word();
  id.low = word();
  return id;
}

const char* RoleName(Role role) { return role == Role::kPrimary ? "primary" : "secondary"; }

const char* MessageName(const Message& m) {
  static const char* const kNames[] = {"hello", "event", "ack", "heartbeat", "released", "bye"};
  return kNames[m.index()];
}

std::vector<uint8_t> EncodeFrame(const Message& m) {
  capnp::MallocMessageBuilder builder(static_cast<unsigned>(std::min<size_t>(SizeHintWords(m), 1u << 28)));
  Build(m, builder.initRoot<s::Message>());
  std::vector<uint8_t> frame(kFrameHeaderSize);
  frame.reserve(kFrameHeaderSize + capnp::computeSerializedSizeInWords(builder) * sizeof(capnp::word));
  VectorSink sink(&frame);
  capnp::writeMessage(sink, builder);
  journal::PutLe32(frame.data(), kFrameMagic);
  journal::PutLe32(frame.data() + 4, static_cast<uint32_t>(frame.size() - kFrameHeaderSize));
  return frame;
}

Status ParseFrameHeader(const uint8_t header[kFrameHeaderSize], uint32_t max_frame_bytes, uint32_t* length) {
  const uint32_t magic = journal::GetLe32(header);
  if (magic != kFrameMagic) {
    return Status::Corruption("bad frame magic 0x" + Hex64(magic).substr(8) +
                              " (not a tapvm FT log stream, or the stream lost its framing)");
  }
  const uint32_t len = journal::GetLe32(header + 4);
  if (len > max_frame_bytes) {
    return Status::Corruption("frame of " + std::to_string(len) + " bytes exceeds the cap of " +
                              std::to_string(max_frame_bytes) + " bytes");
  }
  if (len == 0 || len % sizeof(capnp::word) != 0) {
    return Status::Corruption("frame length " + std::to_string(len) + " is not a whole number of 8-byte words");
  }
  *length = len;
  return Status::Ok();
}

Status DecodeMessage(std::span<const uint8_t> message, Message* m) {
  if (message.size() % sizeof(capnp::word) != 0 ||
      reinterpret_cast<uintptr_t>(message.data()) % alignof(capnp::word) != 0) {
    return Status::InvalidArgument("message buffer is not word-aligned");
  }
  QuietKj quiet;
  try {
    capnp::ReaderOptions options;
    // The frame bounds the work: a message may not make the reader walk
    // much more than its own size (no amplification by shared pointers).
    options.traversalLimitInWords = message.size() / sizeof(capnp::word) * 2 + 1024;
    options.nestingLimit = 16;
    capnp::FlatArrayMessageReader reader(
        kj::arrayPtr(reinterpret_cast<const capnp::word*>(message.data()), message.size() / sizeof(capnp::word)),
        options);
    return Read(reader.getRoot<s::Message>(), m);
  } catch (const kj::Exception& ex) {
    return Status::Corruption(std::string("undecodable message: ") + ex.getDescription().cStr());
  } catch (...) {
    return Status::Corruption("undecodable message");
  }
}

std::string FirstIdentityDifference(const Identity& mine, const Identity& theirs, const std::string& peer) {
  const size_t n = std::max(mine.size(), theirs.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= mine.size()) return theirs[i].first + " is '" + theirs[i].second + "' on the " + peer + ", absent here";
    if (i >= theirs.size()) return mine[i].first + " is '" + mine[i].second + "' here, absent on the " + peer;
    if (mine[i] != theirs[i]) {
      if (mine[i].first != theirs[i].first)
        return "'" + mine[i].first + "' here where the " + peer + " has '" + theirs[i].first + "'";
      return mine[i].first + " is '" + mine[i].second + "' here, '" + theirs[i].second + "' on the " + peer;
    }
  }
  return "";
}

Status CheckHello(const Hello& mine, const Hello& theirs, Role peer_role) {
  if (theirs.protocol_version != mine.protocol_version) {
    return Status::NotSupported("the peer speaks FT protocol version " + std::to_string(theirs.protocol_version) +
                                ", this side version " + std::to_string(mine.protocol_version));
  }
  if (theirs.role != peer_role) {
    return Status::InvalidArgument(std::string("the peer says it is a ") + RoleName(theirs.role) + ", expected a " +
                                   RoleName(peer_role));
  }
  // A secondary may not know the run id yet: it adopts the primary's.
  const bool adopts = theirs.role == Role::kSecondary && theirs.run_id.empty();
  if (!mine.run_id.empty() && !adopts && !(theirs.run_id == mine.run_id)) {
    return Status::InvalidArgument("the peer belongs to run id " + theirs.run_id.ToHex() + ", this side to run id " +
                                   mine.run_id.ToHex());
  }
  if (theirs.run_id.empty() && !adopts) return Status::InvalidArgument("the peer sent no run id");
  if (theirs.config_hash != mine.config_hash) {
    const std::string peer = RoleName(theirs.role);
    std::string detail = FirstIdentityDifference(mine.identity, theirs.identity, peer);
    if (detail.empty()) detail = "configuration hash " + Hex64(mine.config_hash) + " here, " + Hex64(theirs.config_hash) +
                                 " on the " + peer;
    return Status::InvalidArgument("the " + peer + "'s machine differs from this one: " + detail);
  }
  return Status::Ok();
}

uint64_t StreamChainSeed(const RunId& run_id, uint64_t config_hash) {
  static const char kTag[8] = {'T', 'F', 'T', 'C', 'H', 'A', 'I', 'N'};
  uint8_t buf[32];
  std::memcpy(buf, kTag, 8);
  journal::PutLe64(buf + 8, run_id.high);
  journal::PutLe64(buf + 16, run_id.low);
  journal::PutLe64(buf + 24, config_hash);
  return journal::Checksum64(std::span<const uint8_t>(buf, sizeof buf));
}

}  // namespace tapvm::ft
