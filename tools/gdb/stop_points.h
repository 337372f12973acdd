// StopPoints: the breakpoints and watchpoints gdb has inserted, and the test
// of one instruction boundary against them.
//
// Breakpoints (software and hardware alike) are pcs compared before the
// instruction runs; nothing is written into guest memory, so the guest,
// its digests and a replay cannot tell. Watchpoints are address ranges
// compared with the access the next instruction is about to make: its
// bits are read and decoded without side effects (Hart::DebugReadVirt) and
// its effective address computed from the registers, so the stop comes
// before the access, with pc at the accessing instruction. That is what
// gdb's riscv port expects (its watchpoints are "non-steppable": gdb then
// steps over the instruction itself and compares the old and new values).
//
// Not thread-safe: the CPU thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/cpu/hart.h"
#include "tools/gdb/debug_target.h"

namespace tapvm::gdb {

// The memory access an instruction makes: [addr, addr + size).
struct Access {
  uint64_t addr = 0;
  unsigned size = 0;
  bool read = false, write = false;
};
// The access the instruction at the hart's pc would make if it ran now,
// or nothing (not a memory instruction, or its bits cannot be read).
std::optional<Access> NextAccess(const Hart& hart);

class StopPoints {
 public:
  Status Insert(StopPointKind kind, uint64_t addr, uint64_t len);
  Status Remove(StopPointKind kind, uint64_t addr, uint64_t len);
  bool empty() const { return breaks_.empty() && watches_.empty(); }
  bool has_watches() const { return !watches_.empty(); }

  // What stops the hart at its boundary, about to run the instruction at
  // pc: a breakpoint there first (unless !breakpoints: a resume does not
  // stop at the breakpoint it starts from, gdb steps over it), else a
  // watchpoint the instruction's access hits. `event` gets the stop.
  bool Hit(const Hart& hart, bool breakpoints, StopEvent* event) const;

 private:
  struct Watch {
    StopPointKind kind;
    uint64_t addr, len;
    bool operator<(const Watch& o) const {
      return std::tie(kind, addr, len) < std::tie(o.kind, o.addr, o.len);
    }
  };
  std::set<std::pair<uint64_t, StopPointKind>> breaks_;  // (pc, software or hardware)
  std::set<Watch> watches_;
};

}  // namespace tapvm::gdb
