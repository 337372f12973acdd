// A structural check of an LMDB file, done with pread() before LMDB maps
// it. Internal to journal/.
//
// LMDB trusts its file: a damaged meta page or B-tree page can make it read
// past the end of the file (SIGBUS) or divide by a zero page size. The
// reader therefore checks, independently of LMDB, everything LMDB will
// follow when reading the newest snapshot: both meta pages (magic, version,
// page size, the newest one's page count against the file size, roots) and,
// when `walk` is set, every branch, leaf and overflow page reachable from
// the main database and its named databases (page numbers, flags, node
// offsets and sizes within the page, overflow runs within the file, no
// page reached twice, depth bounded). After it passes, LMDB's read path
// stays inside the file; what the bytes *mean* is checked by the journal's
// own checksums.
//
// Knows LMDB 0.9's on-disk layout (data version 1, 64-bit builds).
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/base/status.h"

namespace tapvm::journal {

struct LmdbLayout {
  uint32_t page_size = 0;
  uint64_t pages_used = 0;    // newest snapshot: last page + 1
  uint64_t file_size = 0;
  uint64_t pages_walked = 0;  // when walked
  // When walked: the file offset of the value stored under `locate_key` in
  // the database `locate_db` (0: not found). LMDB hands out pointers into
  // its map but not the map's address; one known (pointer, offset) pair
  // gives it, so the reader can bounds-check values and report offsets.
  uint64_t located_offset = 0;
};

// InvalidArgument: not an LMDB file at all (empty, too short, no LMDB
// magic). NotSupported: another LMDB data version. Corruption: the LMDB
// structures are damaged; the message names the page and file offset.
Status CheckLmdbFile(int fd, bool walk, std::string_view locate_db, std::string_view locate_key,
                     LmdbLayout* layout);

// An LMDB return code as a Status: "<what>: <LMDB's message>". Damage
// codes (MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID) are Corruption.
Status LmdbError(int rc, const char* what);

}  // namespace tapvm::journal
