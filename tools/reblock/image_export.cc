#include "tools/reblock/image_export.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace tapvm::reblock {

namespace {

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

bool AllZero(const std::vector<uint8_t>& b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

}  // namespace

Status ExportImage(journal::JournalReader* reader, const journal::ImageInfo& image, const std::string& path) {
  const std::string name = std::string("image ") + journal::ImageRoleName(image.role) + " " + image.name;
  if (!image.stored) return Status::NotFound(name + " is declared but not stored in the journal");
  if (image.chunk_size == 0 && image.size != 0) return Status::Corruption(name + ": chunk size 0");
  // The chunk list must cover the size exactly (a journal is input).
  const uint64_t want_chunks = image.size == 0 ? 0 : (image.size - 1) / image.chunk_size + 1;
  if (image.chunks.size() != want_chunks)
    return Status::Corruption(name + ": " + std::to_string(image.chunks.size()) + " chunks for " +
                              std::to_string(image.size) + " bytes of " + std::to_string(image.chunk_size));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(path);
  Status st;
  if (::ftruncate(fd, static_cast<off_t>(image.size)) != 0) st = Errno(path);
  std::vector<uint8_t> chunk;
  for (size_t i = 0; st.ok() && i < image.chunks.size(); ++i) {
    const uint64_t off = i * uint64_t{image.chunk_size};
    const uint64_t len = std::min<uint64_t>(image.chunk_size, image.size - off);
    st = reader->GetBlob(image.chunks[i], &chunk);
    if (!st.ok()) {
      st = Status::Corruption(name + ": chunk " + std::to_string(i) + ": " + st.message());
      break;
    }
    if (chunk.size() != len) {
      st = Status::Corruption(name + ": chunk " + std::to_string(i) + " holds " + std::to_string(chunk.size()) +
                              " bytes, expected " + std::to_string(len));
      break;
    }
    if (AllZero(chunk)) continue;  // a hole reads as zeros: keep the file sparse
    for (uint64_t done = 0; done < len;) {
      const ssize_t n = ::pwrite(fd, chunk.data() + done, len - done, static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        st = Errno(path);
        break;
      }
      done += static_cast<uint64_t>(n);
    }
  }
  if (::close(fd) != 0 && st.ok()) st = Errno(path);
  if (!st.ok()) return st;
  journal::Hash128 hash;
  uint64_t size = 0;
  TAPVM_RETURN_IF_ERROR(journal::HashFile(path, &hash, &size));
  if (size != image.size || hash != image.hash)
    return Status::Corruption(name + ": the stored chunks hash to " + hash.ToHex() + " (" + std::to_string(size) +
                              " bytes), the header says " + image.hash.ToHex() + " (" + std::to_string(image.size) +
                              " bytes)");
  return Status::Ok();
}

}  // namespace tapvm::reblock
