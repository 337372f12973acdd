// Record codec: Events, headers, tails and image entries to framed records
// (format.h) and back. Internal to journal/ (and its tests and fuzzers);
// Cap'n Proto stays behind this interface.
//
// Decoders never throw and never trust their input: every Cap'n Proto
// access happens under a traversal limit inside a try block, and any
// failure becomes a Corruption status with a short reason. Encoder and
// decoder objects keep scratch buffers between calls: not thread-safe, one
// per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "journal/checkpoint_record.h"
#include "journal/event.h"
#include "journal/hash.h"
#include "journal/header.h"

namespace tapvm::journal {

// A payload stored in `blobs`, as an event record refers to it.
struct BlobRef {
  Hash128 hash;
  uint64_t size = 0;
};

// The `meta/tail` record.
struct TailInfo {
  uint64_t last_seq = 0;
  uint64_t last_icount = 0;
  uint64_t chain = 0;
  bool clean_close = false;
  uint64_t final_icount = 0;
  std::string end_reason;
};

class EventEncoder {
 public:
  EventEncoder();
  ~EventEncoder();

  // Frames `e` as event record `seq` following chain `prev_chain`. The
  // payload goes inline unless `blob` is given (the caller has stored it).
  // On success *record views an internal buffer valid until the next call
  // and *checksum is the record's checksum (for the chain).
  Status Encode(uint64_t seq, const Event& e, uint64_t prev_chain, const BlobRef* blob,
                std::span<const uint8_t>* record, uint64_t* checksum);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a decoded event record says, beyond the Event itself.
struct DecodedEvent {
  uint64_t checksum = 0;    // stored (and verified) checksum
  uint64_t prev_chain = 0;  // stored chain before this record
  std::optional<BlobRef> blob;  // the payload is in `blobs` (not loaded)
};

class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();

  // Checks the framing and checksum of event record `seq` and decodes it
  // into *e (payload filled if inline). Does not check the chain or the
  // seq inside the body: the caller does, with context. Corruption says
  // what is wrong ("checksum mismatch (stored ..., computed ...)").
  Status Decode(uint64_t seq, std::span<const uint8_t> record, Event* e, DecodedEvent* info);

  // Decodes a bare packed Cap'n Proto Event body (no framing, no checksum).
  // Decode() calls it; exposed for the fuzzer.
  Status DecodeBody(std::span<const uint8_t> body, Event* e, std::optional<BlobRef>* blob);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The header record (magic, version, checksum, body). `header` supplies the
// caller fields and format_version/inline_limit.
std::vector<uint8_t> EncodeHeaderRecord(const JournalHeader& header);
// InvalidArgument: not a journal (bad magic); Corruption: damaged;
// NotSupported: a newer format version. Fills the caller and writer fields.
Status DecodeHeaderRecord(std::span<const uint8_t> record, JournalHeader* header);

std::vector<uint8_t> EncodeTailRecord(const TailInfo& tail);
Status DecodeTailRecord(std::span<const uint8_t> record, TailInfo* tail);

// A stored image (`stored`, chunk_size and chunks set).
std::vector<uint8_t> EncodeImageRecord(const ImageInfo& image);
// Checkpoint records (checkpoint_record.h): checksummed with the icount
// (their key) as seed. Decode checks the checksum, the body, that the
// record's icount is `key_icount`, pages 4 KiB aligned and ascending, and
// an incremental record's parent before it.
std::vector<uint8_t> EncodeCheckpointRecord(const CheckpointRecord& c);
Status DecodeCheckpointRecord(uint64_t key_icount, std::span<const uint8_t> record, CheckpointRecord* c);
Status DecodeImageRecord(std::span<const uint8_t> record, ImageInfo* image);
// "image/<role>/<name>".
std::string ImageKey(ImageRole role, std::string_view name);

// Frames arbitrary body bytes as event record `seq` with a valid checksum:
// lets tests and fuzzers hand the decoder hostile bodies.
std::vector<uint8_t> FrameEventRecord(uint64_t seq, uint64_t prev_chain, std::span<const uint8_t> body);

}  // namespace tapvm::journal
