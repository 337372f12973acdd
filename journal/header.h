// JournalHeader: what a journal says about the run it records.
//
// The caller of JournalWriter::Create fills the "caller" fields; the writer
// stores them once. The reader fills every field: the header record's
// contents, the stored images, and the tail (what Close() wrote, or for a
// journal that was not closed cleanly, the last committed state).
// Plain values; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "journal/hash.h"

namespace tapvm::journal {

enum class ImageRole : uint8_t { kKernel, kInitrd, kFirmware, kDisk, kOther };
inline constexpr size_t kImageRoleCount = 5;

// "kernel", "initrd", "firmware", "disk", "other".
const char* ImageRoleName(ImageRole role);
bool ParseImageRole(std::string_view name, ImageRole* role);

// An image the run started from. The caller declares it (role, name, size,
// hash) in the header; its content may also be stored in the journal
// (JournalWriter::PutImage) so a replay needs nothing else.
struct ImageInfo {
  ImageRole role = ImageRole::kOther;
  std::string name;  // the caller's name for it, e.g. the file name
  uint64_t size = 0;
  Hash128 hash;      // XXH3-128 of the whole content

  // Reader-filled: the content is stored as chunks (blob keys, in order),
  // each `chunk_size` bytes except a shorter last one.
  bool stored = false;
  uint32_t chunk_size = 0;
  std::vector<Hash128> chunks;
};

struct JournalHeader {
  // ---- caller: Create stores these.
  std::string writer_version;  // the recording tool, e.g. "tapvm 0.3.0"
  // The machine configuration, as ordered key/value strings ("ram_mib" =
  // "256", "devices" = "virtio-blk,virtio-net", ...). Keys need not be
  // unique; order is preserved.
  std::vector<std::pair<std::string, std::string>> config;
  std::vector<ImageInfo> images;  // declared images (stored ones are added)
  uint64_t digest_interval = 0;   // instructions between state digests; 0 = none

  // ---- writer: set by Create from WriterOptions.
  uint32_t format_version = 0;
  uint32_t inline_limit = 0;

  // ---- tail: the committed state. clean_close is true only if Close()
  // finished; then final_icount is what it was given.
  bool clean_close = false;
  uint64_t final_seq = 0;     // seq of the last event (= number of events)
  uint64_t last_icount = 0;   // icount of the last event
  uint64_t final_icount = 0;  // Close(): icount when recording stopped
  std::string end_reason;     // Close(): how the run ended, in the recorder's words ("" if not said)
  uint64_t final_chain = 0;   // chain hash after the last event

  // The first value of `key` in config, or nullptr.
  const std::string* FindConfig(std::string_view key) const;
  // The image with this role and name, or nullptr.
  const ImageInfo* FindImage(ImageRole role, std::string_view name) const;
};

}  // namespace tapvm::journal
