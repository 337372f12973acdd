// JournalWriter: records one run into a new journal file.
//
// Create() makes the file and commits the header and an empty tail, so from
// then on the file is always a readable journal. Append() assigns each event
// the next sequence number (1, 2, 3...), stores payloads longer than the
// inline limit as content-addressed blobs, and extends the chain hash.
// Writes are batched: one LMDB write transaction holds many events and is
// committed every `batch_events` events or `batch_bytes` bytes, on
// Commit(), and on Close(). Each commit also rewrites the tail record (last
// seq, last icount, chain), so whatever was committed is a prefix that
// verifies on its own: a writer killed at any moment (even kill -9) leaves
// a journal whose committed prefix reads back and verifies, with
// clean_close=false. Close() marks the journal cleanly closed.
//
// Errors are sticky: after a failed write the writer refuses further
// writes; the file still holds the last committed prefix.
//
// Durability: kProcessCrash (default) survives the writer process dying
// (LMDB writes reach the OS at every commit) but not a host crash, except
// that Close() syncs; kSystemCrash fsyncs at every commit.
//
// Checkpoints (format 3): PutCheckpoint stores a checkpoint record whose
// page blobs were stored first (PutBlob), in the same batching: a commit
// holding a checkpoint holds the events before it. OpenForCheckpoints
// opens an existing journal (a copy: `tapvm journal index`) to add
// checkpoints only: its header, events and tail stay as they are.
//
// The file is locked (flock) while the writer lives: a reader or a second
// writer on the same file is refused. Not thread-safe: use one writer from
// one thread (LMDB binds a write transaction to its thread).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "emulator/base/status.h"
#include "journal/checkpoint_record.h"
#include "journal/event.h"
#include "journal/hash.h"
#include "journal/header.h"

namespace tapvm::journal {

struct WriterOptions {
  uint32_t batch_events = 4096;     // commit after this many events...
  uint64_t batch_bytes = 4u << 20;  // ...or this many bytes written
  uint32_t inline_limit = 64;       // longer payloads become blobs
  uint32_t image_chunk_size = 64u << 10;
  // Initial LMDB map size (virtual address space only: the file grows as
  // it is written); the writer grows the map when it fills.
  uint64_t initial_map_size = 64ull << 30;
  enum class Durability { kProcessCrash, kSystemCrash };
  Durability durability = Durability::kProcessCrash;
  bool overwrite = false;  // replace an existing file at `path`
};

struct WriterStats {
  uint64_t events = 0;
  uint64_t event_bytes = 0;    // framed event records
  uint64_t blobs_stored = 0;   // new blobs
  uint64_t blob_bytes = 0;     // bytes of new blobs
  uint64_t blobs_deduped = 0;  // blobs already present
  uint64_t commits = 0;
  uint64_t image_hole_bytes = 0;  // image bytes known to be zeros and never read (sparse files)
  uint64_t checkpoints = 0;       // checkpoint records stored
  uint64_t checkpoint_bytes = 0;  // their bytes (page blobs are counted as blobs)
};

class JournalWriter {
 public:
  // Creates a new journal at `path` with `header`'s caller fields (the
  // writer sets format_version and inline_limit). Refuses an existing file
  // unless options.overwrite.
  static Status Create(const std::string& path, const JournalHeader& header, const WriterOptions& options,
                       std::unique_ptr<JournalWriter>* out);

  // Opens the existing, cleanly closed or not, journal at `path` to add
  // checkpoints (PutBlob, PutCheckpoint) and nothing else: Append and
  // PutImage are refused, the tail is never rewritten, Close keeps the
  // end the journal had. The journal must have no checkpoints yet.
  static Status OpenForCheckpoints(const std::string& path, const WriterOptions& options,
                                   std::unique_ptr<JournalWriter>* out);

  // Without Close(): commits what was appended (clean_close stays false).
  ~JournalWriter();

  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends `e` (e.seq is ignored; the assigned seq goes to *seq).
  // icounts must not decrease.
  Status Append(const Event& e, uint64_t* seq = nullptr);

  // Stores `bytes` as a blob (once: storing the same content again is a
  // no-op) and returns its key.
  Status PutBlob(std::span<const uint8_t> bytes, Hash128* hash);

  // Stores an image's content, chunked into image_chunk_size blobs (equal
  // chunks are stored once), so a replay needs nothing but the journal. If
  // the header declared an image with this role and name, the content must
  // match its hash and size. Each role/name is stored at most once.
  Status PutImage(ImageRole role, const std::string& name, std::span<const uint8_t> content);
  // The same, reading the content from the file at `file_path` chunk by
  // chunk (disk images need not fit in memory).
  Status PutImageFile(ImageRole role, const std::string& name, const std::string& file_path);

  // Stores a checkpoint record; its pages' blobs must be stored already.
  // Refused (InvalidArgument, not sticky): an icount not after the last
  // checkpoint's, a tap_position past the last event, a chain that is not
  // the journal's after tap_position (checked when that is the last event
  // appended), an incremental record whose parent is not stored.
  Status PutCheckpoint(const CheckpointRecord& c);

  // Commits the current batch now.
  Status Commit();
  // Asks the OS to start writing what was committed to disk, without
  // waiting (sync_file_range), so that a later sync (Close) finds less to
  // do. Durability is unchanged: only Close and kSystemCrash commits wait.
  void StartWriteback();

  // Commits, marks the journal cleanly closed with `final_icount` (the
  // icount when recording stopped; not below the last event's), syncs, and
  // releases the file. Nothing may be written afterwards.
  // `end_reason` says how the run ended, in the recorder's words (stored
  // in the tail; replay uses "stuck").
  Status Close(uint64_t final_icount, const std::string& end_reason = "");

  uint64_t last_seq() const { return next_seq_ - 1; }
  uint64_t committed_seq() const { return committed_seq_; }
  uint64_t chain() const { return chain_; }
  const WriterStats& stats() const { return stats_; }

 private:
  struct Impl;
  JournalWriter(const JournalHeader& header, const WriterOptions& options);
  static Status CreateOnFile(int fd, const std::string& path, const JournalHeader& header,
                             const WriterOptions& options, std::unique_ptr<JournalWriter>* out);

  Status Fail(Status s);
  Status Usable() const;
  Status EnsureTxn(uint64_t extra_bytes);
  Status CommitTxn(bool clean_close, uint64_t final_icount, const std::string& end_reason = "");
  Status PutBlobInTxn(std::span<const uint8_t> bytes, const Hash128& hash);
  Status MaybeCommit();
  // Fills `out` with the image's bytes at `offset`, or sets *hole when they
  // are known to be zeros without reading them (a sparse file's hole).
  using ChunkSource = Status (*)(void* ctx, uint64_t offset, std::span<uint8_t> out, bool* hole);
  Status PutImageChunks(ImageRole role, const std::string& name, uint64_t size, ChunkSource read, void* ctx);

  JournalHeader header_;
  WriterOptions options_;
  std::unique_ptr<Impl> db_;
  std::string path_;
  Status error_;
  bool closed_ = false;
  uint64_t next_seq_ = 1;
  uint64_t committed_seq_ = 0;
  uint64_t chain_ = 0;
  uint64_t last_icount_ = 0;
  uint64_t txn_events_ = 0;
  uint64_t txn_bytes_ = 0;
  uint64_t room_ = 0;  // free map bytes when the current transaction began
  bool checkpoints_only_ = false;  // OpenForCheckpoints
  bool has_checkpoint_ = false;
  uint64_t last_checkpoint_icount_ = 0;
  WriterStats stats_;
};

}  // namespace tapvm::journal
