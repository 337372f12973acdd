#include "journal/hash.h"

#include <xxhash.h>

#include <cstdio>
#include <vector>

namespace tapvm::journal {

void Hash128::ToBytes(uint8_t out[16]) const {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(low >> (56 - 8 * i));
  }
}

Hash128 Hash128::FromBytes(const uint8_t in[16]) {
  Hash128 h;
  for (int i = 0; i < 8; ++i) {
    h.high = (h.high << 8) | in[i];
    h.low = (h.low << 8) | in[8 + i];
  }
  return h;
}

std::string Hash128::ToHex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

Hash128 ContentHash(std::span<const uint8_t> bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Hash128{h.high64, h.low64};
}

struct ContentHasher::State {
  XXH3_state_t* xxh = nullptr;
};

ContentHasher::ContentHasher() : state_(std::make_unique<State>()) {
  state_->xxh = XXH3_createState();
  XXH3_128bits_reset(state_->xxh);
}

ContentHasher::~ContentHasher() { XXH3_freeState(state_->xxh); }

void ContentHasher::Update(std::span<const uint8_t> bytes) { XXH3_128bits_update(state_->xxh, bytes.data(), bytes.size()); }

Hash128 ContentHasher::Digest() const {
  const XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
  return Hash128{h.high64, h.low64};
}

uint64_t Checksum64(std::span<const uint8_t> bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

}  // namespace tapvm::journal

namespace tapvm::journal {

Status HashFile(const std::string& path, Hash128* out, uint64_t* size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::NotFound("cannot open '" + path + "'");
  ContentHasher h;
  std::vector<uint8_t> buf(1 << 20);
  uint64_t total = 0;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    h.Update(std::span<const uint8_t>(buf.data(), n));
    total += n;
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IOError("cannot read '" + path + "'");
  *out = h.Digest();
  if (size != nullptr) *size = total;
  return Status::Ok();
}

}  // namespace tapvm::journal
