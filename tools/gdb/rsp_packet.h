// The framing of gdb's Remote Serial Protocol: packets `$payload#cs` (cs:
// the payload's byte sum modulo 256 in two hex digits), the `+`/`-`
// acknowledgements and the out-of-band interrupt byte 0x03; plus the hex
// and binary encodings packets carry. Knows no command.
//
// RspDecoder turns a byte stream from a client into events. Contract:
// - Any byte sequence is accepted: bytes between packets other than `+`,
//   `-`, 0x03 are dropped; a packet whose checksum does not match is
//   reported kBadChecksum (the server answers `-`, the client resends);
//   a packet longer than max_payload is read to its end and reported
//   kOversized, its payload dropped, so memory stays bounded.
// - A `$` inside a packet starts a new packet (the client gave up on the
//   previous one); the bytes before it are dropped.
// - The payload is returned as sent, binary escapes (`}` x) included: only
//   the commands that carry binary data (X) undo them (UnescapeBinary).
// Not thread-safe; one decoder per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tapvm::gdb {

struct RspEvent {
  enum class Kind { kPacket, kBadChecksum, kOversized, kAck, kNak, kInterrupt };
  Kind kind;
  std::string payload;  // kPacket only
};

class RspDecoder {
 public:
  explicit RspDecoder(size_t max_payload) : max_payload_(max_payload) {}
  // Appends the events completed by `data` to *out.
  void Feed(std::string_view data, std::vector<RspEvent>* out);

 private:
  enum class State { kIdle, kPayload, kCheck1, kCheck2 };
  const size_t max_payload_;
  State state_ = State::kIdle;
  std::string payload_;
  bool oversized_ = false;
  uint8_t sum_ = 0;
  uint8_t check_ = 0;
};

// `$payload#cs`, with `#`, `$`, `}` and `*` in the payload escaped.
std::string EncodePacket(std::string_view payload);

// Lowercase hex of each byte.
std::string ToHex(const uint8_t* data, size_t n);
inline std::string ToHex(std::string_view s) { return ToHex(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
// Hex pairs to bytes; false on an odd length or a non-hex digit.
bool FromHex(std::string_view hex, std::vector<uint8_t>* out);
// A hex number of 1 to 16 digits (no prefix); false otherwise.
bool ParseHex(std::string_view hex, uint64_t* out);
// A little-endian value of `bytes` bytes as hex (register contents).
std::string LittleEndianHex(uint64_t value, unsigned bytes);
// Undoes the binary escape (`}` then byte ^ 0x20); false if it ends in `}`.
bool UnescapeBinary(std::string_view in, std::vector<uint8_t>* out);

}  // namespace tapvm::gdb
