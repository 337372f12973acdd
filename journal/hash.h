// Content hashes and checksums used by the journal (all xxHash XXH3).
//
//   Hash128        XXH3-128 of some content: the key of a blob, the identity
//                  of an image or an image chunk.
//   ContentHash    hashes a byte span; ContentHasher hashes a stream of
//                  spans with the same result as hashing their concatenation.
//   Checksum64     XXH3-64 with a seed: record checksums and chain links.
//
// Plain values, no shared state: thread-safe.
#pragma once

#include <string>

#include "emulator/base/status.h"

#include <compare>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace tapvm::journal {

struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;

  friend bool operator==(const Hash128&, const Hash128&) = default;
  friend auto operator<=>(const Hash128&, const Hash128&) = default;

  // The canonical 16-byte form (high then low, each big-endian): the blob
  // key, so LMDB's byte order equals the numeric order.
  void ToBytes(uint8_t out[16]) const;
  static Hash128 FromBytes(const uint8_t in[16]);
  // 32 lowercase hex digits, high first.
  std::string ToHex() const;
};

struct Hash128Hasher {
  size_t operator()(const Hash128& h) const { return static_cast<size_t>(h.low ^ (h.high * 0x9e3779b97f4a7c15ull)); }
};

Hash128 ContentHash(std::span<const uint8_t> bytes);

// Streaming XXH3-128: Update() any number of times, then Digest().
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  void Update(std::span<const uint8_t> bytes);
  Hash128 Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

uint64_t Checksum64(std::span<const uint8_t> bytes, uint64_t seed = 0);

// ContentHash of a whole file's bytes (as the journal stores an image
// read from it), read in chunks, its holes taken as the zeros they read
// as without reading them; *size gets its length when given.
Status HashFile(const std::string& path, Hash128* out, uint64_t* size = nullptr);

}  // namespace tapvm::journal
