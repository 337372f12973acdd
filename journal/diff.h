// DiffJournals: the first place two journals stop agreeing.
//
// For CI regression from recorded workloads: record the same workload
// twice (two builds, two hosts) and ask where the runs part. Compares the
// headers (format, configuration, declared images by role/name/hash and
// digest interval) and then the events in order, by icount and body
// (SameBody: payload bytes included; seq numbers and storage details are
// not compared). Stops at the first differing event; also says which state
// digest the two runs last shared, the best anchor for a bisecting replay.
//
// After the first difference it reads on (at most kRequestLookahead events
// each) for the first block request of each side: when both are the same
// request at different icounts, that is the request whose timing changed.
//
// Pure over its two readers; reads each at most once, start to end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "journal/event.h"
#include "journal/reader.h"

namespace tapvm::journal {

struct JournalDiff {
  // Header lines that differ, e.g. "config ram_mib: 256 vs 512".
  std::vector<std::string> header_differences;
  // Events read from each journal before the first difference (equal on
  // both sides).
  uint64_t common_events = 0;
  // The first differing events; one side is empty when that journal ended
  // first. Both empty: the event streams are identical.
  std::optional<Event> first_a, first_b;
  // The last state digest both runs reached identically, if any.
  std::optional<Event> last_common_digest;
  // The final icount (clean close) differs though the events agree.
  bool final_icount_differs = false;
  // When the runs part at a change of timing (a throttled against an
  // unthrottled recording of one workload): the first block request at or
  // after the first difference, found in both journals as the same request
  // (device, id, type, offset, length) but submitted at different icounts.
  struct RequestShift {
    BlockRequest request;  // as journaled in a (no data)
    uint64_t seq_a = 0, icount_a = 0;
    uint64_t seq_b = 0, icount_b = 0;
  };
  std::optional<RequestShift> request_shift;

  bool identical() const {
    return header_differences.empty() && !first_a && !first_b && !final_icount_differs;
  }
};

inline constexpr uint64_t kRequestLookahead = 10'000'000;

// Fills *out. A damaged journal is an error (Corruption, from the reader)
// unless the difference was already found before the damage.
Status DiffJournals(JournalReader* a, JournalReader* b, JournalDiff* out);

}  // namespace tapvm::journal
