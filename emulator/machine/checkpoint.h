// MachineCheckpoint: the whole state of a machine at an instruction
// boundary, as Board::SaveCheckpoint captures it and RestoreCheckpoint puts
// it back, and its byte encoding (docs/checkpoint-format.md).
//
// Three parts: the hart's architectural state and every device's state,
// each as the bytes the components save themselves to (StateWriter
// sections, one per component, named after it), and RAM as a list of 4 KiB
// pages. A full checkpoint lists every page that is not all zeros; an
// incremental one lists only the pages written since the checkpoint before
// it on the same machine (its parent), zero pages included (as empty
// pages), and ApplyIncrement folds it into its parent's full checkpoint.
// Pages are kept one by one so a journal can store each as a
// content-addressed blob.
//
// A checkpoint also carries the identity of the machine it came from (the
// guest-visible configuration, image and drive identities: Board::
// AddIdentity) and the icount; a checkpoint is refused by a machine of
// another identity, with the first key that differs.
//
// Decoding is for untrusted bytes: a truncated, corrupted or hostile
// encoding is refused with a Status (a checksum over the whole encoding,
// then every length and count checked against what is left), never a
// crash or an unbounded allocation. The device bytes are checked again
// field by field when a board loads them.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm {

struct CheckpointPage {
  uint64_t addr = 0;            // guest-physical, 4 KiB aligned
  std::vector<uint8_t> bytes;   // 4096 bytes, or empty for a page of zeros
};

struct MachineCheckpoint {
  // The encoding's version (docs/checkpoint-format.md).
  static constexpr uint32_t kFormatVersion = 1;
  static constexpr uint64_t kPageSize = 4096;
  using KeyValues = std::vector<std::pair<std::string, std::string>>;

  enum class Kind : uint8_t { kFull = 0, kIncremental = 1 };
  Kind kind = Kind::kFull;
  // The instruction count it was taken at (an instruction boundary), and
  // for an incremental checkpoint the icount of its parent.
  uint64_t icount = 0;
  uint64_t parent_icount = 0;
  // Where the event stream stood, for the layer that drives the tap (a
  // replay: the journal events consumed; a recording: the events written).
  // The board neither sets nor reads it.
  uint64_t tap_position = 0;
  // The machine's identity (Board::identity()) and its hash.
  KeyValues identity;
  uint64_t identity_hash = 0;
  // The hart's section payload (Hart::SaveState) and the devices' sections
  // ("board", "console", then each device by name).
  std::vector<uint8_t> hart;
  std::vector<uint8_t> devices;
  // Ascending by address, no address twice.
  std::vector<CheckpointPage> pages;

  // The bytes the RAM pages hold (4096 per non-zero page listed).
  uint64_t ram_bytes() const;
};

// The hash a checkpoint's identity_hash holds for `identity`.
uint64_t IdentityHash(const MachineCheckpoint::KeyValues& identity);

// The first key whose value differs between two identities, said as
// "ram_bytes: 268435456 in the checkpoint, 134217728 here"; "" if none.
std::string IdentityDifference(const MachineCheckpoint::KeyValues& checkpoint,
                               const MachineCheckpoint::KeyValues& here);

// The encoding (docs/checkpoint-format.md). Encode fails only on a
// checkpoint that breaks its own invariants (pages out of order, a page of
// the wrong size).
Status EncodeCheckpoint(const MachineCheckpoint& c, std::vector<uint8_t>* out);
Status DecodeCheckpoint(std::span<const uint8_t> in, MachineCheckpoint* out);

// Folds incremental checkpoint `next` into `full`, which must be the full
// checkpoint of its parent (same identity, icount == next.parent_icount):
// `full` becomes the full checkpoint at next.icount. On error `full` is
// unchanged.
Status ApplyIncrement(MachineCheckpoint* full, const MachineCheckpoint& next);

}  // namespace tapvm
