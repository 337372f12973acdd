// DebugTarget: what the gdb protocol (gdb_session.h) needs of the thing it
// debugs, and no more. MachineTarget (machine_target.h) is the one over a
// tapvm machine, live or replayed; tests use fakes.
//
// Contract:
// - Every call but Interrupt is made on one thread, the machine's CPU
//   thread; Resume blocks while the machine runs. Interrupt is thread-safe
//   and makes a Resume in progress return soon (StopKind::kInterrupted).
// - Errors are Status values whose message says why, in words for a person
//   (the session prints them): a write refused in a replay, an unmapped
//   address.
// - Stop points are kept by the target and checked by it, never written
//   into guest memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm::gdb {

// Z/z packet types 0..4.
enum class StopPointKind : uint8_t { kSoftware = 0, kHardware = 1, kWrite = 2, kRead = 3, kAccess = 4 };

enum class ResumeKind : uint8_t { kStep, kContinue, kReverseStep, kReverseContinue };

struct StopEvent {
  enum class Kind : uint8_t {
    kStep,         // a step ended normally (SIGTRAP)
    kBreakpoint,   // at a breakpoint (`kind` says which type), before its instruction
    kWatchpoint,   // `kind` (kWrite/kRead/kAccess) hit at `address`
    kInterrupted,  // Interrupt (SIGINT)
    kReplayBegin,  // reverse execution reached the start of the journal
    kReplayEnd,    // a replay reached the end of the journal
    kExited,       // the guest ended (run mode); `code` is its exit status
    kError,        // the machine cannot go on (`message`); SIGTRAP at where it is
  };
  Kind kind = Kind::kStep;
  StopPointKind point = StopPointKind::kSoftware;
  uint64_t address = 0;
  int code = 0;
  std::string message;
};

class DebugTarget {
 public:
  virtual ~DebugTarget() = default;

  // Registers by gdb number (target_description.h); values as raw bits.
  virtual Status ReadRegister(unsigned regnum, uint64_t* value) = 0;
  virtual Status WriteRegister(unsigned regnum, uint64_t value) = 0;
  // Guest virtual memory as the hart's current privilege sees it, with no
  // side effect. Reads fill up to `len` bytes and stop at the first one
  // that cannot be read (an error if none could).
  virtual Status ReadMemory(uint64_t addr, size_t len, std::vector<uint8_t>* out) = 0;
  virtual Status WriteMemory(uint64_t addr, const std::vector<uint8_t>& data) = 0;

  virtual Status InsertStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) = 0;
  virtual Status RemoveStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) = 0;

  // Runs (blocking) and says where it stopped. Reverse kinds need a
  // replay (NotSupported otherwise).
  virtual Status Resume(ResumeKind kind, StopEvent* stop) = 0;
  virtual void Interrupt() = 0;
  virtual bool reverse_supported() const = 0;

  // `monitor ...` (qRcmd): the text to show, or an error.
  virtual Status Monitor(std::string_view command, std::string* output) = 0;
};

}  // namespace tapvm::gdb
