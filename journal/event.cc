#include "journal/event.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

namespace tapvm::journal {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

constexpr const char* kKindNames[kEventKindCount] = {
    "block_completion", "net_frame_in", "console_in", "entropy_in",  "throttle_set", "clock_warp",
    "mmio_read",        "mmio_write",   "pio_read",   "pio_write",   "net_frame_out",
    "block_request",    "entropy_request", "console_out", "irq_line", "state_digest",
};

// QEMU's names of the throttle buckets (journal/ may not include
// emulator/block/, so they are spelled here too).
constexpr const char* kBucketNames[ThrottleLimits::kBucketCount] = {"bps-total", "bps-read", "bps-write",
                                                                    "iops-total", "iops-read", "iops-write"};

const char* BlockStatusName(BlockCompletion::Status s) {
  switch (s) {
    case BlockCompletion::Status::kOk: return "ok";
    case BlockCompletion::Status::kIoError: return "io_error";
    case BlockCompletion::Status::kUnsupported: return "unsupported";
  }
  return "?";
}

const char* BlockTypeName(BlockRequest::Type t) {
  switch (t) {
    case BlockRequest::Type::kRead: return "read";
    case BlockRequest::Type::kWrite: return "write";
    case BlockRequest::Type::kFlush: return "flush";
    case BlockRequest::Type::kDiscard: return "discard";
    case BlockRequest::Type::kWriteZeroes: return "write_zeroes";
  }
  return "?";
}

void Appendf(std::string* out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Appendf(std::string* out, const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) out->append(buf, static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1);
}

// Console bytes as a C-like escaped string, at most 64 bytes shown.
void AppendText(std::string* out, std::span<const uint8_t> bytes) {
  constexpr size_t kMax = 64;
  out->push_back('"');
  for (size_t i = 0; i < bytes.size() && i < kMax; ++i) {
    const uint8_t c = bytes[i];
    if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7f) {
      out->push_back(static_cast<char>(c));
    } else {
      Appendf(out, "\\x%02x", c);
    }
  }
  out->push_back('"');
  if (bytes.size() > kMax) out->append("...");
}

// Binary payloads: a hex prefix of at most 16 bytes.
void AppendHex(std::string* out, std::span<const uint8_t> bytes) {
  constexpr size_t kMax = 16;
  for (size_t i = 0; i < bytes.size() && i < kMax; ++i) Appendf(out, "%02x", bytes[i]);
  if (bytes.size() > kMax) out->append("...");
}

void AppendPayload(std::string* out, const Event& e, bool text) {
  const std::optional<std::span<const uint8_t>> p = PayloadOf(e.body);
  if (!p) return;
  const uint64_t len = e.payload.loaded ? p->size() : e.payload.size;
  Appendf(out, " len=%" PRIu64, len);
  if (e.payload.in_blob) Appendf(out, " blob=%s", e.payload.hash.ToHex().substr(0, 16).c_str());
  if (!e.payload.loaded || p->empty()) return;
  out->push_back(' ');
  if (text) {
    AppendText(out, *p);
  } else {
    AppendHex(out, *p);
  }
}

}  // namespace

EventKind KindOf(const EventBody& body) {
  if (const auto* io = std::get_if<IoAccess>(&body)) {
    if (io->space == IoAccess::Space::kMmio) return io->is_write ? EventKind::kMmioWrite : EventKind::kMmioRead;
    return io->is_write ? EventKind::kPioWrite : EventKind::kPioRead;
  }
  return std::visit(Overload{
                        [](const BlockCompletion&) { return EventKind::kBlockCompletion; },
                        [](const NetFrameIn&) { return EventKind::kNetFrameIn; },
                        [](const ConsoleIn&) { return EventKind::kConsoleIn; },
                        [](const EntropyIn&) { return EventKind::kEntropyIn; },
                        [](const ThrottleSet&) { return EventKind::kThrottleSet; },
                        [](const ClockWarp&) { return EventKind::kClockWarp; },
                        [](const IoAccess&) { return EventKind::kMmioRead; },  // handled above
                        [](const NetFrameOut&) { return EventKind::kNetFrameOut; },
                        [](const BlockRequest&) { return EventKind::kBlockRequest; },
                        [](const EntropyRequest&) { return EventKind::kEntropyRequest; },
                        [](const ConsoleOut&) { return EventKind::kConsoleOut; },
                        [](const IrqLine&) { return EventKind::kIrqLine; },
                        [](const StateDigest&) { return EventKind::kStateDigest; },
                    },
                    body);
}

bool IsInput(EventKind kind) { return kind <= EventKind::kClockWarp; }

const char* EventKindName(EventKind kind) {
  const size_t i = static_cast<size_t>(kind);
  return i < kEventKindCount ? kKindNames[i] : "unknown";
}

bool ParseEventKind(std::string_view name, EventKind* kind) {
  for (size_t i = 0; i < kEventKindCount; ++i) {
    if (name == kKindNames[i]) {
      *kind = static_cast<EventKind>(i);
      return true;
    }
  }
  return false;
}

TapDeviceId DeviceOf(const EventBody& body) {
  return std::visit(Overload{
                        [](const ClockWarp&) { return kMachineDevice; },
                        [](const StateDigest&) { return kMachineDevice; },
                        [](const auto& b) { return static_cast<TapDeviceId>(b.dev); },
                    },
                    body);
}

PayloadRef MutablePayloadOf(EventBody& body) {
  return std::visit(Overload{
                        [](BlockCompletion& b) { return PayloadRef(&b.data); },
                        [](NetFrameIn& b) { return PayloadRef(&b.frame); },
                        [](ConsoleIn& b) { return PayloadRef(&b.bytes); },
                        [](EntropyIn& b) { return PayloadRef(&b.bytes); },
                        [](NetFrameOut& b) { return PayloadRef(&b.frame); },
                        [](BlockRequest& b) { return PayloadRef(&b.data); },
                        [](ConsoleOut& b) { return PayloadRef(&b.bytes); },
                        [](auto&) { return PayloadRef(); },
                    },
                    body);
}

std::optional<std::span<const uint8_t>> PayloadOf(const EventBody& body) {
  const PayloadRef p = MutablePayloadOf(const_cast<EventBody&>(body));
  if (!p) return std::nullopt;
  return p.bytes();
}

Event MakeInputEvent(uint64_t icount, TapInput input) {
  Event e;
  e.icount = icount;
  std::visit([&e](auto&& in) { e.body = std::move(in); }, std::move(input));
  return e;
}

bool ToTapInput(const Event& e, TapInput* out) {
  return std::visit(Overload{
                        [out](const BlockCompletion& b) { *out = b; return true; },
                        [out](const NetFrameIn& b) { *out = b; return true; },
                        [out](const ConsoleIn& b) { *out = b; return true; },
                        [out](const EntropyIn& b) { *out = b; return true; },
                        [out](const ThrottleSet& b) { *out = b; return true; },
                        [](const auto&) { return false; },
                    },
                    e.body);
}

bool SameBody(const EventBody& a, const EventBody& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      Overload{
          [&b](const BlockCompletion& x) {
            const auto& y = std::get<BlockCompletion>(b);
            return x.dev == y.dev && x.id == y.id && x.status == y.status && x.data == y.data;
          },
          [&b](const NetFrameIn& x) {
            const auto& y = std::get<NetFrameIn>(b);
            return x.dev == y.dev && x.frame == y.frame;
          },
          [&b](const ConsoleIn& x) {
            const auto& y = std::get<ConsoleIn>(b);
            return x.dev == y.dev && x.bytes == y.bytes;
          },
          [&b](const EntropyIn& x) {
            const auto& y = std::get<EntropyIn>(b);
            return x.dev == y.dev && x.bytes == y.bytes;
          },
          [&b](const ThrottleSet& x) {
            const auto& y = std::get<ThrottleSet>(b);
            return x.dev == y.dev && x.limits == y.limits;
          },
          [&b](const ClockWarp& x) {
            const auto& y = std::get<ClockWarp>(b);
            return x.from_mtime == y.from_mtime && x.to_mtime == y.to_mtime;
          },
          [&b](const IoAccess& x) {
            const auto& y = std::get<IoAccess>(b);
            return x.space == y.space && x.is_write == y.is_write && x.dev == y.dev && x.addr == y.addr &&
                   x.size == y.size && x.value == y.value;
          },
          [&b](const NetFrameOut& x) {
            const auto& y = std::get<NetFrameOut>(b);
            return x.dev == y.dev && x.frame == y.frame;
          },
          [&b](const BlockRequest& x) {
            const auto& y = std::get<BlockRequest>(b);
            return x.dev == y.dev && x.id == y.id && x.type == y.type && x.offset == y.offset &&
                   x.length == y.length && x.data == y.data;
          },
          [&b](const EntropyRequest& x) {
            const auto& y = std::get<EntropyRequest>(b);
            return x.dev == y.dev && x.max_bytes == y.max_bytes;
          },
          [&b](const ConsoleOut& x) {
            const auto& y = std::get<ConsoleOut>(b);
            return x.dev == y.dev && x.bytes == y.bytes;
          },
          [&b](const IrqLine& x) {
            const auto& y = std::get<IrqLine>(b);
            return x.dev == y.dev && x.line == y.line && x.level == y.level;
          },
          [&b](const StateDigest& x) {
            const auto& y = std::get<StateDigest>(b);
            return x.value == y.value && x.parts == y.parts;
          },
      },
      a);
}

std::string DescribeEvent(const Event& e) {
  std::string out;
  const EventKind kind = KindOf(e.body);
  Appendf(&out, "#%" PRIu64 " @%" PRIu64 " %s", e.seq, e.icount, EventKindName(kind));
  const TapDeviceId dev = DeviceOf(e.body);
  if (dev != kMachineDevice) Appendf(&out, " dev=%u", static_cast<unsigned>(dev));
  std::visit(Overload{
                 [&](const BlockCompletion& b) {
                   Appendf(&out, " id=%" PRIu64 " status=%s", b.id, BlockStatusName(b.status));
                   AppendPayload(&out, e, false);
                 },
                 [&](const NetFrameIn&) { AppendPayload(&out, e, false); },
                 [&](const ConsoleIn&) { AppendPayload(&out, e, true); },
                 [&](const EntropyIn&) { AppendPayload(&out, e, false); },
                 [&](const ThrottleSet& b) {
                   bool any = false;
                   for (unsigned i = 0; i < ThrottleLimits::kBucketCount; ++i) {
                     const ThrottleLimits::Limit& l = b.limits.bucket[i];
                     if (!l.avg) continue;
                     any = true;
                     Appendf(&out, " %s=%" PRIu64, kBucketNames[i], l.avg);
                     if (l.max) Appendf(&out, " %s-max=%" PRIu64, kBucketNames[i], l.max);
                     if (l.max_length != 1) Appendf(&out, " %s-max-length=%" PRIu64, kBucketNames[i], l.max_length);
                   }
                   if (b.limits.iops_size) Appendf(&out, " iops-size=%" PRIu64, b.limits.iops_size);
                   if (!any) out.append(" (no limits)");
                 },
                 [&](const ClockWarp& b) {
                   Appendf(&out, " mtime=%" PRIu64 "->%" PRIu64, b.from_mtime, b.to_mtime);
                 },
                 [&](const IoAccess& b) {
                   Appendf(&out, " addr=0x%" PRIx64 " size=%u value=0x%" PRIx64, b.addr, static_cast<unsigned>(b.size),
                           b.value);
                 },
                 [&](const NetFrameOut&) { AppendPayload(&out, e, false); },
                 [&](const BlockRequest& b) {
                   Appendf(&out, " id=%" PRIu64 " type=%s offset=%" PRIu64 " length=%" PRIu64, b.id,
                           BlockTypeName(b.type), b.offset, b.length);
                   AppendPayload(&out, e, false);
                 },
                 [&](const EntropyRequest& b) { Appendf(&out, " max_bytes=%u", b.max_bytes); },
                 [&](const ConsoleOut&) { AppendPayload(&out, e, true); },
                 [&](const IrqLine& b) { Appendf(&out, " line=%u level=%d", b.line, b.level ? 1 : 0); },
                 [&](const StateDigest& b) {
                   Appendf(&out, " value=0x%016" PRIx64, b.value);
                   if (b.parts) {
                     Appendf(&out, " hart=0x%016" PRIx64 " ram=0x%016" PRIx64 " devices=0x%016" PRIx64, b.parts->hart,
                             b.parts->ram, b.parts->devices);
                   }
                 },
             },
             e.body);
  return out;
}

}  // namespace tapvm::journal
