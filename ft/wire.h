// Wire format of the FT log channel: the messages of ft/ft.capnp as plain
// values, and their frames on the socket (the grammar is in ft/ft.capnp and
// docs/ft-channel.md).
//
// Cap'n Proto stays behind this interface (only wire.cc includes it).
// DecodeMessage never throws and never trusts its input: any failure is a
// Corruption status naming the problem. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm::ft {

inline constexpr uint32_t kProtocolVersion = 2;
inline constexpr uint32_t kFrameMagic = 0x31544654;  // "TFT1" little-endian
inline constexpr size_t kFrameHeaderSize = 8;        // magic, length
// The largest frame either side accepts: the largest block payload (64 MiB
// of a virtio-blk request) plus its record and slack.
inline constexpr uint32_t kMaxFrameBytes = 80u << 20;

// The pair's run id: 128 random bits chosen by the primary.
struct RunId {
  uint64_t high = 0;
  uint64_t low = 0;
  friend bool operator==(const RunId&, const RunId&) = default;
  bool empty() const { return high == 0 && low == 0; }
  std::string ToHex() const;
  // The inverse of ToHex (32 hex digits); false on anything else.
  static bool FromHex(const std::string& hex, RunId* out);
};
// A fresh random run id (from the host's random source).
RunId NewRunId();

enum class Role : uint8_t { kPrimary, kSecondary };
const char* RoleName(Role role);

// What a side's machine is, as ordered key/value entries (the pair's
// identity: ft/pair_identity.h); config_hash is their hash.
using Identity = std::vector<std::pair<std::string, std::string>>;

struct Hello {
  uint32_t protocol_version = kProtocolVersion;
  RunId run_id;  // a secondary may send zero: it adopts the primary's
  Role role = Role::kPrimary;
  uint64_t config_hash = 0;
  Identity identity;
};
struct EventMsg {
  uint64_t seq = 0;
  std::vector<uint8_t> record;   // a journal event record
  std::vector<uint8_t> payload;  // the blob's bytes when the record refers to one
};
struct Ack {
  uint64_t seq = 0;
  uint64_t replayed_icount = 0;
};
struct Heartbeat {
  uint64_t counter = 0;
  uint64_t echo = 0;
  uint64_t replayed_icount = 0;
};
struct Released {
  uint64_t seq = 0;
};
struct Bye {
  uint64_t final_icount = 0;
  uint64_t last_seq = 0;
  std::string end_reason;
};
using Message = std::variant<Hello, EventMsg, Ack, Heartbeat, Released, Bye>;

// "hello", "event", ... for error messages.
const char* MessageName(const Message& m);

// The whole frame (header and message) for `m`.
std::vector<uint8_t> EncodeFrame(const Message& m);
// Parses a frame header. Corruption on a bad magic, a length over
// `max_frame_bytes`, or a length that is not a whole number of words.
Status ParseFrameHeader(const uint8_t header[kFrameHeaderSize], uint32_t max_frame_bytes, uint32_t* length);
// Decodes a frame's message (the bytes after its header; 8-byte aligned).
Status DecodeMessage(std::span<const uint8_t> message, Message* m);

// Hello checks shared by both sides: `theirs` must speak our version, name
// our run (unless ours is still zero: a secondary adopts the primary's) and
// configuration, and have the role `peer_role`. Differing configurations
// are named by their first differing identity entry.
Status CheckHello(const Hello& mine, const Hello& theirs, Role peer_role);
// The first entry where two identities differ, in words ("drive0 is ... here,
// ... on the primary"); empty when equal. `peer` names the other side.
std::string FirstIdentityDifference(const Identity& mine, const Identity& theirs, const std::string& peer);

// chain(0) of the stream: the journal chain starts at the hash of the
// journal's header; the stream has none, so it starts from the pair's
// identity (a record from another run's stream does not link).
uint64_t StreamChainSeed(const RunId& run_id, uint64_t config_hash);

}  // namespace tapvm::ft
