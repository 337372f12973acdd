// The on-disk layout of a journal, shared by JournalWriter and JournalReader
// so the two cannot drift apart (docs/journal-format.md is the prose spec).
//
// A journal is one LMDB file (MDB_NOSUBDIR) with four named databases:
//   meta    "header"          header record (written once, by Create)
//           "tail"            tail record (rewritten by every commit)
//           "image/<role>/<name>"  image record (one per stored image)
//   events  key: seq as 8 bytes big-endian (1, 2, 3...), value: event record
//   blobs   key: XXH3-128 of the value (Hash128::ToBytes), value: raw bytes
//   checkpoints  key: icount as 8 bytes big-endian, value: checkpoint record
//           (format 3; absent in older journals unless `journal index` added it)
//
// Framing (all integers little-endian; "body" is a packed Cap'n Proto
// message of journal.capnp):
//   header record := magic[8] version:u32 flags:u32 checksum:u64 body
//       checksum = XXH3-64(the record with its checksum field zeroed)
//       (these 24 bytes and this rule are the same in every version, so
//       any reader can tell a damaged header from a newer one)
//   tail/image record := checksum:u64 body
//       checksum = XXH3-64(body, seed 0)
//   checkpoint record := checksum:u64 body
//       checksum = XXH3-64(body, seed = icount)   (binds it to its key)
//   event record := checksum:u64 prev_chain:u64 body
//       checksum = XXH3-64(prev_chain body, seed = seq)
//   chain(0) = XXH3-64(header record)        (binds events to their header)
//   chain(n) = XXH3-64(chain(n-1):u64 checksum(n):u64)
// An event record stores the chain *before* it (prev_chain), so a record
// spliced in from elsewhere, or a reordering, is found at the record where
// it happens; the tail stores chain(last_seq).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "journal/hash.h"

namespace tapvm::journal {

// The newest format this code reads and the one it writes.
inline constexpr uint32_t kFormatVersion = 3;  // 2: throttle_set events; 3: checkpoints

inline constexpr char kMagic[8] = {'T', 'A', 'P', 'V', 'M', 'J', 'N', 'L'};

inline constexpr const char* kMetaDb = "meta";
inline constexpr const char* kEventsDb = "events";
inline constexpr const char* kBlobsDb = "blobs";
inline constexpr const char* kCheckpointsDb = "checkpoints";
inline constexpr uint64_t kCheckpointPageSize = 4096;

inline constexpr std::string_view kHeaderKey = "header";
inline constexpr std::string_view kTailKey = "tail";
inline constexpr std::string_view kImageKeyPrefix = "image/";

inline constexpr size_t kHeaderPrefixSize = 24;  // magic, version, flags, checksum
inline constexpr size_t kMetaPrefixSize = 8;     // checksum
inline constexpr size_t kEventPrefixSize = 16;   // checksum, prev_chain

// Limits a reader enforces on Cap'n Proto bodies (traversal limit, in
// 8-byte words): a damaged or hostile record cannot make it allocate or
// walk more than this.
inline constexpr uint64_t kEventTraversalWords = 1u << 20;
inline constexpr uint64_t kMetaTraversalWords = 64u << 20;  // image chunk lists

inline void PutLe64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint64_t GetLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline void PutLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t GetLe32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Event keys are big-endian so LMDB's memcmp order is seq order.
inline void EncodeSeqKey(uint64_t seq, uint8_t out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
}
inline uint64_t DecodeSeqKey(const uint8_t in[8]) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

// `rest` is the event record after its checksum: prev_chain then body.
inline uint64_t EventChecksum(uint64_t seq, std::span<const uint8_t> rest) { return Checksum64(rest, seq); }

inline uint64_t ChainNext(uint64_t prev_chain, uint64_t checksum) {
  uint8_t buf[16];
  PutLe64(buf, prev_chain);
  PutLe64(buf + 8, checksum);
  return Checksum64(std::span<const uint8_t>(buf, 16));
}

inline uint64_t ChainSeed(std::span<const uint8_t> header_record) { return Checksum64(header_record); }

}  // namespace tapvm::journal
