// BuildExpectedImages: the disk contents a recording's block requests leave
// behind, computed from the journal alone, to check a reblock's final image
// against (the journal stores each disk as it was at the start, not at the
// end).
//
// Contract: starting from the initial images already in `paths` (drive i's
// file, modified in place), every write, discard and write-zeroes whose
// recorded completion is kOk is applied, in the order the recording
// *submitted* them; those the recording never saw complete (still in
// flight when it stopped) are applied too, after the rest. Discard and
// write-zeroes leave zeros (what every BlockBackend reads back). Requests
// that failed, or lie outside the image, are not applied.
//
// Why submission order: two requests that did not overlap in time ran in
// that order anyway (the second was submitted after the first completed);
// two overlapping writes that raced in the recording landed in an order
// the journal cannot tell, and reblock defines it as submission order (it
// serializes such races the same way), so the model and the reblock agree.
//
// Reads the journal from its first event (Seek(1)). Errors: the reader's
// (a damaged journal), IOError for the files. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "journal/reader.h"
#include "tools/reblock/recorded_drives.h"

namespace tapvm::reblock {

struct ExpectedStats {
  uint64_t applied = 0;     // modifications applied
  uint64_t failed = 0;      // recorded as failed: not applied
  uint64_t unanswered = 0;  // no recorded completion: applied at the end
};

Status BuildExpectedImages(journal::JournalReader* reader, const std::vector<RecordedDrive>& drives,
                           const std::vector<std::string>& paths, ExpectedStats* stats);

// Writes `length` zeros at `offset` of `fd` (a hole where the file system
// can punch one). False with errno set on failure.
bool ZeroFileRange(int fd, uint64_t offset, uint64_t length);

}  // namespace tapvm::reblock
