// JournalReader's private state and the per-record checks shared by Next()
// (reader.cc) and Verify() (verify.cc). Internal to journal/.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "journal/codec.h"
#include "journal/reader.h"

namespace tapvm::journal {

// Where a walk through the events stands: what the next record must be.
struct RecordWalk {
  uint64_t expected_seq = 1;  // 0: accept whatever comes (after a Seek)
  uint64_t chain = 0;
  bool chain_known = true;    // false: take the next record's stored link
  uint64_t last_icount = 0;   // of the last good record
  uint64_t last_seq = 0;      // last seq seen, good or not
};

struct JournalReader::Impl {
  int fd = -1;
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  MDB_dbi meta = 0, events = 0, blobs = 0;
  MDB_dbi checkpoints = 0;
  bool has_checkpoints = false;  // the database exists
  MDB_cursor* cursor = nullptr;  // Next()'s
  ReaderOptions options;
  std::string path;
  uintptr_t map_base = 0;  // address of file offset 0 in LMDB's map; 0 = unknown
  uint64_t file_size = 0;
  uint64_t chain_seed = 0;
  TailInfo tail;
  bool tail_ok = false;
  // Image records that could not be decoded or contradict the header:
  // (what, why). Reported by Verify() and ReadImage().
  std::vector<std::pair<std::string, Status>> image_problems;
  EventDecoder decoder;

  // Next()'s state.
  RecordWalk walk;
  bool started = false;
  bool done = false;
  bool seek_pending = false;
  uint64_t seek_seq = 0;
  Status error;

  ~Impl();

  // True when the value lies inside the file (LMDB hands out pointers into
  // its map; a damaged tree could point anywhere).
  bool InFile(const MDB_val& v) const;
  // 0 when the map address is unknown (ReaderOptions::check_structure off).
  uint64_t FileOffset(const void* p) const { return map_base != 0 ? reinterpret_cast<uintptr_t>(p) - map_base : 0; }

  // Checks record (key, val) against `walk` and decodes it into *e. On a
  // problem fills *p and returns false; `walk` is then resynchronised so a
  // caller that keeps going (Verify) gets one report per damage.
  bool CheckRecord(RecordWalk* walk, const MDB_val& key, const MDB_val& val, Event* e, DecodedEvent* info,
                   Problem* p);
  // Checks the end of a walk against the tail. False with *p on a problem.
  bool CheckEnd(const RecordWalk& walk, Problem* p) const;
  // Fetches a blob and checks it against its key (and `expected_size`
  // unless UINT64_MAX). NotFound or Corruption.
  Status FetchBlob(const Hash128& hash, uint64_t expected_size, std::vector<uint8_t>* out);
  // Decodes and checks the checkpoint record (key, val).
  // `own_key`: the caller's lookup buffer, which LMDB may hand back.
  Status CheckpointAt(const MDB_val& key, const MDB_val& val, CheckpointRecord* out, const void* own_key = nullptr);
  // The same, as a view into the mapped file (valid while `txn` is open).
  Status BlobView(const Hash128& hash, uint64_t expected_size, std::span<const uint8_t>* out);
};

// "record 1234 (icount 5678, file offset 0x1f2a0, 57 bytes)".
std::string RecordWhere(uint64_t seq, uint64_t icount, bool icount_exact, uint64_t file_offset, uint64_t size);

}  // namespace tapvm::journal
