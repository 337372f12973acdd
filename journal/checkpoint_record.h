// CheckpointRecord: a machine checkpoint as a journal stores it (format 3,
// docs/journal-format.md §6.1), in the `checkpoints` database under its
// icount.
//
// The journal does not know what a machine is: `state` (the hart, the
// devices, the machine's identity) is opaque bytes the layer above encodes
// and decodes (emulator/machine/checkpoint.h's encoding, without pages).
// RAM is what the journal does know: pages of 4096 bytes, each stored as a
// content-addressed blob of its bytes up to the last non-zero one, so a page that did not change between two
// checkpoints, or that several pages share (zeros), is stored once.
//
// A full record lists every non-zero page; an incremental one lists the
// pages written since its parent (the checkpoint at parent_icount),
// including pages that became zeros (referring to the zero page's blob).
// The machine at an incremental checkpoint is its parent chain folded
// from the nearest full record on (replayer/journal_checkpoints.h).
//
// `tap_position` and `chain` bind the record to the events: the machine
// state is the one after events 1..tap_position, and `chain` is the chain
// hash after event tap_position (journal/format.h), which a reader checks
// against the events when it seeks there. Plain values.
#pragma once

#include <cstdint>
#include <vector>

#include "journal/hash.h"

namespace tapvm::journal {

struct PageRef {
  uint64_t addr = 0;  // guest-physical, 4 KiB aligned
  Hash128 hash;       // blob key of its bytes without trailing zeros (zeros: empty)
};

struct CheckpointRecord {
  uint64_t icount = 0;
  bool full = true;
  uint64_t parent_icount = 0;  // incremental only
  uint64_t tap_position = 0;
  uint64_t chain = 0;
  std::vector<uint8_t> state;
  std::vector<PageRef> pages;  // ascending addresses, each once
};

// A checkpoint without its state and page list: what `journal info` and a
// seeker need to choose one.
struct CheckpointSummary {
  uint64_t icount = 0;
  bool full = true;
  uint64_t parent_icount = 0;
  uint64_t tap_position = 0;
  uint64_t pages = 0;
  uint64_t state_bytes = 0;
  uint64_t record_bytes = 0;
};

}  // namespace tapvm::journal
