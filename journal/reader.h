// JournalReader: reads and verifies a journal written by JournalWriter.
//
// Open() validates the file before trusting it: the LMDB structures are
// checked with plain reads before LMDB maps the file (journal/lmdb_check.h),
// then the header record's magic, checksum and version. It refuses, with a
// precise Status: a foreign file (InvalidArgument "not a tapvm journal"), a
// newer format (NotSupported), a damaged file (Corruption, saying where), a
// journal being written (IOError: the writer holds the lock).
//
// Next() returns the events in order and checks, for every record: its
// checksum, its place in the chain, that its key, its seq and the expected
// seq agree, that icounts do not go backwards, and (when payloads are
// loaded) its blob's hash. At the end it checks the record count and chain
// against the tail, so a lost suffix is found too. The first problem is
// returned as Corruption("record 1234 (icount 5678, file offset 0x...):
// checksum mismatch ...") and repeated by every later call.
//
// A journal that was not closed cleanly (header().clean_close == false)
// reads and verifies like any other: it ends at its last commit.
//
// The reader holds an LMDB read snapshot and a shared lock on the file for
// its lifetime. Not thread-safe: one thread at a time. No exception
// crosses this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "journal/checkpoint_record.h"
#include "journal/event.h"
#include "journal/hash.h"
#include "journal/header.h"

namespace tapvm::journal {

struct ReaderOptions {
  // Next() fetches (and hash-checks) payloads stored as blobs. Off: only
  // Event::payload says where they are (for dumps and summaries).
  bool load_payloads = true;
  // Walk every LMDB page at Open (costs one read of the B-tree pages).
  // Turning it off trusts the file's B-tree: a damaged page could then
  // crash the process inside LMDB.
  bool check_structure = true;
};

enum class ProblemKind : uint8_t {
  kTail,             // the tail record is damaged
  kBadKey,           // a record key is not 8 bytes
  kMissingRecords,   // a gap in the seq numbers, or fewer records than the tail says
  kExtraRecords,     // records beyond the committed tail
  kTooShort,         // a record shorter than its framing
  kChecksum,         // a record's checksum does not match its bytes
  kChain,            // a record does not follow its predecessor
  kUndecodable,      // checksum fine but the body is not a valid event
  kSeqMismatch,      // the body's seq differs from its key
  kIcountBackwards,  // icount lower than the previous record's
  kMissingBlob,      // a referenced blob is absent
  kBadBlob,          // a blob's content does not match its key, or its size its reference
  kBadImage,         // a stored image's chunks do not add up to its hash and size
  kBadCheckpoint,    // a checkpoint record is damaged, or a page or its parent is missing or damaged
};
const char* ProblemKindName(ProblemKind kind);

struct Problem {
  ProblemKind kind = ProblemKind::kChecksum;
  uint64_t seq = 0;            // the record concerned (0: none)
  uint64_t icount = 0;         // its icount, or the last good one before it
  bool icount_exact = false;   // icount is the record's own
  uint64_t file_offset = 0;    // where the record's bytes are (0: unknown)
  std::string message;         // the whole story, one line
};

struct VerifyReport {
  uint64_t records = 0;        // event records examined
  uint64_t record_bytes = 0;
  uint64_t bad_records = 0;
  uint64_t blobs = 0;          // blobs examined
  uint64_t blob_bytes = 0;
  uint64_t bad_blobs = 0;
  uint64_t missing_blobs = 0;
  uint64_t images = 0;         // stored images examined
  uint64_t bad_images = 0;
  uint64_t checkpoints = 0;    // checkpoint records examined
  uint64_t bad_checkpoints = 0;
  uint64_t problems = 0;       // all problems found
  std::optional<Problem> first_problem;
  // The problems in the order found, at most kMaxListedProblems of them.
  static constexpr size_t kMaxListedProblems = 100;
  std::vector<Problem> listed;
  uint64_t by_kind[kEventKindCount] = {};
  uint64_t first_icount = 0;
  uint64_t last_icount = 0;
  bool clean_close = false;
  uint64_t file_size = 0;
};

class JournalReader {
 public:
  static Status Open(const std::string& path, std::unique_ptr<JournalReader>* out);
  static Status Open(const std::string& path, const ReaderOptions& options, std::unique_ptr<JournalReader>* out);
  ~JournalReader();

  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // The header, its stored images (ImageInfo::stored), and the tail.
  const JournalHeader& header() const { return header_; }
  // OK, or why the tail record could not be read (then the end of the
  // journal cannot be checked, and Next() reports it there).
  const Status& tail_status() const { return tail_status_; }
  uint64_t file_size() const { return file_size_; }

  // The next event (*end = false), or *end = true after the last one.
  Status Next(Event* e, bool* end);
  // Positions Next() at the first event with seq >= `seq`. The chain is
  // checked from there on, trusting the first record's stored link.
  Status Seek(uint64_t seq);
  // Positions Next() at event `seq`, which must exist (or `seq` be one past
  // the last) and link to `chain_before` (the chain after seq - 1, as a
  // checkpoint record keeps it): the chain is checked from the first
  // record on, so events that do not follow a checkpoint are found.
  Status Seek(uint64_t seq, uint64_t chain_before);
  // The chain hash after event `seq` (the header's seed for 0), from that
  // record alone (its checksum checked). NotFound past the last event.
  Status ChainAfter(uint64_t seq, uint64_t* chain);

  // ---- checkpoints (format 3; journal/checkpoint_record.h). A record is
  // checked when read: checksum, body, its key, its tap_position within the
  // committed events. Journals without a checkpoints database have none.
  bool has_checkpoints() const;
  // Every checkpoint, in icount order, without state and pages.
  Status ListCheckpoints(std::vector<CheckpointSummary>* out);
  // The checkpoint with the largest icount <= `icount` (*found = false:
  // none).
  Status FindCheckpoint(uint64_t icount, CheckpointRecord* out, bool* found);
  // The checkpoint at exactly `icount`; NotFound if there is none.
  Status ReadCheckpoint(uint64_t icount, CheckpointRecord* out);
  // A blob as a view into the mapped file, valid while the reader lives,
  // its content checked against its key (and `expected_size` unless
  // UINT64_MAX): NotFound or Corruption. Checkpoint pages are read so.
  Status ViewBlob(const Hash128& hash, uint64_t expected_size, std::span<const uint8_t>* out);

  // A blob's content, checked against its key. NotFound if absent.
  Status GetBlob(const Hash128& hash, std::vector<uint8_t>* out);
  // A stored image's content, checked chunk by chunk and as a whole.
  // NotFound if the image is unknown or only declared. With a null `out`
  // the image is only checked (a disk need not fit in memory).
  Status ReadImage(ImageRole role, const std::string& name, std::vector<uint8_t>* out);

  // Writes a copy of the journal to `path` (which must not exist) without
  // LMDB's free pages: the same records and blobs, byte for byte, in the
  // smallest file LMDB can make of them (mdb_env_copy2, MDB_CP_COMPACT).
  // For keeping journals (golden journals in a repository). The copy is
  // not byte-for-byte reproducible (LMDB leaves padding bytes as it finds
  // them): compare journals with DiffJournals, not with their bytes.
  Status CopyCompact(const std::string& path);

  // Full integrity check, independent of Next(): every record, the chain,
  // the tail, every blob (content against key; references resolve; sizes),
  // every stored image. Keeps going after a problem to count them; fills
  // *report either way. `progress` (may be empty) is called now and then
  // with (done, total) work units. Returns OK or Corruption(first problem).
  Status Verify(const std::function<void(uint64_t done, uint64_t total)>& progress, VerifyReport* report);

  struct Impl;  // internal: journal/reader_impl.h

 private:
  JournalReader();
  Status OpenFile(const std::string& path, const ReaderOptions& options);
  Status LoadImages();

  std::unique_ptr<Impl> impl_;
  JournalHeader header_;
  Status tail_status_;
  uint64_t file_size_ = 0;
};

}  // namespace tapvm::journal
