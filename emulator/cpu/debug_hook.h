// DebugHook: the one way a debugger outside emulator/ (tools/gdb) stops a
// running hart, and all the hart knows of breakpoints, watchpoints and
// single steps: it asks the hook at every instruction boundary whether to
// stop there.
//
// Contract:
// - While a hook is installed (Hart::set_debug_hook), Hart::Run runs the
//   interpreter one step at a time and calls StopAt at every instruction
//   boundary: before an instruction runs, and also where an interrupt is
//   about to be taken or the hart waits in WFI (`executes` false then: the
//   instruction at state.pc is not what happens next). A trap's entry is a
//   boundary of its own: an exception or interrupt moves pc to the handler
//   without retiring anything, so (icount, traps) names every boundary.
// - StopAt returning true ends Run with StopReason::kDebug, the hart
//   exactly at that boundary, before anything of it happened. Run called
//   again asks the hook about the same boundary again; the hook tells a
//   resumed boundary apart itself (by its (icount, traps) position).
// - The hook only reads the state. Stepping changes no result: the hart
//   takes interrupts at the same boundaries, and a replay runs the same,
//   with or without a hook (slices are transparent, see hart.h). Only the
//   speed differs (the interpreter, one instruction per slice).
// - Called on the CPU thread, inside Run.
#pragma once

#include "emulator/cpu/hart_state.h"

namespace tapvm {

class DebugHook {
 public:
  virtual ~DebugHook() = default;
  // `executes`: the instruction at state.pc runs next (no interrupt to take
  // first, not waiting in WFI); breakpoints and watchpoints apply only then.
  virtual bool StopAt(const HartState& state, bool executes) = 0;
};

}  // namespace tapvm
