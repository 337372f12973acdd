// FaultInjector: host-level fault injection for the block backends, in the
// spirit of QEMU's blkdebug.
//
// A backend consults the injector before each host operation it is about
// to issue (each pread/pwrite or io_uring read/write, including the
// continuation of a short transfer and the retry after EAGAIN, each
// fdatasync and fallocate) and acts on the answer as if the host had done
// it: an error fails the call, a short transfer issues fewer bytes (the
// kernel really transfers only those, and the backend's own continuation
// carries on), EAGAIN makes the backend retry, a delay waits before
// issuing. So short transfers and EAGAIN exercise the backends' real
// recovery paths and are invisible to the guest except for timing, while
// an error reaches the guest as a failed request (virtio-blk
// VIRTIO_BLK_S_IOERR) — an input like any other completion, journaled when
// recording, so the guest's reaction replays.
//
// Grammar (the text of `--drive …,inject=RULES`, of an `inject-file=PATH`
// and of `tapvm journal reblock --inject RULES`):
//
//   RULES   := ITEM { SEP ITEM }
//   SEP     := ';' | newline          (',' separates drive options)
//   ITEM    := empty | '#' comment-to-end-of-line | RULE
//   RULE    := OP ':' FAULT { ':' TRIGGER }
//   OP      := read | write | flush | discard | zeroes | any
//   FAULT   := eio                     the call fails with EIO
//            | short                   read/write only: half the bytes (kept
//                                      a multiple of the direct-I/O block;
//                                      nothing if that leaves none)
//            | eagain                  the call fails with EAGAIN
//            | delay=DURATION          the call waits, then runs as asked
//   TRIGGER := every=N                 the Nth, 2Nth, … matching call (N >= 1)
//            | after=N                 only calls after the first N matching
//            | once                    at most one call in all
//            | offset=SIZE[-SIZE]      calls overlapping bytes [A, B) (A alone:
//                                      the call covering byte A)
//            | prob=P                  each call with probability P (0..1, or
//                                      N%), drawn from the seed
//   SIZE    := digits [K|M|G|T]        binary multiples (1M = 1048576)
//   DURATION:= digits (ns|us|ms|s)
//
// Triggers combine with AND: `write:eio:after=100:every=2` fails calls
// 102, 104, … A rule without triggers fires on every matching call. Each
// rule counts the calls it matches (OP and offset), whether or not it or
// another rule fires; of the rules that fire on a call, the first listed
// decides. `zeroes` is write-zeroes; `any` matches every call (but short
// only ever applies to reads and writes). EAGAIN and short are never
// injected into a retry of a call that just got EAGAIN, so a backend
// always makes progress. Examples:
//   read:eio:offset=1M-2M   write:eio:after=100   read:short:every=7
//   any:eagain:every=5      flush:eio:once        any:delay=5ms:every=3
//
// Determinism: decisions depend only on the rules, the seed and the
// sequence of calls the injector is asked about: the same sequence and
// seed give the same faults (probabilities come from a counter-based hash
// of the seed, never from a host random source). A backend with one I/O
// thread (io_uring, or a one-worker pool) asks in submission order.
//
// Thread-safe: Decide may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm {

// A host call a backend is about to make.
struct HostOp {
  enum class Kind : uint8_t { kRead, kWrite, kFlush, kDiscard, kWriteZeroes };
  Kind kind = Kind::kRead;
  uint64_t offset = 0;       // the file range the call covers (0, 0 for flush)
  uint64_t length = 0;
  uint64_t granularity = 1;  // an injected short transfer stays a multiple of this
  bool retry = false;        // re-issued after EAGAIN or EINTR
};

// What the backend must do with the call.
struct Fault {
  enum class Kind : uint8_t { kNone, kError, kShort, kAgain, kDelay };
  Kind kind = Kind::kNone;
  int error = 0;          // kError: the errno the call fails with
  uint64_t length = 0;    // kShort: issue only this many bytes (0 < length < asked)
  uint64_t delay_ns = 0;  // kDelay: wait this long, then issue the call unchanged
};

class FaultInjector {
 public:
  // Parses `rules` (grammar above); InvalidArgument naming the first bad
  // rule and what is wrong with it. Empty rules make an injector that never
  // fires.
  static Status Create(const std::string& rules, uint64_t seed, std::shared_ptr<FaultInjector>* out);
  // Checks `rules` only (what --drive does at parse time).
  static Status Validate(const std::string& rules);

  Fault Decide(const HostOp& op);

  size_t num_rules() const { return rules_.size(); }
  // How many calls rule `i` has decided (fired on), and in all.
  uint64_t fired(size_t i) const;
  uint64_t total_fired() const;

  // One parsed rule.
  struct Rule {
    std::string text;             // as written, for messages
    uint8_t ops = 0;              // bit (1 << HostOp::Kind) per matching kind
    Fault fault;                  // what firing does (kShort's length is computed per call)
    uint64_t every = 1, after = 0;
    bool once = false;
    uint64_t begin = 0, end = UINT64_MAX;  // offset range [begin, end)
    uint64_t prob_threshold = UINT64_MAX;  // fires when hash <= threshold; max: always
    bool has_prob = false;
    // Mutable state, under mu_.
    uint64_t matched = 0, fired = 0;
  };
  static Status ParseRule(const std::string& text, Rule* out);

 private:
  FaultInjector() = default;

  uint64_t seed_ = 0;
  std::vector<Rule> rules_;
  mutable std::mutex mu_;
};

}  // namespace tapvm
