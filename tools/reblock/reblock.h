// Reblock: regression from a recorded workload. Takes a journal's disk
// images out of it, re-issues every recorded block request through live
// backends with the recording's concurrency (BlockReplayer, schedule.h),
// checks every answer against the recorded one, and checks that each final
// image equals what the recorded requests leave behind
// (BuildExpectedImages, expected_image.h). `tapvm journal reblock` is its
// command line.
//
// Backends come in through one function (BackendOpener), called once per
// drive with the working image's path: the command line binds it to
// OpenBlockBackend (emulator/block/backends/open_block_backend.h) with
// the user's aio, cache and injection rules; tests pass a wrapper that
// breaks things on purpose.
//
// Returns a non-OK Status when the run could not be done (an unreadable or
// inconsistent journal, an image that cannot be written, a backend that
// cannot be opened); a run that was done fills *report, whose passed()
// says whether every check held. Not thread-safe (the reader is not).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"
#include "journal/hash.h"
#include "journal/reader.h"
#include "tools/reblock/expected_image.h"
#include "tools/reblock/recorded_drives.h"
#include "tools/reblock/schedule.h"

namespace tapvm::reblock {

using BackendOpener =
    std::function<Status(const RecordedDrive& drive, const std::string& path, std::unique_ptr<BlockBackend>* out)>;

struct ReblockOptions {
  // Where the working and expected images go (driveN.img,
  // driveN.expected.img), kept afterwards; empty: a temporary folder,
  // removed afterwards.
  std::string image_dir;
  size_t max_listed = 20;  // mismatches kept with their details
  // Block events read ahead per batch (their payload bytes): bounds memory
  // on a long journal. Only the batches' execution is timed.
  uint64_t batch_bytes = 256ull << 20;
};

struct DriveOutcome {
  std::string image;     // the reblocked image
  std::string expected;  // the image the recorded requests leave behind
  journal::Hash128 got_hash, expected_hash;
  bool equal = false;
  uint64_t first_difference = 0;  // byte offset, when !equal
};

struct ReblockReport {
  ScheduleStats schedule;
  ExpectedStats expected;
  std::vector<DriveOutcome> drives;
  double seconds = 0;  // executing the requests (journal reading excluded)
  bool passed() const;
};

Status Reblock(journal::JournalReader* reader, const std::vector<RecordedDrive>& drives, const BackendOpener& open,
               const ReblockOptions& options, ReblockReport* report);

}  // namespace tapvm::reblock
