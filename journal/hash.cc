#include "journal/hash.h"

#include <xxh_x86dispatch.h>
#include <xxhash.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "emulator/base/vector_state.h"

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

// The bulk hashes (blobs: images, disk blocks, checkpoint pages) use
// libxxhash's runtime-dispatched XXH3, the same function vectorised for
// the host (AVX2, AVX-512): the same hashes, faster. Each call is followed
// by ClearUpperVectorState (emulator/base/vector_state.h says why).
Hash128 ContentHash(std::span<const uint8_t> bytes) {
  const XXH128_hash_t h = XXH3_128bits_dispatch(bytes.data(), bytes.size());
  ClearUpperVectorState();
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

void ContentHasher::Update(std::span<const uint8_t> bytes) {
  XXH3_128bits_update_dispatch(state_->xxh, bytes.data(), bytes.size());
  ClearUpperVectorState();
}

Hash128 ContentHasher::Digest() const {
  const XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
  ClearUpperVectorState();
  return Hash128{h.high64, h.low64};
}

uint64_t Checksum64(std::span<const uint8_t> bytes, uint64_t seed) {
  const uint64_t sum = XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
  ClearUpperVectorState();
  return sum;
}

}  // namespace tapvm::journal

namespace tapvm::journal {

Status HashFile(const std::string& path, Hash128* out, uint64_t* size) {
  // The hash is of the file's logical bytes, so a sparse image and a fully
  // allocated copy hash alike; holes are fed from a buffer of zeros instead
  // of being read (a mostly empty disk image hashes without reading it).
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open '" + path + "'");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return Status::IOError("cannot stat '" + path + "'");
  }
  ContentHasher h;
  constexpr size_t kChunk = 1u << 20;
  std::vector<uint8_t> buf(kChunk);
  static const std::vector<uint8_t> zeros(kChunk, 0);
  auto feed_zeros = [&](uint64_t n) {
    while (n > 0) {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(n, kChunk));
      h.Update(std::span<const uint8_t>(zeros.data(), k));
      n -= k;
    }
  };
  Status result = Status::Ok();
  uint64_t at = 0;
  if (!S_ISREG(st.st_mode)) {
    // A block device (its st_size is 0) or a pipe: read to the end.
    for (;;) {
      const ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        result = Status::IOError("cannot read '" + path + "' at byte " + std::to_string(at));
        break;
      }
      if (n == 0) break;
      h.Update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
      at += static_cast<uint64_t>(n);
    }
  }
  const uint64_t total = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : at;
  while (at < total && result.ok()) {
    // The next data extent; a file system without SEEK_DATA reads as all data.
    off_t data = lseek(fd, static_cast<off_t>(at), SEEK_DATA);
    if (data < 0) data = errno == ENXIO ? static_cast<off_t>(total) : static_cast<off_t>(at);
    if (static_cast<uint64_t>(data) > total) data = static_cast<off_t>(total);
    off_t hole = lseek(fd, data, SEEK_HOLE);
    // No answer, or one that would not move us on: the rest is data.
    if (hole <= data || static_cast<uint64_t>(hole) > total) hole = static_cast<off_t>(total);
    feed_zeros(static_cast<uint64_t>(data) - at);
    at = static_cast<uint64_t>(data);
    while (at < static_cast<uint64_t>(hole)) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(hole) - at, kChunk));
      const ssize_t n = pread(fd, buf.data(), want, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        result = Status::IOError("cannot read '" + path + "' at byte " + std::to_string(at));
        break;
      }
      h.Update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
      at += static_cast<uint64_t>(n);
    }
  }
  close(fd);
  TAPVM_RETURN_IF_ERROR(result);
  *out = h.Digest();
  if (size != nullptr) *size = total;
  return Status::Ok();
}

}  // namespace tapvm::journal
